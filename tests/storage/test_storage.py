"""Storage on SQLite and PostgreSQL: constraints, UTC, migrations, programme loading."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission
from s4b_bot.programme.loading import DEFAULT_PROGRAMME, load_programme, read_programme
from storage import queries
from storage.db import Database, sqlite_url
from storage.migrate import alembic_config, current_revision
from storage.models import Account, Base, Community, ProgrammeSession, Registration, Series

NOW = datetime(2025, 4, 1, 12, tzinfo=UTC)


async def first_session(db: Database) -> ProgrammeSession:
    async with db.transaction() as session:
        row = await session.scalar(select(ProgrammeSession).order_by(ProgrammeSession.id))
        assert row is not None
        return row


async def test_the_migrations_build_exactly_the_models(db: Database) -> None:
    async with db.engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    assert diff == []


async def test_times_come_back_as_the_same_utc_instant(core: Core) -> None:
    spring = await first_session(core.db)
    assert spring.starts_at == datetime(2025, 4, 29, 17, 0, tzinfo=UTC)
    assert spring.starts_at.tzinfo is UTC


async def test_one_registration_per_member_and_session_is_a_constraint(core: Core) -> None:
    spring = await first_session(core.db)
    async with core.db.transaction() as session:
        member, _ = await queries.ensure_member(
            session,
            platform="console",
            community="local",
            user_id="ada",
            display_name="Ada",
            now=NOW,
        )
        member_id = member.id
    row = {
        "session_id": spring.id,
        "member_id": member_id,
        "name": "Ada",
        "about": "x",
        "consent": True,
        "created_at": NOW,
    }
    async with core.db.transaction() as session:
        session.add(Registration(**row))
    with pytest.raises(IntegrityError):
        async with core.db.transaction() as session:
            session.add(Registration(**row))


async def test_members_are_unique_per_community(core: Core) -> None:
    async with core.db.transaction() as session:
        for _ in range(2):
            await queries.ensure_member(
                session, platform="slack", community="T1", user_id="U1", display_name="A", now=NOW
            )
        await queries.ensure_member(
            session, platform="slack", community="T2", user_id="U1", display_name="A", now=NOW
        )
    async with core.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Account)) == 2
        assert await session.scalar(select(func.count()).select_from(Community)) == 2
    with pytest.raises(IntegrityError):
        async with core.db.transaction() as session:
            community = await session.scalar(select(Community).limit(1))
            assert community is not None
            session.add(
                Account(community_id=community.id, user_id="U1", display_name="B", created_at=NOW)
            )


async def test_a_session_cannot_end_before_it_starts(core: Core) -> None:
    spring = await first_session(core.db)
    with pytest.raises(IntegrityError):
        async with core.db.transaction() as session:
            row = await session.get(ProgrammeSession, spring.id)
            assert row is not None
            row.ends_at = row.starts_at - timedelta(hours=1)


async def test_a_double_click_makes_one_registration(core: Core) -> None:
    """Two submissions of the same form at once: one row, and both answers are calm."""
    spring = await first_session(core.db)
    actor = Actor("slack", "T1", "U1", "Ada")
    values = {
        "name": "Ada",
        "about": "Neighbour",
        "sessions": (str(spring.id),),
        "consent": True,
    }
    outcomes = await asyncio.gather(
        *(core.submit(FormSubmission(actor, "register", values)) for _ in range(5))
    )
    async with core.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Registration)) == 1
        assert await session.scalar(select(func.count()).select_from(Account)) == 1
    texts = [str(o.reply) for o in outcomes]
    assert sum("you are registered" in t for t in texts) == 1
    assert all("you are registered" in t or "already registered" in t for t in texts), texts


async def test_loading_a_programme_again_updates_and_marks_moved_sessions(core: Core) -> None:
    spec = read_programme(DEFAULT_PROGRAMME)
    async with core.db.transaction() as session:
        kept = await load_programme(session, spec, now=NOW, replace=False)
    assert (kept.added, kept.updated) == (0, 0)
    moved = replace(
        spec,
        sessions=(
            replace(
                spec.sessions[0],
                starts_at=spec.sessions[0].starts_at + timedelta(days=1),
                ends_at=spec.sessions[0].ends_at + timedelta(days=1),
            ),
            *spec.sessions[1:],
        ),
    )
    async with core.db.transaction() as session:
        report = await load_programme(session, moved, now=NOW)
    assert (report.added, report.updated, report.moved) == (0, 4, 1)
    spring = await first_session(core.db)
    assert (spring.status, spring.sequence) == ("rescheduled", 1)
    assert spring.starts_at == datetime(2025, 4, 30, 17, tzinfo=UTC)


async def test_a_second_programme_numbers_its_sessions_on(core: Core) -> None:
    spec = read_programme(DEFAULT_PROGRAMME)
    next_year = replace(
        spec,
        key="s4b-2026",
        sessions=tuple(
            replace(
                s,
                starts_at=s.starts_at + timedelta(weeks=52),
                ends_at=s.ends_at + timedelta(weeks=52),
            )
            for s in spec.sessions
        ),
    )
    async with core.db.transaction() as session:
        assert (await load_programme(session, next_year, now=NOW)).added == 4
        again = await load_programme(session, next_year, now=NOW)  # matched in file order
        assert (again.added, again.updated, again.moved) == (0, 4, 0)
        rows = await session.execute(
            select(Series.key, ProgrammeSession.number)
            .join(Series)
            .order_by(ProgrammeSession.number)
        )
        assert [tuple(row) for row in rows] == [
            *(("s4b-2025", n) for n in (1, 2, 3, 4)),
            *(("s4b-2026", n) for n in (5, 6, 7, 8)),
        ]


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    db = Database(sqlite_url(tmp_path / "wal.sqlite3"))
    try:
        async with db.engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    finally:
        await db.dispose()


async def test_migrations_go_down_to_nothing_and_up_again(tmp_path: Path) -> None:
    db = Database(sqlite_url(tmp_path / "updown.sqlite3"))
    try:
        await db.migrate()
        assert await current_revision(db.engine) is not None
        async with db.engine.begin() as conn:
            await conn.run_sync(lambda sync: command.downgrade(alembic_config(sync), "base"))
        assert await current_revision(db.engine) is None
        await db.migrate()
        async with db.engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
        assert diff == []
    finally:
        await db.dispose()


def test_unavailability_is_told_apart_from_mistakes() -> None:
    from sqlalchemy.exc import DBAPIError, IntegrityError

    from storage.db import is_unavailable

    class ShuttingDown(Exception):  # as asyncpg's CannotConnectNowError: SQLSTATE 57P03
        sqlstate = "57P03"

    class Duplicate(Exception):
        sqlstate = "23505"

    wrapped = DBAPIError("SELECT 1", {}, ShuttingDown("the database system is shutting down"))
    assert is_unavailable(wrapped)
    assert is_unavailable(ConnectionRefusedError(111, "refused"))
    assert not is_unavailable(IntegrityError("INSERT", {}, Duplicate("duplicate key")))
    assert not is_unavailable(ZeroDivisionError())
