"""Platform faults: the local mock Slack and Discord answer 429 and 5xx on 30% of calls
and drop connections; every planned message is still delivered, none twice beyond the
in-flight bound.

Each test builds the real adapter's Platform against its mock on 127.0.0.1, plans a
fan-out (members with a reminder DM due, a few just registered with an invitation DM and
its .ics files), and runs the dispatcher until nothing is pending, moving the injected
clock past each retry's due time. Which calls fail is seeded per call (see
`_platform_harness`), so every run meets the same faults.

Arrivals are counted at the mock, not calls: slack_sdk and discord.py retry some
failures inside the adapter. A message may arrive twice only where the mock carried the
call out and then dropped the connection instead of answering (a "lost" response).

The libraries' own back-off sleeps (Retry-After, 1 + 2n s after a Discord 500, ...) are
compressed a hundredfold so the suite runs in seconds; the outbox's waits run on the
injected clock and are not shortened.
"""

from __future__ import annotations

import base64
import logging
import os
import random
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import discord.http
import pytest
from discord.http import Route
from pydantic import SecretStr
from slack_sdk.http_retry import async_handler, builtin_async_handlers

from adapters.discord import DiscordConfig, build_discord
from adapters.slack.app import build_slack
from adapters.slack.config import SlackConfig
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.outbox.dispatch import MAX_ATTEMPTS, Dispatcher
from storage.models import OutboxMessage
from tests.adapters.discord import payloads
from tests.adapters.discord.mock_discord import APP_ID
from tests.faults._platform_harness import (
    CLOSE,
    DISCORD_KINDS,
    LOST,
    RESET,
    SLACK_KINDS,
    CompressedSleep,
    FanOut,
    FaultPlan,
    FaultyDiscord,
    FaultySlack,
    Run,
    drain_until_done,
    duplicates,
    fan_out_rows,
    plan_fan_out,
    user_ids_by_member,
)

SEED = 20250429
SLACK_TOKEN = "xoxb-fault-0000-bot-token-must-never-be-logged"
SLACK_SIGNING = "fault-signing-secret-must-never-be-logged"
TEAM = "T0S4B"
DISCORD_TOKEN = (
    base64.b64encode(str(APP_ID).encode()).decode().rstrip("=")
    + ".FaUlTs.never-log-this-discord-secret"
)
GUILD = str(payloads.GUILD_ID)
SLACK_MEMBERS = 200
DISCORD_MEMBERS = 120
INVITEES = 5
FILES = 3
"""An invitation to Spring and Summer: one .ics per session and one with both."""
LIBRARY_TIME = 0.01
"""The share of a library's own back-off sleep actually waited."""

SLACK_ESCALATING = {"502"}
"""Faults slack_sdk never retries itself (it retries 429, 500, 503 and dropped connections,
twice each): every one reaches the outbox as RetryLater."""
DISCORD_ESCALATING = {"429-long", "503", CLOSE, RESET, LOST}
"""Faults discord.py hands back: it waits out 429s of up to 30 s and retries 500/502, but
retries a connection error only for errno 54/10054 (not Linux's 104)."""


@pytest.fixture
def library_sleep(monkeypatch: pytest.MonkeyPatch) -> CompressedSleep:
    sleep = CompressedSleep(LIBRARY_TIME)
    for module in (async_handler, builtin_async_handlers, discord.http):
        monkeypatch.setattr(module, "asyncio", sleep)
    return sleep


@pytest.fixture(autouse=True)
def seeded_random() -> Iterator[None]:
    """The dispatcher's back-off jitter draws from `random`: seeded, and put back after.
    (slack_sdk's jitter draws from it too, in the order sends finish, so the number of
    rounds may vary a little from run to run; the faults and their outcomes do not.)"""
    state = random.getstate()
    random.seed(SEED)
    yield
    random.setstate(state)


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)  # everything the libraries log, requests included
    quiet = [logging.getLogger(name) for name in ("aiosqlite", "sqlalchemy")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:  # the database's chatter is not in question
        logger.setLevel(logging.WARNING)
    yield caplog
    for logger, level in zip(quiet, levels, strict=True):
        logger.setLevel(level)


def dispatcher(core: Core, platform: Any, clock: SettableClock) -> Dispatcher:
    core.settings.dispatch_rate = {platform.name: 1_000.0}  # the faults are the subject
    return Dispatcher(
        core.db, platforms={platform.name: platform}, clock=clock, settings=core.settings
    )


# --- what both platforms must show ---------------------------------------------------------


def assert_all_sent(rows: list[OutboxMessage], fan: FanOut) -> None:
    """Every fault was passing, so every row ends sent: none failed, none left pending."""
    assert len(rows) == fan.rows
    assert Counter(r.status for r in rows) == {"sent": fan.rows}, [
        (r.id, r.status, r.attempts, r.last_error) for r in rows if r.status != "sent"
    ]
    assert all(r.attempts < MAX_ATTEMPTS for r in rows)


def assert_faults_recorded(
    rows: list[OutboxMessage],
    users: dict[int, str],
    faults_of: dict[str, list[str]],
    escalating: set[str],
) -> None:
    """A row is retried only if its calls met faults, and then records why; a fault the
    library does not retry itself always reaches the row (faults the library absorbed
    may leave it at 0 attempts)."""
    for row in rows:
        user = users[row.member_id or 0]
        kinds = faults_of[user]
        if row.attempts:
            assert kinds, f"{user} retried {row.attempts}x without meeting a fault"
            assert row.last_error, f"{user} retried without a recorded error"
        if escalating & set(kinds):
            assert row.attempts > 0 and row.last_error, (user, kinds, row.attempts)
        if not kinds:
            assert row.attempts == 0 and row.last_error is None, (user, row.last_error)
    assert sum(1 for r in rows if r.attempts) >= 10  # the outbox's own retries ran


def assert_fault_rate(plan: FaultPlan) -> None:
    """About 30% of calls failed, with every kind of fault."""
    share = len(plan.injected) / plan.decided
    assert 0.22 <= share <= 0.38, share
    assert {f.kind for f in plan.injected} == set(plan.kinds)


def assert_nothing_escaped(logs: pytest.LogCaptureFixture, rows: list[OutboxMessage]) -> None:
    """No unhandled or unclassified error: the dispatcher's catch-all logs "delivery ...
    failed" and records "error: ..."; every fault must come back as RetryLater."""
    escaped = [
        f"{r.name}: {r.getMessage()}"
        for r in logs.records
        if r.levelno >= logging.ERROR
        or (r.name == "s4b_bot.outbox.dispatch" and r.levelno >= logging.WARNING)
    ]
    assert not escaped
    unclassified = {
        r.id: r.last_error
        for r in rows
        if r.last_error and not r.last_error.startswith("transient:")
    }
    assert not unclassified


def assert_no_token_logged(logs: pytest.LogCaptureFixture, *secrets: str) -> None:
    logged = logs.text + "".join(
        f"{r.getMessage()}{r.exc_text or ''}{r.args!r}" for r in logs.records
    )
    assert len(logs.records) > 100  # the libraries' debug logging was captured
    for secret in secrets:
        for part in (secret, secret[:12], secret[-20:]):
            assert part not in logged


# --- Slack -----------------------------------------------------------------------------------


def slack_user(i: int) -> str:
    return f"U0R{i:05d}"


def dm(user: str) -> str:
    """The member's DM channel, as the mock's conversations.open names it."""
    return "D" + user.lstrip("U")


@pytest.fixture
async def slack_mock() -> AsyncIterator[FaultySlack]:
    server = FaultySlack(FaultPlan(SEED, SLACK_KINDS))
    await server.start()
    yield server
    await server.stop()


async def run_slack(
    core: Core, clock: SettableClock, mock: FaultySlack, *, members: int
) -> tuple[FanOut, Run, list[OutboxMessage]]:
    config = SlackConfig(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=SecretStr(SLACK_TOKEN),
        signing_secret=SecretStr(SLACK_SIGNING),
        api_url=mock.api_url,
        post_interval=0.0,
    )
    bot = build_slack(core, config)
    fan = await plan_fan_out(
        core,
        clock,
        platform="slack",
        community=TEAM,
        reminders=[slack_user(i) for i in range(members)],
        invitations=[slack_user(90_000 + i) for i in range(INVITEES)],
    )
    mock.plan.enabled = True
    run = await drain_until_done(dispatcher(core, bot.platform, clock), core, clock)
    mock.plan.enabled = False
    return fan, run, await fan_out_rows(core)


def slack_file_keys(mock: FaultySlack, user: str) -> list[str]:
    """The fault keys of the member's .ics files (by name and size), found through the
    uploads Slack completed in their DM."""
    keys = set()
    for done in mock.processed("files.completeUploadExternal", dm(user)):
        for item in done["files"]:
            upload = mock.file_keys[item["id"]]
            keys |= {upload, "files.getUploadURLExternal:" + upload.removeprefix("upload:")}
    return sorted(keys)


def slack_faults(mock: FaultySlack, fan: FanOut) -> dict[str, list[str]]:
    """The faults each member's delivery met, by kind."""
    faults: dict[str, list[str]] = {}
    for user in fan.reminders + fan.invitations:
        keys = [
            f"conversations.open:{user}",
            f"chat.postMessage:{dm(user)}",
            f"files.completeUploadExternal:{dm(user)}",
            *slack_file_keys(mock, user),
        ]
        faults[user] = [f.kind for key in keys for f in mock.plan.of(key)]
    return faults


def posted_and_lost(mock: FaultySlack, user: str) -> tuple[int, int]:
    """How many times the member's DM text was posted, and how many of those posts were
    carried out with the response lost."""
    posts = mock.processed("chat.postMessage", dm(user))
    return len(posts), len(mock.plan.of(f"chat.postMessage:{dm(user)}", LOST))


async def test_slack_fan_out_is_delivered_through_429s_5xx_and_dropped_connections(
    sqlite_core: Core,
    clock: SettableClock,
    slack_mock: FaultySlack,
    library_sleep: CompressedSleep,
    logs: pytest.LogCaptureFixture,
) -> None:
    fan, run, rows = await run_slack(sqlite_core, clock, slack_mock, members=SLACK_MEMBERS)
    mock, plan = slack_mock, slack_mock.plan

    # Nothing lost: every member's DM arrived, saying what was planned; the files too.
    for user in fan.reminders:
        posts = mock.processed("chat.postMessage", dm(user))
        assert posts and all(p["text"].startswith("Reminder:") for p in posts), user
    for user in fan.invitations:
        posts = mock.processed("chat.postMessage", dm(user))
        assert posts and all("You are registered" in p["text"] for p in posts), user
        completions = mock.processed("files.completeUploadExternal", dm(user))
        assert completions and all(len(c["files"]) == FILES for c in completions), user
        for item in completions[-1]["files"]:
            assert mock.uploads[item["id"]].startswith(b"BEGIN:VCALENDAR")
    file_keys = [key for user in fan.invitations for key in slack_file_keys(mock, user)]
    assert len(file_keys) == len(set(file_keys)) == INVITEES * FILES * 2  # each member's own

    # None twice beyond the in-flight bound: a DM posts again only where Slack carried a
    # post out and its response was lost (slack_sdk re-sends on a dropped connection).
    # The invitations' text is checked by the test below; their files here.
    for user in fan.reminders:
        posted, lost = posted_and_lost(mock, user)
        assert posted - 1 <= lost, (user, posted, lost)
    for user in fan.invitations:
        shared = len(mock.processed("files.completeUploadExternal", dm(user)))
        lost = len(plan.of(f"files.completeUploadExternal:{dm(user)}", LOST))
        assert shared - 1 <= lost, (user, shared, lost)
    in_flight = sum(posted_and_lost(mock, u)[1] for u in fan.reminders)
    assert 0 < duplicates(posted_and_lost(mock, u)[0] for u in fan.reminders) <= in_flight

    assert_all_sent(rows, fan)
    users = await user_ids_by_member(sqlite_core)
    assert_faults_recorded(rows, users, slack_faults(mock, fan), SLACK_ESCALATING)
    assert run.rounds > 2 and run.clock_moved.total_seconds() > 0
    assert_fault_rate(plan)
    assert max(library_sleep.asked) >= 30  # slack_sdk waited out a Retry-After: 30
    assert_nothing_escaped(logs, rows)
    assert {c.token for c in mock.calls if c.method != "upload"} == {SLACK_TOKEN}
    assert_no_token_logged(logs, SLACK_TOKEN, SLACK_SIGNING)


def one_502_on_each_first_upload_url(key: str, nth: int) -> str | None:
    return "502" if key.startswith("files.getUploadURLExternal:") and nth == 0 else None


@pytest.mark.parametrize("script", [None, one_502_on_each_first_upload_url], ids=["30%", "502"])
async def test_slack_invitation_text_is_not_posted_again_when_its_files_fail(
    sqlite_core: Core,
    clock: SettableClock,
    slack_mock: FaultySlack,
    library_sleep: CompressedSleep,
    script: Any,
) -> None:
    slack_mock.plan.script = script
    fan, _, rows = await run_slack(sqlite_core, clock, slack_mock, members=0)
    assert_all_sent(rows, fan)  # delivered all the same
    counts = {user: posted_and_lost(slack_mock, user) for user in fan.invitations}
    twice = {user: (posted, lost) for user, (posted, lost) in counts.items() if posted - 1 > lost}
    assert not twice, f"posted again with no response lost (posts, lost): {twice}"


# --- Discord ---------------------------------------------------------------------------------


def discord_user(i: int) -> str:
    return str(1_300_000_000_000_000_000 + i)


@pytest.fixture
async def discord_mock(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FaultyDiscord]:
    server = FaultyDiscord(FaultPlan(SEED, DISCORD_KINDS))
    await server.start()
    monkeypatch.setattr(Route, "BASE", server.base)  # restored after the test
    for name in list(os.environ):
        if name.startswith("DISCORD_"):
            monkeypatch.delenv(name)
    yield server
    await server.close()


async def run_discord(
    core: Core, clock: SettableClock, mock: FaultyDiscord
) -> tuple[FanOut, Run, list[OutboxMessage]]:
    config = DiscordConfig(
        _env_file=None,  # type: ignore[call-arg]
        token=SecretStr(DISCORD_TOKEN),
        application_id=APP_ID,
        guild_id=payloads.GUILD_ID,
        api_base=mock.base,
        sync_commands=False,
        new_dm_per_minute=60_000,
    )
    client = build_discord(core, config)
    try:
        await client.login(DISCORD_TOKEN)
        client.platform.now = clock.now
        fan = await plan_fan_out(
            core,
            clock,
            platform="discord",
            community=GUILD,
            reminders=[discord_user(i) for i in range(DISCORD_MEMBERS)],
            invitations=[discord_user(90_000 + i) for i in range(INVITEES)],
        )
        mock.plan.enabled = True
        run = await drain_until_done(dispatcher(core, client.platform, clock), core, clock)
        mock.plan.enabled = False
    finally:
        await client.close()
    return fan, run, await fan_out_rows(core)


def discord_faults(mock: FaultyDiscord, fan: FanOut) -> dict[str, list[str]]:
    """The faults each member's delivery met, by kind."""
    return {
        user: [
            f.kind for key in (f"create_dm:{user}", f"dm_send:{user}") for f in mock.plan.of(key)
        ]
        for user in fan.reminders + fan.invitations
    }


async def test_discord_fan_out_is_delivered_through_429s_5xx_and_dropped_connections(
    sqlite_core: Core,
    clock: SettableClock,
    discord_mock: FaultyDiscord,
    library_sleep: CompressedSleep,
    logs: pytest.LogCaptureFixture,
) -> None:
    fan, run, rows = await run_discord(sqlite_core, clock, discord_mock)
    mock, plan = discord_mock, discord_mock.plan

    # Nothing lost: every member's DM arrived, saying what was planned, files attached.
    for user in fan.reminders:
        sends = mock.dms_to(user)
        assert sends and all(s.body["content"].startswith("Reminder:") for s in sends), user
    for user in fan.invitations:
        sends = mock.dms_to(user)
        assert sends and all("You are registered" in s.body["content"] for s in sends), user
        for send in sends:
            assert len(send.files) == FILES, user
            assert all(f.data.startswith(b"BEGIN:VCALENDAR") for f in send.files)

    # None twice beyond the in-flight bound: a DM sends again only where Discord carried
    # the send out and its response was lost.
    everyone = fan.reminders + fan.invitations
    for user in everyone:
        sent, lost = len(mock.dms_to(user)), len(plan.of(f"dm_send:{user}", LOST))
        assert sent - 1 <= lost, (user, sent, lost)
    in_flight = sum(len(plan.of(f"dm_send:{user}", LOST)) for user in everyone)
    assert 0 < duplicates(len(mock.dms_to(u)) for u in everyone) <= in_flight
    assert len(mock.dm_channels) == len(everyone)  # one DM channel each, however often opened

    assert_all_sent(rows, fan)
    users = await user_ids_by_member(sqlite_core)
    assert_faults_recorded(rows, users, discord_faults(mock, fan), DISCORD_ESCALATING)
    assert run.rounds > 2
    # Discord's 429s were taken as Discord's: short ones waited out inside discord.py,
    # long ones (45 s > its 30 s limit) handed to the outbox; none taken for Cloudflare's.
    short = Counter(wait for wait in mock.retry_after if wait < 30)
    asked = Counter(library_sleep.asked)
    assert short and all(asked[wait] >= n for wait, n in short.items()), (short, asked)
    errors = Counter(r.last_error for r in rows if r.last_error)
    assert errors["transient: Discord rate limit"] > 0, errors
    assert not [e for e in errors if "Cloudflare" in e], errors
    assert run.clock_moved.total_seconds() >= 45
    assert_fault_rate(plan)
    assert_nothing_escaped(logs, rows)
    assert {r.headers.get("Authorization") for r in mock.requests} == {f"Bot {DISCORD_TOKEN}"}
    assert_no_token_logged(logs, DISCORD_TOKEN)
