"""sessions: resolving what a member typed to one session, and open/over states."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from s4b_bot.errors import NotFound, UserError
from s4b_bot.programme.sessions import (
    closed_reason,
    current_series_id,
    is_open,
    is_over,
    overview,
    reference,
    resolve,
)

TITLES = {
    "Spring": "Cultivating Belonging: A Foundation for Leadership",
    "Summer": "Investing in Belonging: The Role of Social Infrastructure",
    "Fall": "Enabling Policies for Belonging",
    "Year-End": "Building on Our Momentum",
}


def make(
    id: int,
    number: int,
    season: str,
    starts_at: datetime,
    *,
    series_id: int = 1,
    title: str | None = None,
    status: str = "scheduled",
    status_note: str | None = None,
) -> SimpleNamespace:
    return SimpleNamespace(
        id=id,
        series_id=series_id,
        number=number,
        season=season,
        title=title or TITLES[season],
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        timezone="America/Toronto",
        status=status,
        status_note=status_note,
    )


def programme(year: int = 2025, *, series_id: int = 1, first_id: int = 1) -> list[SimpleNamespace]:
    starts = [
        datetime(year, 4, 29, 17, tzinfo=UTC),
        datetime(year, 6, 24, 17, tzinfo=UTC),
        datetime(year, 9, 23, 17, tzinfo=UTC),
        datetime(year, 11, 18, 18, tzinfo=UTC),
    ]
    return [
        make(first_id + i, i + 1, season, start, series_id=series_id)
        for i, (season, start) in enumerate(zip(TITLES, starts, strict=True))
    ]


SESSIONS = programme()
NOW = datetime(2025, 4, 1, tzinfo=UTC)


def season_of(ref: str, sessions=SESSIONS, now: datetime = NOW) -> str:
    return resolve(sessions, ref, now=now).season


@pytest.mark.parametrize(
    ("ref", "season"),
    [
        ("spring", "Spring"),
        ("SPRING", "Spring"),
        ("  Summer  ", "Summer"),
        ("fall", "Fall"),
        ("autumn", "Fall"),
        ("Autumn", "Fall"),
        ("year-end", "Year-End"),
        ("Year End", "Year-End"),
        ("yearend", "Year-End"),
        ("year-end session", "Year-End"),
        ("spring session", "Spring"),
    ],
)
def test_resolve_by_season(ref: str, season: str) -> None:
    assert season_of(ref) == season


@pytest.mark.parametrize(("ref", "season"), [("2", "Summer"), ("#2", "Summer"), ("4", "Year-End")])
def test_resolve_by_number(ref: str, season: str) -> None:
    assert season_of(ref) == season


@pytest.mark.parametrize(("ref", "season"), [("2025-06-24", "Summer"), ("2025-11-18", "Year-End")])
def test_resolve_by_date(ref: str, season: str) -> None:
    assert season_of(ref) == season


def test_resolve_by_date_uses_the_session_zone() -> None:
    # 01:00 UTC on June 25 is 21:00 EDT on June 24.
    late = make(9, 1, "Summer", datetime(2025, 6, 25, 1, tzinfo=UTC))
    assert resolve([late], "2025-06-24", now=NOW) is late
    with pytest.raises(NotFound):
        resolve([late], "2025-06-25", now=NOW)


@pytest.mark.parametrize(
    ("ref", "season"),
    [
        ("social infrastructure", "Summer"),
        ("Social   Infrastructure", "Summer"),
        ("momentum", "Year-End"),
        ("enabling policies", "Fall"),
    ],
)
def test_resolve_by_title_fragment(ref: str, season: str) -> None:
    assert season_of(ref) == season


def test_resolve_returns_the_object_itself() -> None:
    assert resolve(SESSIONS, "summer", now=NOW) is SESSIONS[1]


def test_resolve_ambiguous_fragment_lists_the_matches() -> None:
    with pytest.raises(UserError) as info:
        resolve(SESSIONS, "belonging", now=NOW)
    assert not isinstance(info.value, NotFound)
    message = str(info.value)
    assert "'belonging' matches 3 sessions" in message
    for season in ("spring", "summer", "fall"):
        assert f"• {season} ·" in message
    assert "Momentum" not in message
    assert "season and year, number or date" in message


@pytest.mark.parametrize("ref", ["winterfest", "9", "#0", "2025-06-25", "2024-04-29", "²"])
def test_resolve_unknown_lists_all_sessions(ref: str) -> None:
    with pytest.raises(NotFound) as info:
        resolve(SESSIONS, ref, now=NOW)
    message = str(info.value)
    assert f"No session matches {ref!r}" in message
    for session in SESSIONS:
        assert session.title in message


def test_resolve_long_reference_is_shortened() -> None:
    with pytest.raises(NotFound) as info:
        resolve(SESSIONS, "q" * 100, now=NOW)
    assert "q" * 60 + "…" in str(info.value)
    assert "q" * 61 not in str(info.value)


def test_resolve_without_sessions() -> None:
    with pytest.raises(NotFound, match="no sessions"):
        resolve([], "spring", now=NOW)


TWO_SERIES = programme(2025, series_id=1, first_id=1) + programme(2026, series_id=2, first_id=5)
for later in TWO_SERIES[4:]:
    later.number += 4  # numbers are unique across series


@pytest.mark.parametrize(
    ("now", "expected_id"),
    [
        (datetime(2025, 10, 1, tzinfo=UTC), 5),  # 2025's spring is over: 2026's is ahead
        (datetime(2026, 1, 15, tzinfo=UTC), 5),
    ],
)
def test_resolve_takes_the_one_session_still_ahead(now: datetime, expected_id: int) -> None:
    assert resolve(TWO_SERIES, "spring", now=now).id == expected_id


@pytest.mark.parametrize(
    "now",
    [
        datetime(2025, 3, 1, tzinfo=UTC),  # both springs are ahead
        datetime(2027, 1, 1, tzinfo=UTC),  # both are over
    ],
)
def test_a_reference_to_several_sessions_is_refused_with_their_own_references(
    now: datetime,
) -> None:
    with pytest.raises(UserError) as info:
        resolve(TWO_SERIES, "spring", now=now)
    assert not isinstance(info.value, NotFound)
    lines = str(info.value).splitlines()
    assert lines[0] == "'spring' matches 2 sessions:"
    assert lines[1].startswith("• spring-2025 · 2025-04-29 · ")
    assert lines[2].startswith("• spring-2026 · 2026-04-29 · ")
    for line in lines[1:3]:  # each listed reference names its session alone
        ref = line.removeprefix("• ").split(" · ")[0]
        assert resolve(TWO_SERIES, ref, now=now).starts_at.year == int(ref[-4:])


@pytest.mark.parametrize(
    ("ref", "expected_id"),
    [
        ("spring 2026", 5),
        ("Spring-2025", 1),
        ("2026 spring", 5),
        ("year-end 2025", 4),
        ("year end session 2026", 8),
        ("autumn 2026", 7),
        ("#6", 6),
    ],
)
def test_a_year_names_one_of_several_sessions_of_a_season(ref: str, expected_id: int) -> None:
    for now in (datetime(2025, 3, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)):
        assert resolve(TWO_SERIES, ref, now=now).id == expected_id


def test_a_season_of_another_year_is_not_found() -> None:
    with pytest.raises(NotFound, match="No session matches 'spring 2031'"):
        resolve(TWO_SERIES, "spring 2031", now=NOW)


def test_a_cancelled_session_ahead_does_not_take_its_season() -> None:
    cancelled = make(1, 1, "Spring", datetime(2026, 4, 7, 17, tzinfo=UTC), status="cancelled")
    replacement = make(2, 2, "Spring", datetime(2026, 4, 28, 17, tzinfo=UTC))
    assert resolve([cancelled, replacement], "spring", now=NOW) is replacement
    assert resolve([cancelled, replacement], "2026-04-07", now=NOW) is cancelled


def test_winter_is_the_winter_session_not_year_end() -> None:
    winter = make(5, 5, "Spring", datetime(2026, 1, 27, 18, tzinfo=UTC))
    winter.season = "Winter"
    sessions = [*SESSIONS, winter]
    assert resolve(sessions, "winter", now=NOW) is winter
    assert resolve(sessions, "year-end", now=NOW) is SESSIONS[3]
    assert reference(winter, sessions) == "winter"


def test_resolve_by_date_across_series() -> None:
    assert resolve(TWO_SERIES, "2026-06-24", now=NOW).id == 6
    assert resolve(TWO_SERIES, "2025-06-24", now=datetime(2026, 1, 1, tzinfo=UTC)).id == 2


def test_legacy_duplicate_numbers_take_the_session_ahead_or_are_refused() -> None:
    duplicated = programme(2025, series_id=1, first_id=1) + programme(2026, series_id=2, first_id=5)
    assert resolve(duplicated, "1", now=datetime(2025, 10, 1, tzinfo=UTC)).id == 5
    with pytest.raises(UserError, match="'1' matches 2 sessions"):
        resolve(duplicated, "1", now=NOW)


def _series(*starts: datetime, season: str = "Spring") -> list[SimpleNamespace]:
    return [make(i, i, season, start) for i, start in enumerate(starts, start=1)]


@pytest.mark.parametrize(
    ("sessions", "expected"),
    [
        (SESSIONS, ["spring", "summer", "fall", "year-end"]),
        (TWO_SERIES[:5], ["spring-2025", "summer", "fall", "year-end", "spring-2026"]),
        (  # two springs in one year: the number tells them apart
            _series(datetime(2026, 4, 7, 17, tzinfo=UTC), datetime(2026, 5, 5, 17, tzinfo=UTC)),
            ["1", "2"],
        ),
    ],
)
def test_every_reference_names_its_session_alone_whenever_it_is_typed(
    sessions: list[SimpleNamespace], expected: list[str]
) -> None:
    refs = [reference(s, sessions) for s in sessions]
    assert refs == expected
    for session, ref in zip(sessions, refs, strict=True):
        for year in (2024, 2025, 2026, 2027):
            assert resolve(sessions, ref, now=datetime(year, 6, 1, tzinfo=UTC)) is session


def test_a_reference_falls_back_to_the_date_when_numbers_collide() -> None:
    first, second = _series(
        datetime(2026, 4, 7, 17, tzinfo=UTC), datetime(2026, 5, 5, 17, tzinfo=UTC)
    )
    second.number = 1
    assert [reference(s, [first, second]) for s in (first, second)] == [
        "2026-04-07",
        "2026-05-05",
    ]
    assert overview([first], [first, second]) == f"• 2026-04-07 · {first.title}"


def test_current_series_skips_cancelled_sessions() -> None:
    sessions = [
        make(
            1, 1, "Spring", datetime(2025, 4, 29, 17, tzinfo=UTC), series_id=1, status="cancelled"
        ),
        make(2, 1, "Spring", datetime(2025, 5, 29, 17, tzinfo=UTC), series_id=2),
    ]
    assert current_series_id(sessions, NOW) == 2
    assert current_series_id([], NOW) is None


# is_over / is_open

START = datetime(2025, 4, 29, 17, tzinfo=UTC)


def test_is_over_and_is_open_over_time() -> None:
    session = make(1, 1, "Spring", START)
    before, during, end = (
        START - timedelta(minutes=1),
        START + timedelta(minutes=30),
        START + timedelta(hours=1),
    )
    assert (is_over(session, before), is_open(session, before)) == (False, True)
    assert (is_over(session, START), is_open(session, START)) == (False, False)
    assert (is_over(session, during), is_open(session, during)) == (False, False)
    assert (is_over(session, end), is_open(session, end)) == (True, False)


def test_held_session_is_over_even_before_its_end() -> None:
    assert is_over(make(1, 1, "Spring", START, status="held"), START - timedelta(days=1))


def test_cancelled_session_is_not_open() -> None:
    session = make(1, 1, "Spring", START, status="cancelled")
    assert not is_open(session, START - timedelta(days=1))
    assert not is_over(session, START - timedelta(days=1))


def test_rescheduled_session_is_open() -> None:
    assert is_open(make(1, 1, "Spring", START, status="rescheduled"), START - timedelta(days=1))


def test_closed_reasons() -> None:
    cancelled = make(1, 1, "Spring", START, status="cancelled", status_note="speaker ill")
    assert closed_reason(cancelled, NOW) == (
        "The Spring session was cancelled (speaker ill), so registration is closed."
    )
    held = make(2, 2, "Summer", datetime(2025, 6, 24, 17, tzinfo=UTC))
    assert "took place on Tuesday, June 24, 2025" in closed_reason(
        held, datetime(2025, 7, 1, tzinfo=UTC)
    )
    assert "has already started" in closed_reason(held, datetime(2025, 6, 24, 17, 30, tzinfo=UTC))


def test_overview_lines() -> None:
    assert overview(SESSIONS[:2], SESSIONS).splitlines() == [
        "• spring · 2025-04-29 · Cultivating Belonging: A Foundation for Leadership",
        "• summer · 2025-06-24 · Investing in Belonging: The Role of Social Infrastructure",
    ]


def test_overview_with_times_gives_the_zone_and_utc() -> None:
    assert overview(SESSIONS[:1], TWO_SERIES, times=True) == (
        "• spring-2025 · Tuesday, April 29, 2025, 1:00–2:00 p.m. EDT (2025-04-29 17:00 UTC) · "
        "Cultivating Belonging: A Foundation for Leadership"
    )
