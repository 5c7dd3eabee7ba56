"""The database: an async engine and its sessions, for SQLite (default) or PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext import asyncio as sqlalchemy_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

_log = logging.getLogger(__name__)


def create_async_engine(url: URL | str, **options: Any) -> AsyncEngine:
    """SQLAlchemy's, with the statements' parameters (names, emails, answers, call links,
    feed tokens) kept out of its log lines and its error messages, which reach ours."""
    return sqlalchemy_asyncio.create_async_engine(url, hide_parameters=True, **options)


def normalise_url(url: str) -> URL:
    """Accept plain `postgresql://` and `sqlite:///` URLs and pick the async drivers."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    return parsed


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


# SQLSTATEs that mean "the server is not there right now": connection exceptions (class 08)
# and a server shutting down, crashed or starting up (57P01-57P03).
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03")


def is_unavailable(exc: BaseException) -> bool:
    """Whether an error means the database cannot be reached just now (a restart, a network
    cut), as opposed to a mistake in what was asked of it."""
    seen: BaseException | None = exc
    for _ in range(10):  # the chain of causes, not forever
        if seen is None:
            break
        if isinstance(seen, (OperationalError, InterfaceError, PoolTimeout, OSError)):
            return True
        if isinstance(seen, DBAPIError) and seen.connection_invalidated:
            return True
        state = getattr(seen, "sqlstate", None)
        if isinstance(state, str) and state.startswith(_UNAVAILABLE_STATES):
            return True
        seen = seen.__cause__ or getattr(seen, "orig", None)
    return False


DEFAULT_TIMEOUT = 10.0


class Database:
    """Owns the engine; hands out sessions. Data functions take a session, never commit.

    On PostgreSQL, `timeout` bounds connecting, each statement (asyncpg cancels it on the
    server) and the wait for a pooled connection: a server that stops answering (a network
    that drops packets) raises within seconds instead of hanging every caller for minutes.
    """

    def __init__(self, url: str, *, echo: bool = False, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url = normalise_url(url)
        self.timeout = timeout
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            if self.url.database and self.url.database != ":memory:":
                Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs["pool_pre_ping"] = True
            kwargs["pool_timeout"] = timeout
            kwargs["connect_args"] = {"timeout": timeout, "command_timeout": timeout}
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._read_engine: AsyncEngine | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: committed if the block returns, rolled back if it raises."""
        async with self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A transaction that only reads. On SQLite it begins DEFERRED, so it does not take
        the write lock that BEGIN IMMEDIATE would (WAL readers never block writers)."""
        if not self.is_sqlite:
            async with self.transaction() as session:
                yield session
            return
        if self._read_engine is None:
            self._read_engine = create_async_engine(self.url, connect_args={"timeout": 30})
            _configure_sqlite(self._read_engine, immediate=False)
        async with (
            AsyncSession(self._read_engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    async def migrate(self) -> None:
        """Migrations get an engine of their own. PostgreSQL: without the statement timeout,
        since altering a large table may rightly take long. SQLite rebuilds a table to alter
        it ("batch" migrations); with foreign keys on, dropping the old `members` would
        cascade into `registrations`, and the pragma is ignored inside a transaction."""
        from storage.migrate import upgrade_to_head

        if self.is_sqlite:
            engine = create_async_engine(self.url, connect_args={"timeout": 30})
            _configure_sqlite(engine, foreign_keys=False)
        else:
            engine = create_async_engine(self.url, connect_args={"timeout": self.timeout})
        try:
            await upgrade_to_head(engine)
            if self.is_sqlite:
                async with engine.connect() as conn:
                    broken = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).all()
                if broken:
                    raise RuntimeError(f"migration left {len(broken)} rows with broken references")
        finally:
            await engine.dispose()

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._read_engine is not None:
            await self._read_engine.dispose()


def _configure_sqlite(
    engine: AsyncEngine, *, foreign_keys: bool = True, immediate: bool = True
) -> None:
    """WAL, foreign keys, and BEGIN IMMEDIATE so writers queue instead of failing to upgrade.

    Taken from SQLAlchemy's aiosqlite notes: the driver's own transaction handling is
    switched off and SQLAlchemy emits BEGIN itself.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


T = TypeVar("T")
_abandoned: set[asyncio.Task[Any]] = set()


async def within(seconds: float, call: Coroutine[Any, Any, T]) -> T:
    """`call`'s result, or TimeoutError once `seconds` have passed. Unlike asyncio.timeout
    it does not wait for the cancelled call to clean up: rolling back on a connection that no
    longer answers takes the database's own timeout, and goes on in the background."""
    task = asyncio.ensure_future(call)
    try:
        done, _ = await asyncio.wait({task}, timeout=seconds)
    except asyncio.CancelledError:
        task.cancel()
        raise
    if task in done:
        return task.result()
    task.cancel()
    _abandoned.add(task)  # referenced until it ends, as asyncio requires
    task.add_done_callback(_forget)
    raise TimeoutError(f"no answer within {seconds:g} s")


def _forget(task: asyncio.Task[Any]) -> None:
    _abandoned.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not log it: its caller has moved on
