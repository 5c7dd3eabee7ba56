"""Fault injection for the platform-fault suite: the local mock Slack and Discord, answering
a seeded share of calls with 429, 5xx or a dropped connection; the fan-out they deliver;
and the loop that runs the dispatcher, moving the injected clock past each retry.

Faults are decided per call from (seed, call key, how many times that key was called
before), so the same calls meet the same faults on every run whatever order concurrent
sends take. A call key names one delivery's call (the member's DM channel, one file), so
it is never called by two sends at once.

A "lost" fault is the only one where the platform did the work: the mock processes the
call, then drops the connection instead of answering. Only those may show up twice.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import socket
import struct
import types
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.clock import SettableClock, as_utc
from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission, FormValue
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.reminders.kind import plan_reminders
from storage import queries
from storage.models import Account, OutboxMessage, ProgrammeSession, Registration
from tests.adapters.discord.mock_discord import MockDiscord, Request
from tests.adapters.slack.mock_slack import MockSlack

RATE = 0.3
LOST = "lost"
"""Processed, then the connection dropped: the platform did it, the caller never heard."""
CLOSE = "close"
"""The connection closed (FIN) before the call was processed."""
RESET = "reset"
"""The connection reset (RST) before the call was processed."""
SLACK_KINDS: dict[str, int] = {
    "429": 3,
    "500": 2,
    "502": 2,
    "503": 2,
    CLOSE: 1,
    RESET: 1,
    LOST: 2,
}
DISCORD_KINDS: dict[str, int] = {
    "429": 3,
    "429-long": 1,
    "500": 1,
    "502": 1,
    "503": 2,
    CLOSE: 1,
    RESET: 1,
    LOST: 2,
}


@dataclass(frozen=True)
class Injected:
    key: str
    nth: int
    kind: str


@dataclass
class FaultPlan:
    """Which calls fail and how: a seeded `rate` of them, kinds drawn by weight."""

    seed: int
    kinds: dict[str, int]
    rate: float = RATE
    enabled: bool = False
    script: Callable[[str, int], str | None] | None = None
    """Instead of drawing: the fault for a key's nth call (None: none)."""
    calls: Counter[str] = field(default_factory=Counter)
    """Every call so far, by key."""
    decided: int = 0
    """Calls that arrived while enabled."""
    injected: list[Injected] = field(default_factory=list)

    def decide(self, key: str) -> tuple[str | None, random.Random]:
        nth = self.calls[key]
        self.calls[key] += 1
        rng = random.Random(f"{self.seed}|{key}|{nth}")
        if not self.enabled:
            return None, rng
        self.decided += 1
        if self.script is not None:
            kind = self.script(key, nth)
        elif rng.random() < self.rate:
            kind = rng.choices(list(self.kinds), weights=list(self.kinds.values()))[0]
        else:
            kind = None
        if kind is not None:
            self.injected.append(Injected(key, nth, kind))
        return kind, rng

    def of(self, key: str, *kinds: str) -> list[Injected]:
        return [f for f in self.injected if f.key == key and (not kinds or f.kind in kinds)]


def drop(request: web.Request, *, reset: bool) -> web.Response:
    """Drop the connection without answering (FIN, or RST with reset=True)."""
    transport = request.transport
    assert transport is not None
    if reset:
        sock = transport.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    else:
        transport.close()
    return web.Response(status=204)  # never written: the transport is gone


# --- Slack -------------------------------------------------------------------------------


class FaultySlack(MockSlack):
    """The mock Slack, failing calls as its `plan` says.

    Keys: conversations.open by user, chat.postMessage and files.completeUploadExternal
    by channel, files.getUploadURLExternal by file name and length, the upload by the file
    it was issued for."""

    def __init__(self, plan: FaultPlan) -> None:
        super().__init__()
        self.plan = plan
        self.file_keys: dict[str, str] = {}

    def key(self, method: str, args: dict[str, Any]) -> str:
        if method == "conversations.open":
            return f"{method}:{args.get('users')}"
        if method == "files.getUploadURLExternal":
            return f"{method}:{args.get('filename')}:{args.get('length')}"
        if method == "files.completeUploadExternal":
            return f"{method}:{args.get('channel_id')}"
        return f"{method}:{args.get('channel', '')}"

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)  # the body is cached: MockSlack reads it again
        key = self.key(method, args)
        kind, rng = self.plan.decide(key)
        if kind is None or kind == LOST:
            response = await super()._api(request)
            if method == "files.getUploadURLExternal":
                assert isinstance(response, web.Response) and response.body is not None
                result = json.loads(bytes(response.body))  # type: ignore[arg-type]
                self.file_keys[result["file_id"]] = f"upload:{key.split(':', 1)[1]}"
            return drop(request, reset=rng.random() < 0.5) if kind == LOST else response
        return self._fault(request, kind, rng)

    async def _upload(self, request: web.Request) -> web.Response:
        await request.read()
        key = self.file_keys.get(request.match_info["file_id"], "upload:?")
        kind, rng = self.plan.decide(key)
        if kind is None or kind == LOST:
            response = await super()._upload(request)
            return drop(request, reset=rng.random() < 0.5) if kind == LOST else response
        return self._fault(request, kind, rng)

    def _fault(self, request: web.Request, kind: str, rng: random.Random) -> web.Response:
        if kind in (CLOSE, RESET):
            return drop(request, reset=kind == RESET)
        if kind == "429":
            headers = {"Retry-After": str(rng.choice([0, 1, 1, 2, 5, 30]))}
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers=headers
            )
        if kind == "502":  # a gateway in front of Slack: HTML, not the Web API's JSON
            return web.Response(
                status=502, text="<html><h1>502 Bad Gateway</h1></html>", content_type="text/html"
            )
        error = {"500": "internal_error", "503": "service_unavailable"}[kind]
        return web.json_response({"ok": False, "error": error}, status=int(kind))

    def processed(self, method: str, channel: str) -> list[dict[str, Any]]:
        """The arguments of every call to `method` for `channel` that Slack carried out."""
        field_name = "channel_id" if method == "files.completeUploadExternal" else "channel"
        return [
            c.args
            for c in self.calls
            if c.method == method and c.result and c.args.get(field_name) == channel
        ]


# --- Discord -----------------------------------------------------------------------------


def discord_json(body: Any, status: int, headers: dict[str, str] | None = None) -> web.Response:
    """JSON as Discord sends it: discord.py parses a body only if its content type is
    exactly `application/json` (no charset), else it takes the error for Cloudflare's."""
    return web.Response(
        body=json.dumps(body).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


class FaultyDiscord(MockDiscord):
    """The mock Discord, failing calls as its `plan` says: DM channel creation and sends
    into a DM channel keyed by the member (channel ids are handed out in arrival order, so
    they differ from run to run), anything else by method and path."""

    def __init__(self, plan: FaultPlan) -> None:
        super().__init__()
        self.plan = plan
        self.retry_after: list[float] = []
        """The retry_after of every 429 answered, in order."""

    def key(self, method: str, path: str, body: Any) -> str:
        if method == "POST" and path == "/users/@me/channels":
            return f"create_dm:{body['recipient_id']}"
        match = re.fullmatch(r"/channels/(\d+)/messages", path)
        members = {channel: user for user, channel in self.dm_channels.items()}
        if method == "POST" and match and match[1] in members:
            return f"dm_send:{members[match[1]]}"
        return f"{method} {path}"

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path.removeprefix("/api/v10")
        body = await request.json() if request.content_type == "application/json" else None
        key = self.key(request.method, path, body)  # the JSON body is cached for MockDiscord
        kind, rng = self.plan.decide(key)
        if kind is None or kind == LOST:
            response = await super()._handle(request)
            return drop(request, reset=rng.random() < 0.5) if kind == LOST else response
        await request.read()
        if kind in (CLOSE, RESET):
            return drop(request, reset=kind == RESET)
        if kind.startswith("429"):
            # Discord's own 429: JSON retry_after, the Via header (without it discord.py
            # takes a 429 for a Cloudflare ban) and Retry-After, as Discord sends them.
            wait = 45.0 if kind == "429-long" else rng.choice([0.2, 0.5, 2.5, 7.5])
            self.retry_after.append(wait)
            body = {"message": "You are being rate limited.", "retry_after": wait, "global": False}
            headers = {"Via": "1.1 google", "Retry-After": str(round(wait + 0.5))}
            return discord_json(body, 429, {**headers, "X-RateLimit-Scope": "user"})
        if kind == "502":
            return web.Response(
                status=502, text="<html><h1>502 Bad Gateway</h1></html>", content_type="text/html"
            )
        return discord_json({"message": f"{kind}: Server Error", "code": 0}, int(kind))

    def dms_to(self, user: str) -> list[Request]:
        """Every message send into the member's DM channel that Discord carried out."""
        channel = self.dm_channels.get(user)
        return [] if channel is None else self.find("POST", rf"/channels/{channel}/messages")


# --- library back-off, compressed ----------------------------------------------------------


class CompressedSleep(types.ModuleType):
    """Stands in for `asyncio` in a library module: `sleep` waits `scale` of the time asked
    (and remembers what was asked); everything else is asyncio's."""

    def __init__(self, scale: float) -> None:
        super().__init__("asyncio")
        self.scale = scale
        self.asked: list[float] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def sleep(self, delay: float, result: Any = None) -> Any:
        self.asked.append(float(delay))
        return await asyncio.sleep(delay * self.scale, result)


# --- the fan-out ---------------------------------------------------------------------------

REGISTRATION: dict[str, FormValue] = {
    "name": "",
    "about": "Neighbour",
    "sessions": ("1", "2"),
    "consent": True,
}


@dataclass
class FanOut:
    reminders: list[str]
    """User ids of the members with a reminder DM due."""
    invitations: list[str]
    """User ids of the members just registered, each with an invitation DM (.ics files)."""
    rows: int


async def spring(core: Core) -> ProgrammeSession:
    async with core.db.reading() as db:
        found = await db.scalar(select(ProgrammeSession).where(ProgrammeSession.season == "Spring"))
    assert found is not None
    return found


async def plan_fan_out(
    core: Core,
    clock: SettableClock,
    *,
    platform: str,
    community: str,
    reminders: Sequence[str],
    invitations: Sequence[str],
) -> FanOut:
    """At the day before the Spring session: `invitations` members register through the
    core (an invitation DM with its .ics files each), and `reminders` members, registered
    earlier, get their one-day reminder. Nothing else is left pending."""
    session = await spring(core)
    now = as_utc(session.starts_at) - timedelta(days=1)
    clock.set(now)
    await withdraw_pending(core)
    for index, user in enumerate(invitations):
        # Names of different lengths make every member's .ics files of different sizes.
        name = "Invitee " + "x" * (index + 1)
        values = {**REGISTRATION, "name": name, "email": f"{'x' * (index + 1)}@example.org"}
        outcome = await core.submit(
            FormSubmission(Actor(platform, community, user, name), "register", values)
        )
        assert not outcome.field_errors, outcome.field_errors
    async with core.db.transaction() as db:
        place = await queries.ensure_community(
            db, platform=platform, external_id=community, now=now
        )
        if reminders:
            await add_registrants(
                db,
                platform=platform,
                community_id=place.id,
                session=session,
                users=reminders,
                now=now,
            )
        for index, user in enumerate(invitations):
            # The file with all their sessions names nobody: a different number of alarms
            # (drawn when it is sent) makes it differ in size too.
            await db.execute(
                update(Account)
                .where(Account.user_id == user)
                .values(reminder_offsets=",".join(f"{h}h" for h in range(1, index + 2)))
            )
        # The invitees' own reminders fall due later: not part of this fan-out.
        await db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == "pending", OutboxMessage.due_at > now)
            .values(status="withdrawn", last_error="not part of the fan-out")
        )
    counts = await pending_kinds(core)
    planned = {"reminder": len(reminders), "invitation": len(invitations)}
    assert counts == {kind: n for kind, n in planned.items() if n}, counts
    return FanOut(list(reminders), list(invitations), sum(counts.values()))


async def add_registrants(
    db: AsyncSession,
    *,
    platform: str,
    community_id: int,
    session: ProgrammeSession,
    users: Sequence[str],
    now: datetime,
) -> None:
    """Members registered for `session` ten days ago, each with their one-day reminder
    planned (due now) by the core's own planning."""
    earlier = now - timedelta(days=10)
    member_ids = list(
        await db.scalars(
            insert(Account)
            .returning(Account.id)
            .values(
                [
                    {
                        "community_id": community_id,
                        "user_id": user,
                        "display_name": f"Member {i}",
                        "created_at": earlier,
                    }
                    for i, user in enumerate(users)
                ]
            )
        )
    )
    await db.execute(
        insert(Registration),
        [
            {
                "session_id": session.id,
                "member_id": member_id,
                "name": f"Member {member_id}",
                "about": "Neighbour",
                "consent": True,
                "status": "confirmed",
                "created_at": earlier,
            }
            for member_id in member_ids
        ],
    )
    for member in (await db.scalars(select(Account).where(Account.id.in_(member_ids)))).all():
        planned = await plan_reminders(
            db,
            session=session,
            member=member,
            platform=platform,
            offsets=[timedelta(days=1)],
            now=now,
        )
        assert planned == 1


async def withdraw_pending(core: Core) -> None:
    """What the core planned at start (session syncs, announcements) is not under test."""
    async with core.db.transaction() as db:
        await db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == "pending")
            .values(status="withdrawn", last_error="not part of the fan-out")
        )


async def pending_kinds(core: Core) -> dict[str, int]:
    async with core.db.reading() as db:
        rows = await db.execute(
            select(OutboxMessage.kind, func.count())
            .where(OutboxMessage.status == "pending")
            .group_by(OutboxMessage.kind)
        )
        return {kind: count for kind, count in rows}


async def fan_out_rows(core: Core) -> list[OutboxMessage]:
    async with core.db.reading() as db:
        rows = await db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind.in_(["reminder", "invitation"]))
            .where(OutboxMessage.status != "withdrawn")
            .order_by(OutboxMessage.id)
        )
        return list(rows.all())


async def user_ids_by_member(core: Core) -> dict[int, str]:
    async with core.db.reading() as db:
        rows = await db.execute(select(Account.id, Account.user_id))
        return {member_id: user for member_id, user in rows}


@dataclass
class Run:
    rounds: int = 0
    handled: int = 0
    clock_moved: timedelta = timedelta()


async def drain_until_done(
    dispatcher: Dispatcher, core: Core, clock: SettableClock, *, max_rounds: int = 60
) -> Run:
    """Drain, then move the clock to the next retry's due time, until nothing is pending."""
    run = Run()
    start = clock.now()
    while True:
        run.handled += await dispatcher.drain()
        run.rounds += 1
        async with core.db.reading() as db:
            due = await db.scalar(
                select(func.min(OutboxMessage.due_at)).where(OutboxMessage.status == "pending")
            )
        if due is None:
            run.clock_moved = clock.now() - start
            return run
        assert run.rounds < max_rounds, f"still pending after {run.rounds} rounds"
        due = as_utc(due)
        if due > clock.now():
            clock.set(due)


def duplicates(arrivals: Iterable[int]) -> int:
    return sum(max(0, n - 1) for n in arrivals)
