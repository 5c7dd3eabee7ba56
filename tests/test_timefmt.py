"""timefmt: plain-text spans, moments with a viewer zone, dates and minute stamps."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from s4b_bot.output import Moment
from s4b_bot.timefmt import (
    format_date,
    format_moment,
    format_span,
    format_span_and_utc,
    format_stamp,
)

TORONTO = "America/Toronto"
SPRING_START = datetime(2025, 4, 29, 17, 0, tzinfo=UTC)
SPRING_END = datetime(2025, 4, 29, 18, 0, tzinfo=UTC)


def test_span_in_eastern_daylight_time() -> None:
    assert (
        format_span(SPRING_START, SPRING_END, TORONTO)
        == "Tuesday, April 29, 2025, 1:00–2:00 p.m. EDT"
    )


def test_span_in_eastern_standard_time() -> None:
    start = datetime(2025, 11, 18, 18, 0, tzinfo=UTC)
    assert (
        format_span(start, start + timedelta(hours=1), TORONTO)
        == "Tuesday, November 18, 2025, 1:00–2:00 p.m. EST"
    )


def test_span_accepts_other_offsets() -> None:
    eastern = timezone(timedelta(hours=-4))
    start = datetime(2025, 4, 29, 13, 0, tzinfo=eastern)
    assert format_span(start, start + timedelta(hours=1), TORONTO) == format_span(
        SPRING_START, SPRING_END, TORONTO
    )


def test_span_crossing_noon_shows_both_meridiems() -> None:
    start = datetime(2025, 4, 29, 15, 30, tzinfo=UTC)
    assert (
        format_span(start, start + timedelta(hours=1), TORONTO)
        == "Tuesday, April 29, 2025, 11:30 a.m.–12:30 p.m. EDT"
    )


def test_span_starting_at_noon() -> None:
    start = datetime(2025, 4, 29, 16, 0, tzinfo=UTC)
    assert (
        format_span(start, start + timedelta(hours=1), TORONTO)
        == "Tuesday, April 29, 2025, 12:00–1:00 p.m. EDT"
    )


def test_span_in_the_morning() -> None:
    start = datetime(2025, 4, 29, 4, 5, tzinfo=UTC)  # 00:05 EDT
    assert (
        format_span(start, start + timedelta(minutes=50), TORONTO)
        == "Tuesday, April 29, 2025, 12:05–12:55 a.m. EDT"
    )


def test_span_crossing_midnight_names_both_days() -> None:
    start = datetime(2025, 4, 29, 3, 30, tzinfo=UTC)  # 23:30 EDT on April 28
    assert (
        format_span(start, start + timedelta(hours=2), TORONTO)
        == "Monday, April 28, 2025, 11:30 p.m. – Tuesday, April 29, 2025, 1:30 a.m. EDT"
    )


def test_span_without_end() -> None:
    assert format_span(SPRING_START, None, TORONTO) == "Tuesday, April 29, 2025, 1:00 p.m. EDT"


def test_moment_adds_the_viewer_zone() -> None:
    moment = Moment(SPRING_START, SPRING_END, zone=TORONTO, viewer_zone="America/Vancouver")
    assert format_moment(moment) == (
        "Tuesday, April 29, 2025, 1:00–2:00 p.m. EDT "
        "(Tuesday, April 29, 2025, 10:00–11:00 a.m. PDT your time)"
    )


@pytest.mark.parametrize("viewer", [None, TORONTO])
def test_moment_without_a_different_viewer_zone(viewer: str | None) -> None:
    moment = Moment(SPRING_START, SPRING_END, zone=TORONTO, viewer_zone=viewer)
    assert format_moment(moment) == "Tuesday, April 29, 2025, 1:00–2:00 p.m. EDT"


def test_moment_viewer_on_another_day() -> None:
    moment = Moment(SPRING_START, SPRING_END, zone=TORONTO, viewer_zone="Asia/Tokyo")
    assert format_moment(moment).endswith(
        "(Wednesday, April 30, 2025, 2:00–3:00 a.m. JST your time)"
    )


def test_format_date_uses_the_zone() -> None:
    late = datetime(2025, 4, 30, 2, 0, tzinfo=UTC)  # 22:00 EDT on April 29
    assert format_date(late, TORONTO) == "2025-04-29"
    assert format_date(late, "UTC") == "2025-04-30"
    assert format_date(late, "Asia/Tokyo") == "2025-04-30"


def test_a_stamp_is_to_the_minute_in_the_zone_the_time_carries() -> None:
    assert format_stamp(SPRING_START) == "2025-04-29 17:00 UTC"
    toronto = SPRING_START.astimezone(ZoneInfo(TORONTO))
    assert format_stamp(toronto) == "2025-04-29 13:00 EDT"
    assert format_stamp(datetime(2025, 4, 29, 13, 0)) == "2025-04-29 13:00"


def test_span_and_utc_side_by_side() -> None:
    assert format_span_and_utc(SPRING_START, SPRING_END, TORONTO) == (
        "Tuesday, April 29, 2025, 1:00–2:00 p.m. EDT (2025-04-29 17:00 UTC)"
    )


def test_a_span_across_the_clocks_going_back_names_both_zones() -> None:
    start = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 1:30 a.m. EDT, then 1:30 a.m. EST
    assert format_span(start, start + timedelta(hours=1), "America/Toronto") == (
        "Sunday, November 1, 2026, 1:30 a.m. EDT – 1:30 a.m. EST"
    )
