"""The figures read from the database, and `/s4b-admin stats` attaching them as charts:
counts per session and per day, never a name; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.figures import (
    DayFigures,
    Figures,
    SessionFigures,
    attach,
    attendance_chart,
    read_figures,
)
from s4b_bot.routing.actions import action_id
from storage.models import Series
from tests.feedback.test_results import three_answers
from tests.figures.test_charts import decoded
from tests.helpers import confirmed, reply_text
from tests.people.test_stats import ADA, BEN, CY, JO, SPRING_END, admin, spring_with_three

NAMES = ("Ada", "Lovelace", "Ben", "Okafor", "Cy", "Twombly", "Mary")


async def ideas_on_two_days(core: Core, clock: SettableClock) -> None:
    """Two ideas and three votes on 2 April, one more idea and vote on 5 April (UTC noon:
    the same dates in New York)."""
    clock.set(datetime(2025, 4, 2, 16, 0, tzinfo=UTC))
    await core.run_text(ADA, "s4b", "idea Monthly belonging circles at the library")
    await core.run_text(BEN, "s4b", "idea A shared map of local belonging projects")
    for actor, idea in ((BEN, 1), (CY, 1), (ADA, 2)):
        await core.press(actor, action_id("vote_up", idea))
    clock.set(datetime(2025, 4, 5, 16, 0, tzinfo=UTC))
    await core.run_text(CY, "s4b", "idea Tea after every session")
    await core.press(ADA, action_id("vote_down", 3))


async def figures(core: Core, clock: SettableClock, series_id: int | None = None) -> Figures:
    async with core.db.transaction() as db:
        return await read_figures(db, clock.now(), series_id)


async def test_the_figures_count_per_session_and_per_day(core: Core, clock: SettableClock) -> None:
    await spring_with_three(core)
    await ideas_on_two_days(core, clock)
    before = await figures(core, clock)
    assert before.sessions[0] == SessionFigures("Spring 2025-04-29", 2, 1, 0)  # not held yet
    clock.set(SPRING_END + timedelta(hours=1))
    assert (await figures(core, clock)).sessions[0].attended is None  # held, not marked
    await admin(core, "attendance spring Ada Lovelace")

    found = await figures(core, clock)
    assert found.sessions[0] == SessionFigures("Spring 2025-04-29", 2, 1, 1)
    assert found.sessions[1] == SessionFigures("Summer 2025-06-24", 0, 0, 0)
    assert len(found.sessions) == len(before.sessions) > 2
    assert found.days == (
        DayFigures(date(2025, 4, 2), 2, 3),
        DayFigures(date(2025, 4, 5), 1, 1),
    )
    assert found.rated == ()
    async with core.db.transaction() as db:
        series = await db.scalar(select(Series.id))
    assert await figures(core, clock, series) == found
    assert await figures(core, clock, -1) == Figures()


async def test_stats_attach_the_charts_with_alt_texts_and_no_names(
    core: Core, clock: SettableClock
) -> None:
    await ideas_on_two_days(core, clock)
    await three_answers(core, clock)  # Ada, Mary, Ben rate Spring 5, 3, 4; none marked
    outcome = await confirmed(core, JO, "stats")
    assert outcome.reply is not None
    files = {a.filename: a for a in outcome.reply.attachments}
    assert list(files) == ["stats-attendance.png", "stats-ideas.png", "stats-feedback.png"]
    for attachment in files.values():
        assert attachment.mime == "image/png"
        assert decoded(attachment.content) == (450, 800)
        assert 0 < len(attachment.alt) <= 1024
        assert not any(name in attachment.alt for name in NAMES)
    assert files["stats-attendance.png"].alt.startswith(
        "Registrations and attendance per session: "
        "Spring 2025-04-29: 3 confirmed, 0 waitlisted, attendance not marked; "
        "Summer 2025-06-24: 0 confirmed, 0 waitlisted, 0 attended;"
    )
    assert files["stats-ideas.png"].alt == (
        "Ideas and votes over time, 3 ideas and 4 votes in all: "
        "2025-04-02: 2 ideas, 3 votes; 2025-04-05: 3 ideas, 4 votes."
    )
    assert files["stats-feedback.png"].alt == (
        "Average feedback rating per session: Spring 2025-04-29: 4.0 of 5 from 3 answers."
    )
    svg = attendance_chart((await figures(core, clock)).sessions, "svg").decode()
    assert not any(name in svg for name in NAMES)


async def test_stats_with_no_ideas_nor_feedback_attach_only_the_session_chart(
    core: Core, clock: SettableClock
) -> None:
    outcome = await confirmed(core, JO, "stats")
    assert outcome.reply is not None
    assert [a.filename for a in outcome.reply.attachments] == ["stats-attendance.png"]
    assert outcome.reply.text[0].spans == ("The programme in numbers, with charts:",)


async def test_stats_without_matplotlib_still_give_the_numbers(
    core: Core,
    clock: SettableClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*_: object) -> bytes:
        raise ImportError("No module named 'matplotlib'")

    monkeypatch.setattr(attach, "attendance_chart", broken)
    outcome = await confirmed(core, JO, "stats")
    assert outcome.reply is not None and outcome.reply.attachments == ()
    assert outcome.reply.text[0].spans == ("The programme in numbers:",)
    assert "Spring · 2025-04-29: 0 confirmed" in reply_text(outcome)
    assert "cannot draw the stats charts: ImportError" in caplog.text


async def test_a_series_counts_unlinked_ideas_only_while_it_runs(
    core: Core, clock: SettableClock
) -> None:
    clock.set(datetime(2025, 12, 1, 12, 0, tzinfo=UTC))  # after Year-End, the last session
    await core.run_text(ADA, "s4b", "idea Next year: a summer picnic")
    async with core.db.transaction() as db:
        series = await db.scalar(select(Series.id))
    assert (await figures(core, clock, series)).days == ()
    assert (await figures(core, clock)).days == (DayFigures(date(2025, 12, 1), 1, 0),)


async def test_a_cancelled_session_says_so_on_the_chart(core: Core, clock: SettableClock) -> None:
    await confirmed(core, JO, "session cancel summer The room is flooded")
    sessions = (await figures(core, clock)).sessions
    assert sessions[1] == SessionFigures("Summer 2025-06-24 (cancelled)", 0, 0, 0)
