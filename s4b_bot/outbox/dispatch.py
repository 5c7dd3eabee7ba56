"""The dispatcher: sends due outbox rows through the platforms, at most once each in the
ordinary run of things and never lost.

A round fans out due broadcasts, claims a batch with a lease, and sends it (a few at a
time, each platform paced by its token bucket). A paced platform can keep a batch waiting
longer than its lease, so the lease is renewed whenever less than half of it is left before
a send; a row another dispatcher took meanwhile is not sent. Sent rows are marked in small
groups, so a crash repeats at most the rows of the batch in flight, whose leases then run
out. Passing
failures come back later with exponential backoff that honours Retry-After; permanent
ones are recorded for organizers (`/s4b-admin deliveries`) and never retried; a DM its
member cannot get at all is kept for them to see in the bot (`unreachable.py`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot import metrics
from s4b_bot.conversation.message_actions import carry_out
from s4b_bot.errors import PermanentFailure, RetryLater
from s4b_bot.outbox import unreachable
from s4b_bot.outbox.batches import Skip, Work, supersede_older_edits
from s4b_bot.outbox.cache import prefetch
from s4b_bot.outbox.kinds import Withdraw
from s4b_bot.outbox.pacing import TokenBucket
from s4b_bot.outbox.rendering import Delivery, render
from s4b_bot.ports import Clock, Platform, PostLinks, SessionThreads
from s4b_bot.registration import offer_sweep
from s4b_bot.settings import Settings
from s4b_bot.words import plural
from storage import outbox
from storage.db import Database
from storage.models import OutboxMessage

_log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_BACKOFF = 5.0
MAX_BACKOFF = 15 * 60.0


def backoff(attempts: int, retry_after: float | None) -> float:
    """Seconds before the next try: doubling from 5 s up to 15 min, never under Retry-After."""
    delay: float = min(MAX_BACKOFF, BASE_BACKOFF * 2.0**attempts) * random.uniform(0.8, 1.2)
    return max(delay, retry_after or 0.0)


class Dispatcher:
    def __init__(
        self,
        db: Database,
        *,
        platforms: Mapping[str, Platform],
        clock: Clock,
        settings: Settings,
        batch: int = 100,
        lease: timedelta = outbox.LEASE,
        concurrency: int = 8,
        worker: str | None = None,
    ) -> None:
        self.db = db
        self.platforms = dict(platforms)
        self.clock = clock
        self.settings = settings
        self.batch = batch
        self.lease = lease
        self.concurrency = concurrency
        self.worker = (
            worker or f"{socket.gethostname()}:{os.getpid()}:{random.randrange(16**6):06x}"
        )
        self.buckets = {
            name: TokenBucket(settings.dispatch_rate.get(name, 10.0), burst=1)
            for name in self.platforms
        }
        self.last_round_at = clock.now()
        self._wake = asyncio.Event()
        self._held: dict[int, datetime] = {}
        """Rows claimed and not yet recorded (sent rows until marked), and their lease's end."""
        self._renewing = asyncio.Lock()
        self.thread_notes = unreachable.ThreadNotes(db, clock)

    def wake(self) -> None:
        """Something is due now (a command just planned it): do not wait for the next poll."""
        self._wake.set()

    async def _prepare(self) -> Work:
        """Fan out due broadcasts, claim a batch, and draw each message.

        The claim is its own short transaction; drawing reads in another that does not
        hold SQLite's write lock, so marking the previous batch sent need not wait.
        """
        now = self.clock.now()
        self.last_round_at = now
        async with self.db.transaction() as db:
            await outbox.fan_out_broadcasts(db, now=now)
        await offer_sweep.sweep_safely(self.db, now=now, settings=self.settings)
        async with self.db.transaction() as db:
            rows = await outbox.claim(
                db,
                platforms=self.platforms,
                now=now,
                lease_until=now + self.lease,
                worker=self.worker,
                limit=self.batch,
            )
        if not rows:
            return []
        self._held.update((row.id, now + self.lease) for row in rows)
        async with self.db.reading() as db:
            await prefetch(db, rows)
            work = [(row.id, row.attempts, await self._render(db, row)) for row in rows]
        return supersede_older_edits(work)

    async def _send_batch(self, work: Work) -> None:
        sent: list[int] = []
        gate = asyncio.Semaphore(self.concurrency)

        async def one(row_id: int, attempts: int, delivery: Delivery | Skip) -> None:
            async with gate:
                try:
                    if isinstance(delivery, Skip):
                        async with self.db.transaction() as db:
                            if delivery.failed:
                                await outbox.mark_failed(
                                    db,
                                    row_id,
                                    worker=self.worker,
                                    error=delivery.reason,
                                    now=self.clock.now(),
                                )
                            else:
                                await outbox.mark_withdrawn(db, row_id, reason=delivery.reason)
                        return
                    await self._send(row_id, attempts, delivery, sent)
                    if len(sent) >= 20:
                        await self._flush(sent)
                finally:
                    if row_id not in sent:  # recorded (or lost): no lease of ours to keep
                        self._held.pop(row_id, None)

        await asyncio.gather(*(one(*item) for item in work))
        await self._flush(sent)

    async def _pipeline(self, stop: asyncio.Event | None = None) -> int:
        """Send batch after batch while the next one is claimed and drawn, until none is due.

        Only drawing overlaps sending; batches are still sent one after another, and a
        post's ref is looked up again just before sending (see `_send`), so an edit drawn
        while its post was being created edits it instead of posting again.
        """
        total = 0
        try:
            work = await self._prepare()
            while work and not (stop and stop.is_set()):
                upcoming = asyncio.create_task(self._prepare())
                try:
                    await self._send_batch(work)
                except BaseException:
                    upcoming.cancel()
                    raise
                total += len(work)
                work = await upcoming
            if work:  # stopped with a batch claimed: its leases run out and it is sent later
                _log.info("stopping with %d claimed rows left to their leases", len(work))
        finally:
            self._held.clear()  # whatever is left is left to its lease, not renewed
        return total

    async def _render(self, db: AsyncSession, row: OutboxMessage) -> Delivery | Skip:
        try:
            return await render(db, row, settings=self.settings, now=self.clock.now())
        except Withdraw as reason:
            return Skip(str(reason))
        except Exception as exc:  # a bug in one message must not block the queue behind it
            _log.error("cannot render outbox row %s", row.id, exc_info=exc)
            return Skip(f"cannot render: {type(exc).__name__}", failed=True)

    async def _send(self, row_id: int, attempts: int, delivery: Delivery, sent: list[int]) -> None:
        platform = self.platforms.get(delivery.platform)
        if platform is None:  # a linked member chose a platform this process does not run
            await self._retry(row_id, attempts, f"{delivery.platform} is not running here", 60.0)
            return
        if delivery.draft.ref is None and delivery.draft.ref_key and delivery.community_id:
            # Drawn before an earlier batch created the post: edit it, do not post twice.
            async with self.db.reading() as db:
                ref = await outbox.get_ref(
                    db,
                    platform=delivery.platform,
                    community_id=delivery.community_id,
                    key=delivery.draft.ref_key,
                )
            if ref is not None:
                draft = replace(delivery.draft, ref=ref, thread_title=None)
                delivery = replace(delivery, draft=draft)
        await self.buckets[delivery.platform].take()
        if not await self._keep(row_id):
            return  # another dispatcher took it once its lease ran out: it sends it
        keyed = replace(delivery.draft.message, key=f"outbox:{row_id}")
        delivery = replace(delivery, draft=replace(delivery.draft, message=keyed))
        try:
            ref = await self._deliver(platform, delivery)
        except PermanentFailure as exc:
            if exc.unreachable and delivery.recipient is not None:
                metrics.SENT.labels(delivery.platform, "unreachable").inc()
                await self._unreachable(row_id, exc, platform)
                return
            metrics.SENT.labels(delivery.platform, "failed").inc()
            await self._fail(row_id, f"permanent: {exc}")
        except RetryLater as exc:
            metrics.SENT.labels(delivery.platform, "retry").inc()
            await self._retry(row_id, attempts, f"transient: {exc}", exc.delay)
        except Exception as exc:  # an adapter bug or an unclassified SDK error: retry a few times
            _log.warning("delivery %s failed: %s", row_id, type(exc).__name__, exc_info=exc)
            await self._retry(row_id, attempts, f"error: {type(exc).__name__}", None)
        else:
            for key in (delivery.draft.ref_key, delivery.draft.keep_ref_as):
                if ref is not None and key is not None and delivery.community_id:
                    await self._remember(delivery, key, ref)
            if ref is not None and delivery.draft.link_key is not None:
                await self._keep_link(platform, delivery, ref)
            metrics.SENT.labels(delivery.platform, "sent").inc()
            sent.append(row_id)

    async def _keep_link(self, platform: Platform, delivery: Delivery, ref: str) -> None:
        """Remember the link to a new post; the post is out, so a failure here only loses it."""
        if not isinstance(platform, PostLinks) or delivery.community is None:
            return
        assert delivery.draft.link_key is not None and delivery.community_id is not None
        try:
            link = await platform.permalink(delivery.community, ref)
        except Exception as exc:  # the post went out: never send it again for want of a link
            _log.warning("no link to post %s: %s", ref, type(exc).__name__)
            return
        if link:
            await self._remember(delivery, delivery.draft.link_key, link)

    async def _remember(self, delivery: Delivery, key: str, ref: str) -> None:
        """Keep what the platform called a post (or its link) under `key`, per community."""
        assert delivery.community_id is not None
        async with self.db.transaction() as db:
            await outbox.save_ref(
                db,
                platform=delivery.platform,
                community_id=delivery.community_id,
                key=key,
                ref=ref,
                now=self.clock.now(),
            )

    async def _keep(self, row_id: int) -> bool:
        """Whether the row is still ours, with at least half a lease left to send it in.
        With less left, the lease of every held row is renewed at once."""
        async with self._renewing:
            until = self._held.get(row_id)
            if until is not None and until - self.clock.now() < self.lease / 2:
                await self._renew()
        return row_id in self._held

    async def _renew(self) -> None:
        ids = list(self._held)
        until = self.clock.now() + self.lease
        async with self.db.transaction() as db:
            kept = await outbox.renew(db, ids, worker=self.worker, lease_until=until)
        lost = 0
        for row_id in ids:
            if row_id not in kept:
                lost += self._held.pop(row_id, None) is not None
            elif row_id in self._held:  # not recorded while the renewal ran
                self._held[row_id] = until
        if lost:
            metrics.LEASES_LOST.labels("before_send").inc(lost)
            _log.warning(
                "leases lost before sending: %s left to the dispatcher that took them over",
                plural(lost, "row"),
            )

    async def _deliver(self, platform: Platform, delivery: Delivery) -> str | None:
        draft = delivery.draft
        if draft.in_thread is not None and delivery.recipient is None:  # forgotten: out
            await self.thread_notes.leave(platform, delivery.community, draft.in_thread)
            return None
        if delivery.recipient is not None and draft.in_thread is not None:
            assert delivery.community_id is not None
            return await self.thread_notes.post(
                platform,
                delivery.recipient,
                draft.in_thread,
                draft.message,
                community_id=delivery.community_id,
            )
        if draft.act is not None and delivery.community is not None:
            await carry_out(platform, delivery.community, draft.act, self.db, self.clock.now())
            return None
        if delivery.recipient is not None:
            await platform.send_dm(delivery.recipient, draft.message)
            return None
        assert delivery.community is not None
        if draft.sync is not None:
            return await platform.sync_session(delivery.community, draft.sync, ref=draft.ref)
        assert draft.channel is not None
        if draft.moderate is not None:
            assert draft.ref is not None
            await platform.moderate(delivery.community, draft.channel, draft.ref, draft.moderate)
            return None
        return await platform.post(
            delivery.community,
            draft.channel,
            draft.message,
            ref=draft.ref,
            thread_title=draft.thread_title,
        )

    async def _retry(
        self, row_id: int, attempts: int, error: str, retry_after: float | None
    ) -> None:
        if attempts + 1 >= MAX_ATTEMPTS:
            await self._fail(row_id, f"gave up after {MAX_ATTEMPTS} tries; last {error}")
            return
        due = self.clock.now() + timedelta(seconds=backoff(attempts, retry_after))
        async with self.db.transaction() as db:
            await outbox.retry_later(db, row_id, worker=self.worker, due_at=due, error=error)

    async def _unreachable(
        self, row_id: int, failure: PermanentFailure, platform: Platform
    ) -> None:
        """The member cannot get DMs: what was waiting is kept for them (and goes to their
        session's private thread where the platform has them), never retried."""
        threads = isinstance(platform, SessionThreads) and platform.private_threads
        async with self.db.transaction() as db:
            await unreachable.record(
                db, row_id, failure, worker=self.worker, now=self.clock.now(), threads=threads
            )
        if threads:
            self.wake()  # its thread note is due now

    async def _fail(self, row_id: int, error: str) -> None:
        async with self.db.transaction() as db:
            await outbox.mark_failed(
                db, row_id, worker=self.worker, error=error, now=self.clock.now()
            )

    async def _flush(self, sent: list[int]) -> None:
        if not sent:
            return
        ids = list(sent)
        sent.clear()
        try:
            async with self.db.transaction() as db:
                marked = await outbox.mark_sent(db, ids, worker=self.worker, now=self.clock.now())
        finally:
            for row_id in ids:
                self._held.pop(row_id, None)
        if marked < len(ids):
            metrics.LEASES_LOST.labels("at_mark").inc(len(ids) - marked)
            _log.warning(
                "%s sent could not be marked: another dispatcher had taken them over once "
                "their lease ran out, so they may have gone out twice",
                plural(len(ids) - marked, "row"),
            )

    async def drain(self) -> int:
        """Send everything due now (the console and tests use it); how many rows it handled."""
        return await self._pipeline()

    async def run_forever(self, stop: asyncio.Event, *, idle: float = 1.0) -> None:
        """Poll until `stop` is set; a failing round (database down) is logged and retried."""
        while not stop.is_set():
            try:
                handled = await self._pipeline(stop)
            except Exception as exc:  # keep the loop alive through database outages
                _log.warning("dispatcher round failed: %s", type(exc).__name__, exc_info=exc)
                handled = 0
            if handled == 0:
                waits = [
                    asyncio.ensure_future(stop.wait()),
                    asyncio.ensure_future(self._wake.wait()),
                ]
                await asyncio.wait(waits, timeout=idle, return_when=asyncio.FIRST_COMPLETED)
                for waiting in waits:
                    waiting.cancel()
                self._wake.clear()
