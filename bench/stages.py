"""Where a transaction's time goes, measured from SQLAlchemy's events on one engine.

For every transaction on the engine: the wait for a pooled connection, each statement by
kind (on SQLite `BEGIN IMMEDIATE` is one: the wait for the database's write lock),
the Python work between statements while the connection is held, and COMMIT. Nothing in
the bot is changed: listeners are added to the engine, and the pool's `_do_get` of this
one engine instance is wrapped to time the queue for a connection. (The dispatcher's
read-only engine, `Database.reading`, is not included.)
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from bench.common import ms, percentile
from storage.db import Database

_TABLE = {
    "SELECT": re.compile(r"\bFROM\s+\"?(\w+)", re.IGNORECASE),
    "INSERT": re.compile(r"^\s*INSERT\s+INTO\s+\"?(\w+)", re.IGNORECASE),
    "UPDATE": re.compile(r"^\s*UPDATE\s+\"?(\w+)", re.IGNORECASE),
    "DELETE": re.compile(r"^\s*DELETE\s+FROM\s+\"?(\w+)", re.IGNORECASE),
}


def statement_kind(statement: str) -> str:
    """ "SELECT sessions", "INSERT outbox", "BEGIN IMMEDIATE", "SELECT sessions FOR UPDATE"."""
    words = statement.split(None, 2)
    if not words:
        return "?"
    verb = words[0].upper()
    if verb == "BEGIN":
        return " ".join(w.upper() for w in words[:2])
    pattern = _TABLE.get(verb)
    match = pattern.search(statement) if pattern else None
    table = f" {match[1]}" if match else ""
    lock = " FOR UPDATE" if "FOR UPDATE" in statement.upper() else ""
    return f"{verb}{table}{lock}"


@dataclass
class StageTimer:
    """Attach with `StageTimer.attach(db)`; read with `lines()`. BEGIN counts as a
    statement (on SQLite it is `BEGIN IMMEDIATE`, sent by the bot's own listener)."""

    pool_wait: list[float] = field(default_factory=list)
    commit: list[float] = field(default_factory=list)
    held: list[float] = field(default_factory=list)
    between: list[float] = field(default_factory=list)
    statements: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    rollbacks: int = 0

    @classmethod
    def attach(cls, db: Database) -> StageTimer:
        timer = cls()
        engine = db.engine.sync_engine
        pool: Any = engine.pool
        pool._do_get = timer._timed(pool._do_get)
        event.listen(engine, "commit", timer._on_commit)
        event.listen(engine, "rollback", timer._on_rollback)
        event.listen(engine, "before_cursor_execute", timer._before_execute)
        event.listen(engine, "after_cursor_execute", timer._after_execute)
        event.listen(pool, "checkout", timer._on_checkout)
        event.listen(pool, "checkin", timer._on_checkin)
        return timer

    def reset(self) -> None:
        """Forget what was measured so far (the warm-up)."""
        for values in (self.pool_wait, self.commit, self.held, self.between):
            values.clear()
        self.statements.clear()
        self.rollbacks = 0

    # --- listeners ---------------------------------------------------------------------

    def _timed(self, get: Callable[[], Any]) -> Callable[[], Any]:
        def timed_get() -> Any:
            started = time.perf_counter()
            try:
                return get()
            finally:
                self.pool_wait.append(time.perf_counter() - started)

        return timed_get

    def _on_checkout(self, dbapi_conn: Any, record: Any, proxy: Any) -> None:
        record.info.update(checkout=time.perf_counter(), sql=0.0, commit_at=None)

    def _on_commit(self, conn: Any) -> None:
        conn.info["commit_at"] = time.perf_counter()

    def _on_rollback(self, conn: Any) -> None:
        if conn.info.get("commit_at") is None and conn.info.get("sql"):
            self.rollbacks += 1

    def _before_execute(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info["execute_at"] = time.perf_counter()

    def _after_execute(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        took = time.perf_counter() - conn.info.pop("execute_at", time.perf_counter())
        conn.info["sql"] = conn.info.get("sql", 0.0) + took
        self.statements[statement_kind(statement)].append(took)

    def _on_checkin(self, dbapi_conn: Any, record: Any) -> None:
        now = time.perf_counter()
        info = record.info
        checkout = info.pop("checkout", None)
        if checkout is None:
            return
        held = now - checkout
        commit_at = info.pop("commit_at", None)
        commit = now - commit_at if commit_at is not None else 0.0
        self.held.append(held)
        self.commit.append(commit)
        self.between.append(max(0.0, held - info.pop("sql", 0.0) - info.pop("begin", 0.0) - commit))

    # --- report ------------------------------------------------------------------------

    @property
    def lock_waits(self) -> tuple[str, list[float]]:
        """The statements that wait for a lock: SQLite's BEGIN IMMEDIATE (the database's
        write lock), PostgreSQL's SELECT … FOR UPDATE (a row lock)."""
        begin = [t for k, v in self.statements.items() if k.startswith("BEGIN") for t in v]
        if begin:
            return "BEGIN IMMEDIATE (write lock)", begin
        rows = [t for k, v in self.statements.items() if k.endswith("FOR UPDATE") for t in v]
        return "SELECT … FOR UPDATE (row lock)", rows

    def lines(self, top: int = 8) -> list[str]:
        def stat(name: str, values: list[float]) -> str:
            total = sum(values)
            mean = total / len(values) if values else 0.0
            return (
                f"  {name:<34} n={len(values):>6}  mean {ms(mean):>6} ms  "
                f"p99 {ms(percentile(values, 99)):>6} ms  total {total:8.2f} s"
            )

        out = [
            "where the database time went (every transaction on the engine):",
            stat("wait for a pooled connection", self.pool_wait),
            stat(self.lock_waits[0], self.lock_waits[1]),
            stat("Python work while holding conn.", self.between),
            stat("COMMIT", self.commit),
            stat("connection held, checkout→checkin", self.held),
        ]
        ranked = sorted(self.statements.items(), key=lambda kv: -sum(kv[1]))
        out.append(f"  statements, by total time (top {top} of {len(ranked)} kinds):")
        out += ["  " + stat(kind, values) for kind, values in ranked[:top]]
        if self.rollbacks:
            out.append(f"  rolled back after some SQL: {self.rollbacks}")
        return out
