"""The core's front door: adapters call `run_text`, `invoke`, `submit`, `press` and
`home`; the web server and adapters also ask for feeds, autocomplete choices and health.

Each call is one database transaction. A UserError (or FormInvalid) rolls it back and
becomes a reply; so does any unexpected failure, logged with a reference the member
can quote, so no traceback ever reaches a member and nothing half-done is kept.
"""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot import metrics
from s4b_bot.calendar.commands import feed_for_token
from s4b_bot.context import Context
from s4b_bot.conversation import audit
from s4b_bot.errors import FormInvalid, RetryLater, UserError
from s4b_bot.invocation import Actor, ChatMessage, FormSubmission, Invocation
from s4b_bot.outbox.in_bot import with_waiting
from s4b_bot.outbox.session_posts import (
    plan_announcements,
    plan_session_sync,
    plan_syncs_for_community,
)
from s4b_bot.output import Attachment, Choice, Message, Outcome
from s4b_bot.pages.review import find_review
from s4b_bot.pages.summary import find_page
from s4b_bot.ports import Clock
from s4b_bot.programme.browse import home
from s4b_bot.programme.loading import DEFAULT_PROGRAMME, load_programme, read_programme
from s4b_bot.programme.sessions import is_over
from s4b_bot.registration.form import session_choice
from s4b_bot.routing.route import ORGANIZER_ROOT, Args, CommandRoute, Route, allows, refusal
from s4b_bot.routing.route import audited as is_audited
from s4b_bot.routing.routes import ROUTES
from s4b_bot.routing.table import RouteTable
from s4b_bot.routing.textparse import parse_command
from s4b_bot.settings import Settings
from s4b_bot.words import went_wrong
from storage import outbox, queries
from storage.db import Database, is_unavailable, within
from storage.group_commit import GroupCommit
from storage.models import OUTBOX_STATUSES, Account

_log = logging.getLogger(__name__)

Step = Callable[[Context], Awaitable[Outcome]]
Call = Callable[[Context], Awaitable[tuple[Outcome, Args | None]]]
"""A route's run: its outcome, and the command's arguments (for the audit entry)."""

MSG_DATABASE_DOWN = (
    "I could not reach my database just now, so nothing was changed. Please try again in a minute."
)
MSG_USER_ID_TOO_LONG = (
    "Your account's id is longer than the 64 characters I can keep, so I cannot act for "
    "it; nothing was changed."
)


class Core:
    """Everything the bot does, behind a few calls. Platform-neutral; owns no I/O but storage."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Clock,
        settings: Settings | None = None,
        routes: RouteTable = ROUTES,
    ) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings or Settings()
        self.routes = routes
        self.after_change: Callable[[], None] | None = None
        """Called after each call that committed (bot.py: wake the dispatcher)."""
        self._queue_read_lock = asyncio.Lock()
        self._queue_read_at = -math.inf
        self.writes = GroupCommit(db, timeout=lambda: self.settings.command_timeout)
        """Every call's transaction: calls that arrive together share one (group commit)."""

    async def start(self) -> None:
        """Migrate the database and load the bundled programme if none is loaded yet."""
        await self.db.migrate()
        path = self.settings.programme_file or DEFAULT_PROGRAMME
        spec = read_programme(path)
        now = self.clock.now()
        async with self.db.transaction() as session:
            await load_programme(session, spec, now=now, replace=False)
            # Idempotent (dedupe keys): plans any channel posts still to come.
            for programme_session in await queries.all_sessions(session):
                await plan_announcements(
                    session,
                    programme_session,
                    now=now,
                    days_before=self.settings.announce_days_before,
                )
                await plan_session_sync(session, programme_session, now=now)

    async def calendar_feed(self, token: str) -> bytes | None:
        """A member's calendar feed by its secret token (the HTTP server serves it)."""
        async with self.db.transaction() as session:
            return await feed_for_token(
                session, token, settings=self.settings, now=self.clock.now()
            )

    async def summary_page(self, series: str, number: int, token: str | None) -> str | None:
        """A summary's web page (HTML) by its address; None when there is none to show."""
        async with self.db.transaction() as session:
            return await find_page(session, series, number, token)

    async def review_page(self, series: str, token: str | None) -> str | None:
        """A series' year in review (HTML) by its address; None when there is none to show."""
        async with self.db.transaction() as session:
            return await find_review(session, series, token, self.clock.now())

    async def run_text(
        self, actor: Actor, root: str, text: str, *, files: tuple[Attachment, ...] = ()
    ) -> Outcome:
        """A typed command line, as Slack and the console receive it."""
        if root == ORGANIZER_ROOT and not actor.is_organizer:
            named = self.routes.named(root, text.split()[:3])
            return _refused(refusal(named[0] if named else None))
        try:
            command, values = parse_command(self.routes, root, text)
            command.check_files(files)
        except UserError as exc:
            return Outcome(reply=Message.plain(str(exc)))
        return await self._route(actor, command, _command_call(command, values), files=files)

    async def invoke(self, invocation: Invocation) -> Outcome:
        """A command whose options the adapter already has by name (Discord)."""
        root, actor = invocation.root, invocation.actor
        if root == ORGANIZER_ROOT and not actor.is_organizer:
            return _refused(refusal(self.routes.find(root, invocation.command)))
        try:
            command = self.routes.get(root, invocation.command)
            values = command.check_args(invocation.args)
            command.check_files(invocation.files)
        except UserError as exc:
            return Outcome(reply=Message.plain(str(exc)))
        call = _command_call(command, values)
        return await self._route(actor, command, call, files=invocation.files)

    async def submit(self, submission: FormSubmission) -> Outcome:
        """A filled-in form, routed by its id: "register", "summary:<session>", "report:<idea>"."""
        form_id, values = submission.form_id, submission.values
        try:
            form = self.routes.form(form_id)
        except UserError as exc:
            return Outcome(reply=Message.plain(str(exc)))

        async def call(ctx: Context) -> tuple[Outcome, Args | None]:
            return await form.run(ctx, form_id, values), None

        return await self._route(submission.actor, form, call)

    async def press(self, actor: Actor, action: str) -> Outcome:
        """A button, by its stable action id (`s4b:<verb>:<entity id>`)."""
        try:
            button, entity_id = self.routes.button(action)
        except UserError as exc:
            return Outcome(reply=Message.plain(str(exc)))

        async def call(ctx: Context) -> tuple[Outcome, Args | None]:
            return await button.run(ctx, entity_id), None

        return await self._route(actor, button, call)

    async def gesture(self, actor: Actor, callback_id: str, message: ChatMessage) -> Outcome:
        """A gesture on a message (`MessageRoute`): Discord's message context menu by its
        name, Slack's message shortcut by its callback_id, the console's `/report-message`."""
        try:
            route = self.routes.gesture(callback_id)
        except UserError as exc:
            return Outcome(reply=Message.plain(str(exc)))

        async def call(ctx: Context) -> tuple[Outcome, Args | None]:
            return await route.run(ctx, message), None

        return await self._route(actor, route, call)

    def allows(self, actor: Actor, route: Route) -> bool:
        """Whether `actor` may use `route` (an adapter may ask before fetching a file)."""
        return allows(route, is_organizer=actor.is_organizer)

    async def _route(
        self, actor: Actor, route: Route, call: Call, *, files: tuple[Attachment, ...] = ()
    ) -> Outcome:
        """The one gate and the one audit, for every command, button and form: someone
        outside the route's audience is refused before anything runs; a successful run of
        an audited route leaves its entry, completed here."""
        if not self.allows(actor, route):
            return _refused(refusal(route))

        async def step(ctx: Context) -> Outcome:
            outcome, args = await call(ctx)
            if is_audited(route):
                audit.complete(ctx, route.name, args)
            return outcome

        return await self._run(actor, step, files=files)

    async def sync_community(self, platform: str, community: str) -> int:
        """A platform adapter joined a community (a Discord guild): mirror every upcoming
        session there. Idempotent; returns how many syncs were planned."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            row = await queries.ensure_community(
                session, platform=platform, external_id=community, now=now
            )
            sessions = await queries.all_sessions(session)
            return await plan_syncs_for_community(session, row, sessions, now=now)

    async def session_choices(self, typed: str, *, limit: int = 25) -> list[Choice]:
        """Sessions matching what someone has typed so far, for autocomplete (Discord):
        upcoming first, matched on season, date, number or title; each choice's first
        alias is the session's reference."""
        now = self.clock.now()
        words = typed.strip().lower()
        async with self.db.transaction() as session:
            sessions = await queries.all_sessions(session)
        found = []
        for s in sorted(sessions, key=lambda s: (is_over(s, now), s.starts_at)):
            choice = session_choice(s, sessions)
            if not words or any(words in t.lower() for t in (choice.label, *choice.aliases)):
                found.append(choice)
        return found[:limit]

    async def database_ok(self, *, seconds: float = 1.5) -> bool:
        """Whether the database answers within `seconds` (for /healthz)."""
        try:
            await within(seconds, self._select_one())
            return True
        except Exception as exc:  # any failure to answer is "not ok" for /healthz
            if not is_unavailable(exc):
                _log.warning("health check: %s", type(exc).__name__)
            return False

    async def _select_one(self) -> None:
        async with self.db.reading() as session:
            await session.execute(text("SELECT 1"))

    async def refresh_queue_metrics(self, *, max_age: float = 0.0) -> None:
        """Read the outbox's state into the metrics gauges, unless they were read less than
        `max_age` seconds ago: however many scrape, the database is read at most that often
        (once for simultaneous scrapes), in a transaction that takes no write lock. If the
        database does not answer in time, the gauges keep their last values."""
        async with self._queue_read_lock:
            if time.monotonic() - self._queue_read_at < max_age:
                return
            try:
                await within(self.settings.database_timeout, self._read_queue())
            except Exception as exc:  # a scrape must not fail because the database does
                _log.warning("metrics: cannot read the outbox: %s", type(exc).__name__)
            self._queue_read_at = time.monotonic()

    async def _read_queue(self) -> None:
        now = self.clock.now()
        async with self.db.reading() as session:
            for status in OUTBOX_STATUSES:
                metrics.QUEUE.labels(status).set(0)
            for status, count in (await outbox.counts_by_status(session)).items():
                metrics.QUEUE.labels(status).set(count)
            due, oldest = await outbox.due_summary(session, now=now)
        metrics.DUE.set(due)
        metrics.LAG.set((now - oldest).total_seconds() if oldest else 0.0)

    async def home(self, actor: Actor) -> Outcome:
        """The member's overview: registrations first, then the other upcoming sessions."""
        return await self._run(actor, lambda ctx: home(ctx, Args({})))

    async def _run(
        self, actor: Actor, step: Step, *, files: tuple[Attachment, ...] = ()
    ) -> Outcome:
        now = self.clock.now()
        metrics.COMMANDS.labels(actor.platform, "call").inc()
        if (
            len(actor.user_id) > queries.USER_ID_LENGTH
        ):  # no platform's are; a hand-made one could be
            return Outcome(reply=Message.plain(MSG_USER_ID_TOO_LONG))
        try:
            # A database that stops answering must not hang the member: past the bound the
            # group is rolled back and TimeoutError, an OSError and so "unavailable" below,
            # becomes "try again".
            outcome = await self.writes.run(
                lambda session: self._in_session(session, actor, step, now, files)
            )
            if self.after_change is not None:
                self.after_change()
            return outcome
        except FormInvalid as exc:
            return Outcome(
                reply=Message.plain("Please check the form: " + " ".join(exc.errors.values())),
                field_errors=exc.errors,
            )
        except UserError as exc:
            return Outcome(reply=Message.plain(str(exc)))
        except RetryLater as exc:
            return Outcome(reply=Message.plain(str(exc)))
        except Exception as exc:  # the one boundary: a member never sees a traceback
            if is_unavailable(exc):
                _log.warning("database unavailable: %s", type(exc).__name__)
                metrics.ERRORS.labels("database").inc()
                return Outcome(reply=Message.plain(MSG_DATABASE_DOWN))
            return self._unexpected(exc)

    async def _in_session(
        self,
        session: AsyncSession,
        actor: Actor,
        step: Step,
        now: datetime,
        files: tuple[Attachment, ...],
    ) -> Outcome:
        member, new = await queries.ensure_member(
            session,
            platform=actor.platform,
            community=actor.community,
            user_id=actor.user_id,
            display_name=actor.display_name,
            now=now,
        )
        person = await session.get(Account, member.person_id) if member.person_id else None
        ctx = Context(
            actor,
            session,
            now,
            person or member,
            self.settings,
            self.routes,
            files=files,
            typed_by=member if person else None,
        )
        outcome = await step(ctx)
        if not new:  # a member first seen now has nothing waiting
            outcome = await with_waiting(ctx, outcome)  # what could not reach them
        audit.write(ctx)  # in the same transaction: kept only if the call is
        return outcome

    def _unexpected(self, exc: Exception) -> Outcome:
        ref = secrets.token_hex(3)
        metrics.ERRORS.labels("unexpected").inc()
        _log.error("unexpected error (ref %s)", ref, exc_info=exc)
        return Outcome(reply=Message.plain(went_wrong("nothing was changed", reference=ref)))

    async def upcoming_count(self) -> int:
        """How many sessions are still to come (the console's welcome uses it)."""
        async with self.db.transaction() as session:
            return sum(
                not is_over(s, self.clock.now()) for s in await queries.all_sessions(session)
            )


def _command_call(command: CommandRoute, values: dict[str, str | None]) -> Call:
    """Resolve the command's typed options (a session option to its session), then run it."""

    async def call(ctx: Context) -> tuple[Outcome, Args | None]:
        args = await command.resolve(ctx, values)
        return await command.handler(ctx, args), args

    return call


def _refused(words: str) -> Outcome:
    return Outcome(reply=Message.plain(words), organizers_only=True)
