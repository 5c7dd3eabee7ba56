"""sessions: resolving what a member typed to one session, and open/over states."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from s4b_bot.errors import NotFound, UserError
from s4b_bot.sessions import (
    closed_reason,
    current_series_id,
    is_open,
    is_over,
    overview,
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
    for season in ("Spring", "Summer", "Fall"):
        assert f"· {season} ·" in message
    assert "Momentum" not in message
    assert "season, number or date" in message


@pytest.mark.parametrize("ref", ["winterfest", "9", "#0", "2025-06-25", "2024-04-29"])
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


@pytest.mark.parametrize(
    ("now", "expected_id"),
    [
        (datetime(2025, 3, 1, tzinfo=UTC), 1),  # the 2025 spring session is next
        (datetime(2025, 10, 1, tzinfo=UTC), 1),  # 2025 year-end is still to come
        (datetime(2026, 1, 15, tzinfo=UTC), 5),  # 2025 is over; 2026 comes next
        (datetime(2027, 1, 1, tzinfo=UTC), 5),  # all over: the most recent series
    ],
)
def test_resolve_prefers_the_series_of_the_next_session(now: datetime, expected_id: int) -> None:
    assert resolve(TWO_SERIES, "spring", now=now).id == expected_id
    assert resolve(TWO_SERIES, "#1", now=now).id == expected_id


def test_resolve_by_date_across_series() -> None:
    assert resolve(TWO_SERIES, "2026-06-24", now=NOW).id == 6
    assert resolve(TWO_SERIES, "2025-06-24", now=datetime(2026, 1, 1, tzinfo=UTC)).id == 2


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
    assert "took place on 2025-06-24" in closed_reason(held, datetime(2025, 7, 1, tzinfo=UTC))
    assert "has already started" in closed_reason(held, datetime(2025, 6, 24, 17, 30, tzinfo=UTC))


def test_overview_lines() -> None:
    assert overview(SESSIONS[:2]).splitlines() == [
        "• 1 · Spring · 2025-04-29 · Cultivating Belonging: A Foundation for Leadership",
        "• 2 · Summer · 2025-06-24 · Investing in Belonging: The Role of Social Infrastructure",
    ]
