"""Burst: many distinct members submitting the registration form for one session at once.

    python -m bench.burst [--path core|slack|discord] [--db sqlite|postgresql]
                          [--members N] [--profile FILE] [--report FILE]

All requests are started together (one `asyncio.gather`, or one run of gateway events), and
every time is counted from that common start, so it includes the queueing behind the
others. What "acknowledge" and "final" mean on each path:

- core: ack = confirmation = `Core.submit` returned (the member's reply, "you are
  registered"). Shown beside it: the invitation DM reaching the platform, sent by a
  Dispatcher running beside it as in production (`run_forever`, default pacing: console
  1,000 messages/s, 1 s idle poll).
- slack: signed `view_submission` requests over HTTP to the real bolt app in the adapter's
  HTTP mode (aiohttp on 127.0.0.1), Web API pointed at the local mock Slack. ack = the HTTP
  response received. final (the confirmation) = the answer reaching the mock: in the ack,
  or `views.update` of the "Saving…" modal when the core was slower than the submit budget
  (or its queue longer), or the DM (`chat.postMessage`). The App Home refresh that
  follows is reported separately.
- discord: MODAL_SUBMIT INTERACTION_CREATE payloads through discord.py's
  `ConnectionState.parse_interaction_create`, REST pointed at the local mock Discord.
  ack = the interaction callback (defer) reaching the mock; final (the confirmation) = the
  follow-up webhook message.

Error = any submission whose answer is not "you are registered" (refused, "try again",
"something went wrong"), or whose ack or final never arrived (timeout). A few warm-up
submissions by other members go first and are not counted. Everything (load generator,
adapter, mock platform) runs in one process and one event loop, as a bot process would
with its platform on the far side of a network; CPU share is reported for that reason.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import cProfile
import json
import pstats
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.common import (
    BACKENDS,
    CpuMeter,
    LogCounter,
    Row,
    ms,
    percentile,
    print_rows,
    quiet_logging,
    scratch_database,
    session_id,
    started_core,
    write_report,
)
from bench.stages import StageTimer
from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission, FormValue
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.output import Message
from s4b_bot.ports import ModerationAction, Recipient, SessionEvent

ROOT = Path(__file__).resolve().parents[1]
PATHS = ("core", "slack", "discord")
PLATFORM_DEADLINE = 3.0
"""An ack later than this is an error on Slack and Discord (the member sees a failure)."""
FINAL_TARGET = 1.500
"""The member's confirmation, p99, from the burst's start."""
WARMUP = 3
SETTLE_TIMEOUT = 120.0
"""How long after the last ack the finals may still come."""
ABOUT = "A neighbour who runs the community garden"


@dataclass
class Burst:
    """What one burst measured, in seconds from the common start."""

    path: str
    backend: str
    members: int
    ack: dict[int, float] = field(default_factory=dict)
    final: dict[int, float] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    extra: dict[str, list[float]] = field(default_factory=dict)
    cpu: float = 0.0
    notes: list[str] = field(default_factory=list)
    stages: StageTimer | None = None
    logs: LogCounter | None = None

    @property
    def name(self) -> str:
        return f"burst {self.path} {self.backend}"

    def late_acks(self) -> int:
        """Acks after the platform's 3 s: Slack and Discord would have shown an error."""
        if self.path == "core":
            return 0
        return sum(1 for at in self.ack.values() if at > PLATFORM_DEADLINE)

    def error_count(self) -> int:
        missing_ack = self.members - len(self.ack)
        missing_final = sum(1 for i in self.ack if i not in self.final)
        return sum(self.errors.values()) + missing_ack + missing_final + self.late_acks()

    def summary(self) -> str:
        parts = [f"CPU {self.cpu:.0%} of a core"]
        if self.stages is not None:
            s = self.stages
            lock, waits = s.lock_waits
            parts += [
                f"pool wait p99 {ms(percentile(s.pool_wait, 99))} ms",
                f"{lock} p99 {ms(percentile(waits, 99))} ms",
                f"work in tx p50 {ms(percentile(s.between, 50))} ms",
            ]
        return "; ".join(parts + self.notes)

    def lines(self) -> list[str]:
        out = [f"{self.name}: {self.members} members"]
        for label, values in (("ack", self.ack), ("final", self.final)):
            v = list(values.values())
            out.append(
                f"  {label:<6} n={len(v):>5}  p50 {ms(percentile(v, 50)):>6} ms  "
                f"p90 {ms(percentile(v, 90)):>6} ms  p99 {ms(percentile(v, 99)):>6} ms  "
                f"max {ms(max(v, default=float('nan'))):>6} ms"
            )
        for label, v in self.extra.items():
            out.append(
                f"  {label:<6} n={len(v):>5}  p50 {ms(percentile(v, 50)):>6} ms  "
                f"p99 {ms(percentile(v, 99)):>6} ms  max {ms(max(v, default=float('nan'))):>6} ms"
            )
        late = f"(acks after 3 s: {self.late_acks()}) " if self.late_acks() else ""
        out.append(f"  errors: {self.error_count()} {late}{dict(self.errors) or ''}".rstrip())
        out.append(f"  CPU: {self.cpu:.0%} of one core during the burst")
        out += [f"  note: {n}" for n in self.notes]
        if self.stages is not None:
            out += self.stages.lines()
        if self.logs is not None and self.logs.counts:
            out.append("  warnings/errors logged:")
            out += [f"    {n:>5} × {k}" for k, n in self.logs.counts.most_common(8)]
        return out


def rows_of_runs(runs: list[Burst]) -> list[Row]:
    """The table's rows for one path and database: each run's figures side by side (the
    target on late acks holds for every run in a row), the confirmation's worst p99."""
    last = runs[-1]
    name, n = last.name, len(runs)

    def each(figure: Callable[[Burst], str]) -> str:
        return " / ".join(figure(r) for r in runs)

    def p99(values: dict[int, float]) -> float:
        return percentile(list(values.values()), 99)

    worst = max(runs, key=lambda r: p99(r.final))
    complete = all(len(r.final) == r.members for r in runs)
    errors = sum(r.error_count() for r in runs)
    rows = [
        Row(name, f"ack p99 (ms), each of {n} runs", each(lambda r: ms(p99(r.ack)))),
        Row(
            name,
            f"confirmation p50 / p99 (ms), worst of {n}",
            f"{ms(percentile(list(worst.final.values()), 50))} / {ms(p99(worst.final))}",
            f"p99 <= {FINAL_TARGET * 1000:,.0f}",
            complete and p99(worst.final) <= FINAL_TARGET,
        ),
    ]
    if last.path != "core":  # the core has no platform deadline
        late = [r.late_acks() for r in runs]
        rows.append(
            Row(
                name,
                f"acks after 3 s, each of {n} runs",
                " / ".join(map(str, late)),
                "0 in every run",
                not any(late),
            )
        )
    members = sum(r.members for r in runs)
    rows += [
        Row(name, "errors", f"{errors} of {members}", "0", errors == 0),
        Row(name, "where the time went (last run)", last.summary()),
    ]
    return rows


def answers(i: int, spring: int) -> dict[str, FormValue]:
    return {
        "name": f"Member {i}",
        "about": ABOUT,
        "organization": "Garden collective",
        "email": f"member{i}@example.org",
        "sessions": (str(spring),),
        "consent": True,
    }


def plain_text(message: Message | None) -> str:
    if message is None:
        return ""
    return " ".join(s for t in message.text for s in t.spans if isinstance(s, str))


def verdict(text: str) -> str | None:
    """None for a registration confirmed; else a short reason (the error's kind)."""
    if "you are registered" in text:
        return None
    return (text.strip().splitlines() or ["(empty)"])[0][:60]


async def settle(done: Callable[[], bool], *, within: float, every: float = 0.02) -> None:
    """Until `done()`, polling, for `within` seconds at most."""
    for _ in range(int(within / every) + 1):
        if done():
            return
        await asyncio.sleep(every)


# --- core ------------------------------------------------------------------------------


class RecordingPlatform:
    """A platform named "console" that notes when each member's first DM arrives."""

    name = "console"

    def __init__(self) -> None:
        self.first_dm: dict[str, float] = {}

    async def send_dm(self, recipient: Recipient, message: Message) -> None:
        self.first_dm.setdefault(recipient.user_id, time.monotonic())

    async def post(
        self,
        community: str,
        channel: str,
        message: Message,
        *,
        ref: str | None = None,
        thread_title: str | None = None,
    ) -> str | None:
        return None

    async def moderate(
        self, community: str, channel: str, ref: str, action: ModerationAction
    ) -> None:
        return None

    async def sync_session(
        self, community: str, event: SessionEvent, *, ref: str | None = None
    ) -> str | None:
        return None


def console_actor(i: int) -> Actor:
    return Actor("console", "local", f"m{i:05d}", f"Member {i}")


async def burst_core(core: Core, result: Burst, *, profiler: cProfile.Profile | None) -> None:
    spring = await session_id(core)
    platform = RecordingPlatform()
    dispatcher = Dispatcher(
        core.db, platforms={"console": platform}, clock=core.clock, settings=core.settings
    )
    stop = asyncio.Event()
    running = asyncio.create_task(dispatcher.run_forever(stop))

    async def submit(i: int) -> str:
        outcome = await core.submit(
            FormSubmission(console_actor(i), "register", answers(i, spring))
        )
        return plain_text(outcome.reply)

    for w in range(WARMUP):  # not counted
        await submit(-1 - w)
    await settle(lambda: len(platform.first_dm) >= WARMUP, within=10)

    async def one(i: int, t0: float) -> None:
        error = verdict(await submit(i))
        # The reply is both the ack and the member's confirmation ("you are registered").
        result.ack[i] = result.final[i] = time.monotonic() - t0
        if error:
            result.errors[error] += 1

    meter = start_measuring(result, profiler)
    t0 = time.monotonic()
    await asyncio.gather(*(one(i, t0) for i in range(result.members)))
    wanted = {console_actor(i).user_id: i for i in result.ack}
    await settle(
        lambda: sum(u in platform.first_dm for u in wanted) >= len(wanted), within=SETTLE_TIMEOUT
    )
    stop_measuring(result, meter, profiler)
    result.extra["invitation DM"] = [
        platform.first_dm[user] - t0 for user in wanted if user in platform.first_dm
    ]
    missing = len(wanted) - len(result.extra["invitation DM"])
    if missing:
        result.errors["no invitation DM"] += missing
    stop.set()
    await running


def start_measuring(result: Burst, profiler: cProfile.Profile | None) -> CpuMeter:
    """The burst starts: forget the warm-up's stages, start the CPU meter (and profiler)."""
    assert result.stages is not None
    result.stages.reset()
    meter = CpuMeter()
    if profiler is not None:
        profiler.enable()
    meter.start()
    return meter


def stop_measuring(result: Burst, meter: CpuMeter, profiler: cProfile.Profile | None) -> None:
    result.cpu = meter.stop()
    if profiler is not None:
        profiler.disable()


# --- the platform's process --------------------------------------------------------------


class PlatformProcess:
    """`python -m bench.platforms KIND`: the mock platform, in a process of its own."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, kind: str) -> PlatformProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.platforms",
            kind,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
            limit=2**26,
        )
        return cls(process)

    async def receive(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = await self.process.stdout.readline()
        if not line:
            raise RuntimeError("the platform process ended early (see its stderr)")
        message: dict[str, Any] = json.loads(line)
        return message

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps(message) + "\n").encode())

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.send({"quit": True})
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


# --- slack -------------------------------------------------------------------------------


async def burst_slack(core: Core, result: Burst, *, profiler: cProfile.Profile | None) -> None:
    from pydantic import SecretStr

    from adapters.slack.app import build_slack
    from adapters.slack.config import SlackConfig
    from adapters.slack.modal import form_modal
    from adapters.slack.serve import start_http
    from tests.adapters.slack.slackreq import TEAM

    secret = "bench-signing-secret"
    slack = await PlatformProcess.start("slack")
    try:
        hello = await slack.receive()
        config = SlackConfig(
            _env_file=None,  # type: ignore[call-arg]
            bot_token=SecretStr("xoxb-bench"),
            signing_secret=SecretStr(secret),
            api_url=hello["api_url"],
        )
        bot = build_slack(core, config)
        runner = await start_http(bot, host="127.0.0.1", port=0)
        host, port = runner.addresses[0][:2]
        actor = Actor("slack", TEAM, "U0WARM", "warm")
        opened = await core.run_text(actor, "s4b", "register spring")
        assert opened.form is not None, plain_text(opened.reply)
        slack.send(
            {
                "url": f"http://{host}:{port}{config.http_path}",
                "secret": secret,
                "view": form_modal(opened.form),
                "answers": answers(0, await session_id(core)),
                "members": result.members,
            }
        )
        await slack.receive()  # the warm-up is done: the burst starts
        meter = start_measuring(result, profiler)
        done = await slack.receive()
        stop_measuring(result, meter, profiler)
        await bot.settled()
        await runner.cleanup()
    finally:
        await slack.stop()
    t0 = done["t0"]
    confirmed = set(done["confirmed"])
    for key, at in done["ack"].items():
        i = int(key)
        result.ack[i] = at - t0
        if done["answered"][key] and '"update"' not in done["answered"][key]:
            result.errors[f"ack: {done['answered'][key]}"] += 1
    for key, at in done["final"].items():
        result.final[int(key)] = at - t0
        if int(key) not in confirmed:
            result.errors["the confirmation is not a registration"] += 1
    result.extra["home tab (views.publish)"] = [at - t0 for at in done["home"].values()]
    result.notes.append(f"{done['connections']} TCP connections for {done['calls']} Web API calls")
    if done["busy_updates"]:
        result.notes.append(
            f"{done['busy_updates']} acks were the 'Saving…' modal (core > SLACK_SUBMIT_BUDGET)"
        )


# --- discord ---------------------------------------------------------------------------


class MockControl:
    """The Discord process's control routes: wait for requests, read what was seen."""

    def __init__(self, http: aiohttp.ClientSession, root: str) -> None:
        self.http, self.root = http, root

    async def wait(self, pattern: str, count: int, *, within: float) -> int:
        query = {"pattern": pattern, "count": str(count), "within": str(within)}
        async with self.http.get(f"{self.root}/_bench/wait", params=query) as response:
            return int((await response.json())["count"])

    async def seen(self, pattern: str) -> dict[str, tuple[float, Any]]:
        async with self.http.get(f"{self.root}/_bench/seen", params={"pattern": pattern}) as r:
            found: dict[str, tuple[float, Any]] = await r.json()
            return found


async def burst_discord(core: Core, result: Burst, *, profiler: cProfile.Profile | None) -> None:
    discord = await PlatformProcess.start("discord")
    try:
        hello = await discord.receive()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None)) as http:
            await discord_against(core, result, hello, MockControl(http, hello["root"]), profiler)
    finally:
        await discord.stop()


CALLBACK = r"POST /interactions/\d+/[^/]+/callback"
FOLLOWUP = r"POST /webhooks/\d+/[^/]+"


async def discord_against(
    core: Core,
    result: Burst,
    hello: dict[str, Any],
    mock: MockControl,
    profiler: cProfile.Profile | None,
) -> None:
    from adapters.discord import DiscordConfig, build_discord
    from tests.adapters.discord import payloads
    from tests.adapters.discord.mock_discord import APP_ID

    token = base64.b64encode(str(APP_ID).encode()).decode().rstrip("=") + ".GxYzAb.bench"
    config = DiscordConfig(
        _env_file=None,  # type: ignore[call-arg]
        token=token,
        application_id=APP_ID,
        guild_id=payloads.GUILD_ID,
        api_base=hello["base"],
    )
    client = build_discord(core, config)
    await client.login(token)
    feed = client._connection.parse_interaction_create
    warm_user = {"id": "1300000000000000000", "username": "warm", "global_name": "Warm"}
    command = payloads.command("s4b", "register", {"session": "2025-04-29"}, user=warm_user)
    feed(command)  # type: ignore[arg-type]
    await mock.wait(CALLBACK, 1, within=10)
    modal = next(iter((await mock.seen(CALLBACK)).values()))[1]["data"]
    spring = await session_id(core)

    def submit(i: int) -> dict[str, Any]:
        values = {
            "name": f"Member {i}",
            "about": ABOUT,
            "organization+email": f"Garden collective, member{i}@example.org",
            "sessions": [str(spring)],
            "consent": True,
        }
        user = {"id": str(1_300_000_000_000_001_000 + i), "username": f"m{i}"}
        return payloads.modal_submit(
            modal["custom_id"],
            payloads.answers(modal, values),
            user={**user, "global_name": f"Member {i}"},
        )

    for i in range(-WARMUP, 0):  # not counted
        feed(submit(i))  # type: ignore[arg-type]
    await mock.wait(FOLLOWUP, WARMUP, within=10)
    burst = {i: submit(i) for i in range(result.members)}
    meter = start_measuring(result, profiler)
    t0 = time.monotonic()
    for p in burst.values():
        feed(p)  # type: ignore[arg-type]
    result.notes.append(
        f"handing {len(burst)} events to discord.py: {ms(time.monotonic() - t0)} ms"
    )
    await mock.wait(FOLLOWUP, WARMUP + len(burst), within=SETTLE_TIMEOUT)
    stop_measuring(result, meter, profiler)
    callbacks, followups = await mock.seen(CALLBACK), await mock.seen(FOLLOWUP)
    for i, p in burst.items():
        ack = callbacks.get(f"POST /interactions/{p['id']}/{p['token']}/callback")
        final = followups.get(f"POST /webhooks/{APP_ID}/{p['token']}")
        if ack is not None:
            result.ack[i] = ack[0] - t0
        if final is not None:
            result.final[i] = final[0] - t0
            if "you are registered" not in json.dumps(final[1]):
                result.errors["the follow-up is not a registration"] += 1
    await client.close()


# --- running ---------------------------------------------------------------------------

RUNNERS: dict[str, Callable[..., Awaitable[None]]] = {
    "core": burst_core,
    "slack": burst_slack,
    "discord": burst_discord,
}


async def run_burst(
    path: str, backend: str, members: int, *, profiler: cProfile.Profile | None = None
) -> Burst:
    result = Burst(path, backend, members)
    with tempfile.TemporaryDirectory(prefix="s4b-burst-") as tmp:
        async with scratch_database(backend) as url:
            core = await started_core(url, data_dir=Path(tmp))
            result.stages = StageTimer.attach(core.db)
            result.logs = quiet_logging()
            try:
                await RUNNERS[path](core, result, profiler=profiler)
            finally:
                result.logs.uninstall()
                await core.db.dispose()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.burst", description=__doc__)
    parser.add_argument("--path", choices=PATHS, action="append", help="default: all three")
    parser.add_argument("--db", choices=BACKENDS, action="append", help="default: both")
    parser.add_argument("--members", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=1, help="bursts in a row, each on a fresh db")
    parser.add_argument("--profile", type=Path, default=None, help="cProfile of the burst")
    parser.add_argument("--report", type=Path, default=None, help="write the rows as JSON")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    for backend in args.db or BACKENDS:
        for path in args.path or PATHS:
            runs = []
            for _ in range(args.runs):
                profiler = cProfile.Profile() if args.profile else None
                result = asyncio.run(run_burst(path, backend, args.members, profiler=profiler))
                print("\n".join(result.lines()), flush=True)
                if profiler is not None and args.profile is not None:
                    target = args.profile.with_suffix(f".{path}.{backend}{args.profile.suffix}")
                    profiler.dump_stats(target)
                    stats = pstats.Stats(profiler, stream=sys.stderr)
                    stats.sort_stats("tottime").print_stats(25)
                runs.append(result)
            rows += rows_of_runs(runs)
    print_rows(rows)
    write_report(args.report, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
