"""The bot process is killed at random points while members register and invitations go
out: no registration is ever kept without what it planned, and a restart delivers it all."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MEMBERS = 150


def script() -> str:
    lines = []
    for n in range(MEMBERS):
        lines += [f"/as m{n}", "/s4b register spring", "about: Neighbour", "consent: yes", ""]
    return "\n".join(lines) + "\n"


COMMAND = [sys.executable, "bot.py", "console", "--now", "2025-04-01T12:00"]


def environment(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("S4B_", "SLACK_", "DISCORD_"))}
    return env | {"S4B_DATA_DIR": str(data)}


def console(data: Path, text: str) -> subprocess.Popen[str]:
    """The console reading a script, its output to a file (a full pipe would stall it)."""
    (data / "script.txt").write_text(text)
    with (data / "script.txt").open() as stdin, (data / "out.txt").open("w") as out:
        return subprocess.Popen(
            COMMAND,
            cwd=ROOT,
            env=environment(data),
            stdin=stdin,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )


def rows(data: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(data / "s4b.sqlite3") as db:
        return db.execute(query).fetchall()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kill_at_random_then_restart(tmp_path: Path, seed: int) -> None:
    process = console(tmp_path, script())
    deadline = time.monotonic() + 60
    # Wait until the database exists and some members have registered, then pick a moment.
    while time.monotonic() < deadline:
        ready = (tmp_path / "s4b.sqlite3").exists() and rows(
            tmp_path, "SELECT count(*) FROM sqlite_master WHERE name='registrations'"
        )[0][0]
        if ready and rows(tmp_path, "SELECT count(*) FROM registrations")[0][0] >= 3:
            break
        time.sleep(0.02)
    time.sleep(random.Random(seed).uniform(0.05, 0.6))
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    assert process.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    registered = rows(tmp_path, "SELECT member_id FROM registrations")
    assert 3 <= len(registered) < MEMBERS

    # Atomic: every registration kept has its invitation, its three reminders and the
    # follow-up after the session planned.
    planned = {
        member: kinds
        for member, kinds in rows(
            tmp_path,
            "SELECT member_id, group_concat(kind) FROM outbox WHERE member_id IS NOT NULL GROUP BY member_id",
        )
    }
    for (member,) in registered:
        kinds = sorted(str(planned.get(member, "")).split(","))
        expected = ["followup", "invitation", "reminder", "reminder", "reminder"]
        assert kinds == expected, (member, kinds)
    assert set(planned) == {m for (m,) in registered}  # nothing planned for a registration not kept

    # A restart (the same data, one harmless line) sends whatever the killed run had not.
    restarted = subprocess.run(
        COMMAND,
        cwd=ROOT,
        env=environment(tmp_path),
        input="/clock +3m\n",  # past the dead run's leases (2 minutes)
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    out, err = restarted.stdout, restarted.stderr
    assert restarted.returncode == 0, err
    unsent = rows(
        tmp_path, "SELECT count(*) FROM outbox WHERE kind = 'invitation' AND status != 'sent'"
    )
    assert unsent == [(0,)]
    assert "Traceback" not in out + err
