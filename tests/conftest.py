"""Shared fixtures: a real database per test (SQLite always, PostgreSQL when reachable).

PostgreSQL: one scratch database per test run, migrated once and emptied before each
test. Under CI (S4B_REQUIRE_POSTGRES=1) an unreachable server fails the run instead
of skipping, so the PostgreSQL tests always run there.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.settings import Settings
from storage.db import Database, sqlite_url
from storage.models import Base
from tests.fakes import RecordingPlatform

POSTGRES_URL = os.environ.get(
    "S4B_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("S4B_REQUIRE_POSTGRES") == "1"
DEMO_NOW = datetime(2025, 4, 1, 12, 0, tzinfo=UTC)
ADMIN_TIMEOUT = 120.0
"""Seconds CREATE and DROP DATABASE may take (past the bot's statement timeout, on a busy
machine)."""
TABLES = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))


async def _postgres_reachable() -> bool:
    db = Database(POSTGRES_URL)
    try:
        async with db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        await db.dispose()


async def _create_database(name: str) -> None:
    admin = Database(POSTGRES_URL, timeout=ADMIN_TIMEOUT)
    admin.engine = admin.engine.execution_options(isolation_level="AUTOCOMMIT")
    async with admin.engine.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()


async def _drop_database(name: str) -> None:
    admin = Database(POSTGRES_URL, timeout=ADMIN_TIMEOUT)
    admin.engine = admin.engine.execution_options(isolation_level="AUTOCOMMIT")
    async with admin.engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


async def _migrate(url: str) -> None:
    db = Database(url)
    await db.migrate()
    await db.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A freshly migrated scratch database on the local PostgreSQL, for this run."""
    if not asyncio.run(_postgres_reachable()):
        if REQUIRE_POSTGRES:
            pytest.fail(
                f"PostgreSQL is required (S4B_REQUIRE_POSTGRES=1) but {POSTGRES_URL} is unreachable"
            )
        pytest.skip("PostgreSQL is not reachable")
    name = f"s4b_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    asyncio.run(_create_database(name))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_migrate(url))
    yield url
    asyncio.run(_drop_database(name))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "s4b.sqlite3"
    asyncio.run(_migrate(sqlite_url(path)))
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "s4b.sqlite3"
        shutil.copy(sqlite_template, path)
        return sqlite_url(path)
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    if not database.is_sqlite:
        async with database.engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(DEMO_NOW)


@pytest.fixture
async def sqlite_core(
    sqlite_template: Path, clock: SettableClock, tmp_path: Path
) -> AsyncIterator[Core]:
    """Like `core`, on SQLite only: for adapter tests, whose subject is not the database."""
    path = tmp_path / "adapter.sqlite3"
    shutil.copy(sqlite_template, path)
    database = Database(sqlite_url(path))
    instance = Core(database, clock=clock, settings=Settings(data_dir=tmp_path, _env_file=None))
    await instance.start()
    yield instance
    await database.dispose()


@pytest.fixture
async def core(db: Database, clock: SettableClock, tmp_path: Path) -> Core:
    """The core with the bundled S4B 2025 programme loaded, at 2025-04-01 12:00 UTC."""
    instance = Core(db, clock=clock, settings=Settings(data_dir=tmp_path, _env_file=None))
    await instance.start()
    return instance


@pytest.fixture
def platform() -> RecordingPlatform:
    """A platform that records what the dispatcher sends (some test modules use their own)."""
    return RecordingPlatform()


@pytest.fixture
def dispatcher(core: Core, platform: RecordingPlatform, clock: SettableClock) -> Dispatcher:
    return Dispatcher(core.db, platforms={"console": platform}, clock=clock, settings=core.settings)
