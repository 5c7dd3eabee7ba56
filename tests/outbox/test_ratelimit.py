"""The token bucket that paces the dispatcher, on a fake clock: no wall-clock timing.

The fake clock moves by exactly what the bucket asks to sleep. With rates that are powers of
two the bucket's float arithmetic is exact and the schedule can be checked to the last bit;
with other rates a rounding error makes `take` spin forever (see BUG_SPIN: the xfail tests).
"""

from __future__ import annotations

import asyncio
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from s4b_bot.outbox.pacing import TokenBucket

BUG_SPIN = (
    "s4b_bot/outbox/pacing.py TokenBucket.take: after sleeping (1 - tokens) / rate, rounding can "
    "leave tokens at 1 - 1e-12 (rate 40, clock at 1000.0: 0.99999999999909), so it sleeps "
    "~2e-14 s, less than the clock can show (an ulp of 1000.0 is 1.1e-13): the clock never "
    "moves and take() loops forever instead of returning after 1/rate"
)


class Stalled(AssertionError):
    """The bucket asked for a sleep too short to move the clock: it would spin forever."""


class FakeTime:
    """A monotonic clock that only moves when the bucket sleeps (by exactly that much)."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0 or self.now + seconds == self.now:
            raise Stalled(f"sleep({seconds!r}) at {self.now!r} would not move the clock")
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)  # let other takers run, as a real sleep would

    def bucket(self, rate: float, burst: float = 1.0) -> TokenBucket:
        return TokenBucket(rate, burst=burst, monotonic=self.monotonic, sleep=self.sleep)


async def take_times(time: FakeTime, bucket: TokenBucket, n: int) -> list[float]:
    """When each of `n` takes in a row was allowed, in fake seconds from the start."""
    start = time.now
    times = []
    for _ in range(n):
        await bucket.take()
        times.append(time.now - start)
    return times


@pytest.mark.parametrize(("rate", "n"), [(1.0, 5), (8.0, 9), (64.0, 100), (0.5, 3), (1024.0, 500)])
async def test_n_takes_at_rate_r_take_n_minus_one_over_r_seconds(rate: float, n: int) -> None:
    time = FakeTime()
    times = await take_times(time, time.bucket(rate), n)
    assert times[0] == 0  # the first send goes at once
    assert times[-1] == (n - 1) / rate
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps == [1 / rate] * (n - 1)  # evenly spaced, never bunched
    assert len(time.sleeps) == n - 1  # one sleep a take: no busy waiting


@pytest.mark.parametrize(("rate", "n"), [(3.0, 200), (40.0, 100), (1000.0, 200)])
async def test_n_takes_at_any_rate_take_n_minus_one_over_r_seconds(rate: float, n: int) -> None:
    time = FakeTime()
    times = await take_times(time, time.bucket(rate), n)
    assert times[-1] == pytest.approx((n - 1) / rate)


async def test_a_take_after_a_short_wait_returns() -> None:
    """The smallest case: the second take at 40/s, on a clock reading 1000.0."""
    time = FakeTime(1_000.0)
    bucket = time.bucket(40.0)
    await bucket.take()
    await bucket.take()
    assert time.now == pytest.approx(1_000.025)


@given(
    exponent=st.integers(min_value=-4, max_value=12),
    n=st.integers(min_value=1, max_value=60),
    burst=st.integers(min_value=1, max_value=20),
    start=st.integers(min_value=0, max_value=10**6),
)
def test_takes_never_beat_the_rate(exponent: int, n: int, burst: int, start: int) -> None:
    rate = 2.0**exponent
    time = FakeTime(float(start))
    times = asyncio.run(take_times(time, time.bucket(rate, burst), n))
    # The first `burst` go at once; each later one waits 1/rate more.
    assert times[-1] == max(0, n - burst) / rate
    for i, at in enumerate(times):  # by any moment t, at most burst + rate * t sends
        assert i + 1 <= burst + rate * at


async def test_burst_allows_an_initial_burst_then_the_rate() -> None:
    time = FakeTime()
    times = await take_times(time, time.bucket(8.0, burst=5), 8)
    assert times == [0, 0, 0, 0, 0, 0.125, 0.25, 0.375]


async def test_an_idle_bucket_refills_up_to_its_burst_only() -> None:
    time = FakeTime()
    bucket = time.bucket(8.0, burst=3)
    await take_times(time, bucket, 3)
    time.now += 3_600  # an hour idle earns 28,800 tokens, but the bucket holds 3
    times = await take_times(time, bucket, 5)
    assert times == [0, 0, 0, 0.125, 0.25]


async def test_concurrent_takers_share_the_rate() -> None:
    time = FakeTime()
    bucket = time.bucket(16.0)
    start = time.now
    allowed: list[float] = []

    async def taker() -> None:
        for _ in range(5):
            await bucket.take()
            allowed.append(time.now - start)

    await asyncio.gather(*(taker() for _ in range(8)))
    assert len(allowed) == 40
    assert sorted(allowed) == [i / 16.0 for i in range(40)]


@pytest.mark.parametrize(
    ("rate", "burst"), [(0.0, 1.0), (-1.0, 1.0), (10.0, 0.5), (10.0, 0.0), (-5.0, 0.0)]
)
def test_invalid_rate_or_burst_is_refused(rate: float, burst: float) -> None:
    with pytest.raises(ValueError, match="rate must be positive"):
        TokenBucket(rate, burst=burst)
