"""recurrence: repeat rules expanded in local wall time, so 13:00 stays 13:00 across DST."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from s4b_bot.errors import UserError
from s4b_bot.programme.recurrence import expand

TORONTO = ZoneInfo("America/Toronto")
FIRST = datetime(2026, 1, 27, 13, 0, tzinfo=TORONTO)
QUARTERS = [(2026, 1, 27), (2026, 4, 28), (2026, 7, 28), (2026, 10, 27)]
"""The fourth Tuesday of every third month, as FIRST is the fourth Tuesday of January."""


def days(starts: list[datetime]) -> list[tuple[int, int, int]]:
    return [(s.year, s.month, s.day) for s in starts]


@pytest.mark.parametrize(
    "rule",
    [
        "quarterly",
        "Quarterly x4",
        "FREQ=MONTHLY;INTERVAL=3;BYDAY=4TU;COUNT=4",
        "rrule:freq=monthly;interval=3;byday=4tu",
    ],
)
def test_quarterly_keeps_13_00_local_through_dst(rule: str) -> None:
    starts = expand(FIRST, rule)
    assert days(starts) == QUARTERS
    assert [(s.hour, s.minute) for s in starts] == [(13, 0)] * 4
    assert [s.tzinfo for s in starts] == [TORONTO] * 4
    assert [s.tzname() for s in starts] == ["EST", "EDT", "EDT", "EDT"]
    assert [s.astimezone(UTC).hour for s in starts] == [18, 17, 17, 17]


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        # The 2025 programme's first session, a fifth (last) Tuesday: the last Tuesday.
        (datetime(2025, 4, 29, 13, tzinfo=TORONTO), ["2025-04-29", "2025-07-29", "2025-10-28"]),
        # The series from the fourth Tuesday of April 2026.
        (datetime(2026, 4, 28, 13, tzinfo=TORONTO), ["2026-04-28", "2026-07-28", "2026-10-27"]),
        (datetime(2026, 5, 7, 13, tzinfo=TORONTO), ["2026-05-07", "2026-08-06", "2026-11-05"]),
    ],
)
def test_quarterly_stays_on_the_first_sessions_weekday(
    first: datetime, expected: list[str]
) -> None:
    starts = expand(first, "quarterly x3")
    assert [s.date().isoformat() for s in starts] == expected
    assert {s.weekday() for s in starts} == {first.weekday()}


def test_quarterly_x2_gives_two() -> None:
    assert days(expand(FIRST, "quarterly x2")) == QUARTERS[:2]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("monthly", [(2026, 1, 27), (2026, 2, 24), (2026, 3, 24), (2026, 4, 28)]),
        ("weekly x3", [(2026, 1, 27), (2026, 2, 3), (2026, 2, 10)]),
        ("yearly ×2", [(2026, 1, 27), (2027, 1, 26)]),
        ("FREQ=MONTHLY;INTERVAL=3;COUNT=2", [(2026, 1, 27), (2026, 4, 27)]),  # as written
        ("FREQ=WEEKLY", [(2026, 1, 27), (2026, 2, 3), (2026, 2, 10), (2026, 2, 17)]),
        ("FREQ=MONTHLY;BYDAY=-1TU;COUNT=3", [(2026, 1, 27), (2026, 2, 24), (2026, 3, 31)]),
    ],
)
def test_words_and_rules(rule: str, expected: list[tuple[int, int, int]]) -> None:
    assert days(expand(FIRST, rule)) == expected


def test_weekly_across_the_spring_change_stays_at_13_00() -> None:
    starts = expand(datetime(2026, 3, 1, 13, 0, tzinfo=TORONTO), "weekly x3")
    assert [s.isoformat() for s in starts] == [
        "2026-03-01T13:00:00-05:00",
        "2026-03-08T13:00:00-04:00",
        "2026-03-15T13:00:00-04:00",
    ]


def test_until_in_utc_is_converted_to_local_time_and_is_inclusive() -> None:
    # 2026-02-17 13:00 EST is 18:00 UTC: the fourth Tuesday is the last.
    starts = expand(FIRST, "FREQ=WEEKLY;UNTIL=20260217T180000Z")
    assert days(starts)[-1] == (2026, 2, 17)
    assert len(starts) == 4
    assert len(expand(FIRST, "FREQ=WEEKLY;UNTIL=20260217T175959Z")) == 3


def test_until_as_a_date_covers_that_whole_day() -> None:
    assert days(expand(FIRST, "FREQ=YEARLY;UNTIL=20280127")) == [
        (2026, 1, 27),
        (2027, 1, 27),
        (2028, 1, 27),
    ]


def test_a_time_skipped_by_dst_moves_to_a_real_time() -> None:
    starts = expand(datetime(2026, 3, 1, 2, 30, tzinfo=TORONTO), "weekly x2")
    assert starts[1].isoformat() == "2026-03-08T03:30:00-04:00"
    assert starts[1] == starts[1].astimezone(UTC).astimezone(TORONTO)


def test_the_count_limit_caps_the_default_and_the_series() -> None:
    assert len(expand(FIRST, "monthly", count_limit=2)) == 2
    assert len(expand(FIRST, "weekly x12")) == 12
    with pytest.raises(UserError, match="at most 4"):
        expand(FIRST, "quarterly x5", count_limit=4)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("garbage", "is not a repeat rule I know"),
        ("biweekly", "is not a repeat rule I know"),
        ("", "A repeat rule is needed"),
        ("   ", "A repeat rule is needed"),
        ("weekly x13", "13 sessions is too many; a series has at most 12"),
        ("FREQ=WEEKLY;UNTIL=20270101", "gives more than 12 sessions"),
        ("quarterly x0", "at least one session"),
        ("FREQ=MONTHLY;COUNT=two", "COUNT=TWO is not a whole number"),
        ("FREQ=HOURLY;COUNT=2", "FREQ=HOURLY is not allowed"),
        ("FREQ=FORTNIGHTLY", "FREQ=FORTNIGHTLY is not allowed"),
        ("INTERVAL=3;COUNT=4", "needs FREQ"),
        ("FREQ=MONTHLY;COUNT=2;UNTIL=20270101", "COUNT or UNTIL, not both"),
        ("FREQ=MONTHLY;INTERVAL=abc", "INTERVAL=ABC is not allowed"),
        ("FREQ=WEEKLY;BYDAY=XX", "is not a repeat rule I can use"),
        ("FREQ=MONTHLY;COLOUR=blue", "COLOUR is not a repeat rule part I know"),
        ("FREQ=MONTHLY;INTERVAL", "'INTERVAL' in the repeat rule is not NAME=VALUE"),
        ("FREQ=MONTHLY;FREQ=WEEKLY", "FREQ appears twice"),
        ("FREQ=MONTHLY;UNTIL=2026-12-31", "is not a date"),
        ("FREQ=MONTHLY;UNTIL=20261399", "is not a real date"),
        ("FREQ=DAILY;UNTIL=20250101", "gives no sessions within 5 years"),
        ("FREQ=MONTHLY;BYDAY=MO", "does not include the first session"),
        ("quarterly\x00", "control character (U+0000)"),
        ("FREQ=MONTHLY;" + "BYMONTHDAY=1;" * 30, "at most 300 characters"),
    ],
)
def test_bad_rules_say_what_is_wrong(rule: str, message: str) -> None:
    with pytest.raises(UserError) as caught:
        expand(FIRST, rule)
    assert message in str(caught.value)


def test_a_naive_first_start_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        expand(datetime(2026, 1, 27, 13, 0), "quarterly")


def test_seconds_are_kept_and_microseconds_dropped() -> None:
    starts = expand(FIRST + timedelta(seconds=30, microseconds=5), "quarterly x2")
    assert [(s.second, s.microsecond) for s in starts] == [(30, 0), (30, 0)]


# Each of these cost seconds of CPU when dateutil searched up to the year 9999 for a match.
CPU_BOUND = 1.0
"""Seconds of CPU a hostile rule may cost: generous, yet well under the 4-14 s they took."""
EVERY_HOUR = ",".join(str(hour) for hour in range(24))
EVERY_MINUTE = ",".join(str(minute) for minute in range(60))


@pytest.mark.parametrize(
    "first_year",
    [2026, 2394],  # 2394 is the worst case: a whole 400-year cycle left to search
)
@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "gives no sessions within 5 years"),
        ("FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31;BYDAY=MO,TU", "gives no sessions within 5 years"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=-30", "gives no sessions within 5 years"),
        ("FREQ=WEEKLY;BYMONTH=2;BYMONTHDAY=30,31;BYSETPOS=1,-1", "no sessions within 5 years"),
        ("FREQ=MONTHLY;BYMONTH=6;BYMONTHDAY=31;BYSETPOS=-1", "gives no sessions within 5 years"),
        ("FREQ=YEARLY;BYYEARDAY=366;BYMONTH=1", "gives no sessions within 5 years"),
        (
            f"FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;BYSETPOS=-1;BYHOUR={EVERY_HOUR};BYMINUTE=0,30",
            "BYHOUR is not allowed",
        ),
        (f"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;BYMINUTE={EVERY_MINUTE}", "BYMINUTE is not"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;BYSETPOS=1", "with FREQ=DAILY there is one"),
    ],
)
def test_hostile_rules_are_refused_within_a_bounded_cpu_time(
    first_year: int, rule: str, message: str
) -> None:
    first = FIRST.replace(year=first_year)
    started = time.process_time()
    with pytest.raises(UserError) as caught:
        expand(first, rule)
    spent = time.process_time() - started
    assert spent < CPU_BOUND, f"{rule} took {spent:.2f} s of CPU"
    assert message in str(caught.value)


@pytest.mark.parametrize("interval", ["0", "-1", "abc", "1.5", "+2", "0x3"])
def test_interval_is_a_whole_number_of_one_or_more(interval: str) -> None:
    with pytest.raises(UserError, match=f"INTERVAL={re.escape(interval.upper())} is not allowed"):
        expand(FIRST, f"FREQ=DAILY;INTERVAL={interval}")


@pytest.mark.parametrize("rule", ["", " ", ";", ";;", "FREQ=", "RRULE:", "FREQ=;COUNT=2"])
def test_an_empty_rule_is_refused(rule: str) -> None:
    with pytest.raises(UserError, match="repeat rule"):
        expand(FIRST, rule)


def test_hours_minutes_and_seconds_are_the_first_sessions() -> None:
    # It gave 13:00 and 13:30 sessions on each day: overlapping one-hour sessions.
    for part in ("BYHOUR=13", "BYMINUTE=0,30", "BYSECOND=0"):
        with pytest.raises(UserError, match="at most one session a day"):
            expand(FIRST, f"FREQ=DAILY;{part}")


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=YEARLY;COUNT=8", "goes on more than 5 years after the first session"),
        ("yearly x6", "goes on more than 5 years after the first session"),
        ("FREQ=YEARLY;INTERVAL=400;COUNT=2", "goes on more than 5 years"),
        ("FREQ=DAILY;INTERVAL=99999999999999999999;COUNT=2", "goes on more than 5 years"),
        ("FREQ=DAILY;UNTIL=99991231", "UNTIL=99991231 is more than 5 years after"),
        ("FREQ=MONTHLY;INTERVAL=12;UNTIL=20310128", "UNTIL=20310128 is more than 5 years"),
    ],
)
def test_a_series_ends_within_five_years_of_its_first_session(rule: str, message: str) -> None:
    with pytest.raises(UserError) as caught:
        expand(FIRST, rule)
    assert message in str(caught.value)


def test_a_series_may_run_up_to_five_years() -> None:
    assert days(expand(FIRST, "FREQ=MONTHLY;INTERVAL=12;UNTIL=20310127")) == [
        (year, 1, 27) for year in range(2026, 2032)
    ]
    assert days(expand(FIRST, "yearly x5"))[-1] == (2030, 1, 22)


def test_the_last_years_a_datetime_holds_are_refused_not_an_overflow() -> None:
    with pytest.raises(UserError, match="starts by the year 9993"):
        expand(FIRST.replace(year=9998), "weekly")
    assert len(expand(FIRST.replace(year=9993), "weekly")) == 4


def test_the_first_session_is_named_with_its_zone_when_a_rule_misses_it() -> None:
    with pytest.raises(UserError) as caught:
        expand(FIRST, "FREQ=MONTHLY;BYDAY=MO")
    assert "does not include the first session (2026-01-27 13:00 EST)" in str(caught.value)
