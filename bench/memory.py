"""Memory: peak RSS of a bot process whose database holds 10,000 members and 50,000
registrations.

    python -m bench.memory [--db sqlite|postgresql] [--members N] [--registrations R]
                           [--report FILE]

The database is filled by a separate process first (`--seed URL`), so its work does not
count: the S4B 2025 programme plus an archive series of 16 past quarterly sessions (20
sessions in all), N console members each registered for R/N of them, and the outbox
those registrations leave behind (an invitation each, three reminders each: sent for past
sessions, pending for upcoming ones), with the last 500 Spring invitations still due.

Then this process starts as `bot.py console` does (`Core.start()`, the console platform
and its Dispatcher, output to /dev/null) and works: sessions, a member's registrations,
the roster and stats of a 2,500-registrant session, the deliveries and audit logs, a
dispatcher round (500 invitations), the /metrics refresh, and an organizer moving the
Summer session (2,500 updated invitations, drawn and sent). Peak RSS is `ru_maxrss`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from prometheus_client import generate_latest
from sqlalchemy import func, insert, select

from bench.common import (
    BACKENDS,
    BURST_NOW,
    Row,
    current_rss_mb,
    peak_rss_mb,
    print_rows,
    scratch_database,
    write_report,
)
from s4b_bot.programme.loading import DEFAULT_PROGRAMME, load_programme, read_programme
from s4b_bot.settings import Settings
from storage.db import Database
from storage.models import (
    Account,
    Community,
    OutboxMessage,
    ProgrammeSession,
    Registration,
    Series,
)

ROOT = Path(__file__).resolve().parents[1]
TARGET_MB = 150.0
ARCHIVE_SESSIONS = 16
DUE_INVITATIONS = 500
OFFSETS = (7 * 86_400, 86_400, 3_600)
CHUNK = 10_000


# --- seeding (its own process) -----------------------------------------------------------


def user_id(i: int) -> str:
    """The console's user id for "Member i" (as `/as Member i` makes it)."""
    return f"member-{i}"


async def seed(url: str, members: int, registrations: int) -> None:
    db = Database(url)
    try:
        await db.migrate()
        async with db.transaction() as session:
            await load_programme(session, read_programme(DEFAULT_PROGRAMME), now=BURST_NOW)
            sessions = await _archive(session)
            community = await session.scalar(
                insert(Community)
                .values(platform="console", external_id="local", created_at=BURST_NOW)
                .returning(Community.id)
            )
            await _bulk(session, Account, (_member(community, i) for i in range(members)))
            ids = [mid for (mid,) in await session.execute(select(Account.id).order_by(Account.id))]
            pairs = list(_pairs(ids, sessions, registrations))
            await _bulk(session, Registration, (_registration(m, s) for m, s in pairs))
            await _bulk(session, OutboxMessage, _outbox(pairs))
    finally:
        await db.dispose()


async def _archive(session: Any) -> list[ProgrammeSession]:
    """16 past sessions in an archive series; all 20 sessions, soonest first."""
    current = await session.scalar(select(Series))
    archive = await session.scalar(
        insert(Series)
        .values(
            key="s4b-archive",
            name="S4B Working Group, earlier years",
            timezone="America/Toronto",
            info=current.info,
            created_at=BURST_NOW,
        )
        .returning(Series.id)
    )
    seasons = itertools.cycle(("Spring", "Summer", "Fall", "Year-End"))
    first = datetime(2021, 4, 27, 17, tzinfo=UTC)
    for n, season in zip(range(ARCHIVE_SESSIONS), seasons, strict=False):
        starts = first + timedelta(days=91 * n)
        session.add(
            ProgrammeSession(
                series_id=archive,
                number=n + 1,
                season=season,
                title=f"{season} session {starts.year}",
                description="An earlier working-group session.",
                starts_at=starts,
                ends_at=starts + timedelta(hours=1),
                timezone="America/Toronto",
                status="held",
                sequence=0,
                updated_at=BURST_NOW,
            )
        )
    await session.flush()
    result = await session.scalars(select(ProgrammeSession).order_by(ProgrammeSession.starts_at))
    return list(result.all())


def _pairs(
    member_ids: list[int], sessions: list[ProgrammeSession], registrations: int
) -> Iterator[tuple[int, ProgrammeSession]]:
    """Each member in `registrations / members` distinct sessions, spread evenly."""
    per_member = max(1, registrations // len(member_ids))
    step = max(1, len(sessions) // per_member)
    for n, mid in enumerate(member_ids):
        for k in range(per_member):
            yield mid, sessions[(n + k * step) % len(sessions)]


def _member(community: int, i: int) -> dict[str, Any]:
    return {
        "community_id": community,
        "user_id": user_id(i),
        "display_name": f"Member {i}",
        "timezone": "America/Vancouver" if i % 3 == 0 else None,
        "created_at": BURST_NOW,
    }


def _registration(member_id: int, session: ProgrammeSession) -> dict[str, Any]:
    return {
        "session_id": session.id,
        "member_id": member_id,
        "name": f"Member {member_id}",
        "about": "A neighbour who runs the community garden, and a few more words about it.",
        "organization": "Garden collective",
        "email": f"member{member_id}@example.org",
        "consent": True,
        "status": "confirmed",
        "created_at": BURST_NOW - timedelta(days=30),
    }


def _outbox(pairs: list[tuple[int, ProgrammeSession]]) -> Iterator[dict[str, Any]]:
    spring = [mid for mid, s in pairs if s.season == "Spring" and s.starts_at > BURST_NOW]
    due = set(spring[-DUE_INVITATIONS:])
    for mid, s in pairs:
        upcoming = s.starts_at > BURST_NOW
        pending_invitation = upcoming and s.season == "Spring" and mid in due
        yield _row(f"invitation:{mid}:{s.id}", "invitation", mid, s, BURST_NOW, pending_invitation)
        for offset in OFFSETS:
            when = s.starts_at - timedelta(seconds=offset)
            yield _row(f"reminder:{s.id}:{mid}:{offset}", "reminder", mid, s, when, upcoming)


def _row(
    key: str, kind: str, mid: int, s: ProgrammeSession, due: datetime, pending: bool
) -> dict[str, Any]:
    payload: dict[str, Any] = {"sessions": [s.id]}
    if kind == "reminder":
        payload = {"offset": int(key.rsplit(":", 1)[1]), "starts_at": int(s.starts_at.timestamp())}
    return {
        "dedupe_key": key,
        "kind": kind,
        "platform": "console",
        "member_id": mid,
        "session_id": s.id,
        "payload": payload,
        "due_at": due,
        "status": "pending" if pending else "sent",
        "attempts": 0 if pending else 1,
        "created_at": BURST_NOW - timedelta(days=30),
        "sent_at": None if pending else min(due, BURST_NOW),
    }


async def _bulk(session: Any, model: Any, rows: Iterator[dict[str, Any]]) -> None:
    while chunk := list(itertools.islice(rows, CHUNK)):
        await session.execute(insert(model), chunk)


# --- the bot process -----------------------------------------------------------------------


class Steps:
    """RSS after each step, and the time each took."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.rss: list[float] = []
        self.started = time.perf_counter()

    def note(self, what: str) -> None:
        took = time.perf_counter() - self.started
        self.rss.append(current_rss_mb())
        self.lines.append(
            f"  {what:<52} {took:6.2f} s   RSS {current_rss_mb():6.1f} MB   "
            f"peak {peak_rss_mb():6.1f} MB"
        )
        self.started = time.perf_counter()


async def exercise(url: str, data_dir: Path, *, show: bool) -> tuple[Steps, dict[str, int]]:
    from adapters.console.repl import Console
    from s4b_bot.clock import SettableClock
    from s4b_bot.core import Core
    from s4b_bot.metrics import REGISTRY

    steps = Steps()
    steps.note("imports")
    clock = SettableClock(BURST_NOW)
    settings = Settings(_env_file=None, data_dir=data_dir, database_url=url)
    core = Core(Database(url), clock=clock, settings=settings)
    await core.start()
    steps.note("Core.start() (migrations, programme, plans)")
    with open(os.devnull, "w") as devnull:  # noqa: ASYNC230 (opening /dev/null)
        out = sys.stderr if show else devnull
        console = Console(core, clock, out=out, name="Member 7", echo=True)
        for lines, what in SCRIPT:
            for line in lines:
                assert await console.handle(line, lambda form: {"_cancelled": True})
            if what == "metrics":
                await core.refresh_queue_metrics()
                generate_latest(REGISTRY)
            steps.note(what)
    async with core.db.transaction() as session:
        counts = {
            "members": await session.scalar(select(func.count()).select_from(Account)) or 0,
            "registrations": await session.scalar(select(func.count()).select_from(Registration))
            or 0,
            "outbox rows": await session.scalar(select(func.count()).select_from(OutboxMessage))
            or 0,
        }
    await core.db.dispose()
    return steps, counts


SCRIPT: list[tuple[list[str], str]] = [
    (["/s4b sessions all"], "a member lists all sessions (+ 500 invitations sent)"),
    (["/s4b mine", "/s4b session spring", "/s4b my-data"], "their registrations and data"),
    (["/s4b calendar"], "the series calendar"),
    (
        [line for i in range(20, 9_000, 450) for line in (f"/as Member {i}", "/s4b mine")],
        "20 more members: their registrations",
    ),
    (["/as Org --organizer", "/s4b-admin roster 2025-04-29"], "roster of Spring (2,500)"),
    (["/s4b-admin stats"], "organizer stats"),
    (["/s4b-admin deliveries", "/s4b-admin audit"], "deliveries and audit log"),
    ([], "metrics"),
    (
        ["/s4b-admin session reschedule 2025-06-24 2025-06-25 13:00"],
        "Summer moved: 2,500 updated invitations sent",
    ),
    ([], "metrics"),
]


def run_seed(url: str, members: int, registrations: int) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.memory",
            "--seed",
            url,
            "--members",
            str(members),
            "--registrations",
            str(registrations),
        ],
        cwd=ROOT,
        check=True,
    )
    return time.perf_counter() - started


async def measure(
    backend: str, members: int, registrations: int, *, show: bool = False
) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="s4b-memory-") as tmp:
        async with scratch_database(backend) as url:
            seeded = await asyncio.to_thread(run_seed, url, members, registrations)
            print(f"memory {backend}: seeded in {seeded:.1f} s (another process)", flush=True)
            steps, counts = await exercise(url, Path(tmp), show=show)
    print("\n".join([f"memory {backend}: {counts}", *steps.lines]), flush=True)
    name = f"memory {backend}"
    peak = peak_rss_mb()
    loaded = f"{counts['members']:,} members, {counts['registrations']:,} registrations"
    return [
        Row(
            name,
            f"peak RSS ({loaded})",
            f"{peak:.0f} MB",
            f"< {TARGET_MB:.0f} MB",
            peak < TARGET_MB,
        ),
        Row(name, "RSS after imports, before the database", f"{steps.rss[0]:.0f} MB"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__)
    parser.add_argument("--db", choices=BACKENDS, default="sqlite")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--registrations", type=int, default=50_000)
    parser.add_argument("--seed", metavar="URL", help="only fill this database (internal)")
    parser.add_argument("--report", type=Path, default=None, help="write the rows as JSON")
    parser.add_argument("--show", action="store_true", help="the console's output to stderr")
    args = parser.parse_args(argv)
    if args.seed:
        asyncio.run(seed(args.seed, args.members, args.registrations))
        return 0
    rows = asyncio.run(measure(args.db, args.members, args.registrations, show=args.show))
    print_rows(rows)
    write_report(args.report, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
