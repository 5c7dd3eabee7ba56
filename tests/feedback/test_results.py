"""Feedback as organizers see it (stats, the summary export: texts without names, names
only of who asked to be contacted) and as personal data (my-data, forget-me, retention)."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormValue
from s4b_bot.people import privacy
from storage.feedback import Feedback
from storage.models import ProgrammeSession
from tests.feedback.test_followup import (
    ADA,
    BEN,
    GOOD,
    JO,
    MARY,
    SPRING_END,
    answers,
    give,
    said,
)
from tests.helpers import confirmed, register
from tests.people.test_linked_accounts import link


async def three_answers(core: Core, clock: SettableClock) -> None:
    """Ada (5, wants contact), Mary (3, no contact), Ben (4, no contact) on Spring."""
    for actor in (ADA, MARY, BEN):
        await register(core, actor, "spring", email=f"{actor.user_id}@example.org")
    clock.set(SPRING_END + timedelta(hours=1))
    for actor, rating, worked, contact in (
        (ADA, "5", "The breakout rooms", "yes"),
        (MARY, "3", "", "no"),
        (BEN, "4", "Mary's story 🌱", "no"),
    ):
        values: dict[str, FormValue] = {**GOOD, "rating": rating, "worked": worked}
        outcome = await give(core, actor, {**values, "contact": contact})
        assert not outcome.field_errors


async def test_stats_show_count_average_spread_and_who_wants_contact(
    core: Core, clock: SettableClock
) -> None:
    empty = said(await confirmed(core, JO, "stats"))
    assert "Feedback No feedback yet." in empty
    await three_answers(core, clock)
    text = said(await confirmed(core, JO, "stats"))
    assert (
        "Spring · 2025-04-29: 3 answers, average 4.0 of 5 "
        "(5★ 1 · 4★ 1 · 3★ 1 · 2★ 0 · 1★ 0), 1 wants to be contacted"
    ) in text
    for name in ("Ada", "Mary", "Ben"):
        assert name not in text.split("Feedback", 1)[1]  # numbers only


async def test_the_export_gives_texts_without_names_and_names_only_who_said_yes(
    core: Core, clock: SettableClock
) -> None:
    await three_answers(core, clock)
    outcome = await confirmed(core, JO, "summary export spring")
    assert "feedback (no summary yet)" in said(outcome)
    [file] = outcome.reply.attachments if outcome.reply else ()
    page = file.content.decode()
    worked = page.split("### What worked (anonymous)")[1].split("###")[0]
    assert "- The breakout rooms" in worked and "- Mary's story 🌱" in worked
    # Alphabetical, not in the order given (Ada's first): no text lines up with a contact.
    assert worked.index("Mary's story") < worked.index("The breakout rooms")
    for name in ("Ada", "Ben", "ben@", "mary@"):
        assert name not in page.split("### Asked to be contacted")[0]
    contacts = page.split("### Asked to be contacted about collaboration")[1]
    assert "Ada <ada@example.org>" in contacts
    assert "Ben" not in contacts and "mary@" not in contacts
    # Members cannot export it.
    refused = said(await core.run_text(ADA, "s4b-admin", "summary export spring"))
    assert "Only organizers" in refused and "breakout" not in refused


async def test_my_data_shows_the_answers_and_forget_me_erases_them(
    core: Core, clock: SettableClock
) -> None:
    await three_answers(core, clock)
    outcome = await core.run_text(ADA, "s4b", "my-data")
    assert "1 feedback answer" in said(outcome)
    assert outcome.reply is not None
    data = json.loads(outcome.reply.attachments[0].content)
    [mine] = data["feedback"]
    assert (mine["rating"], mine["what_worked"], mine["wants_to_be_contacted"]) == (
        5,
        "The breakout rooms",
        True,
    )
    assert mine["session"]["season"] == "Spring"
    forgotten = await core.run_text(ADA, "s4b", "forget-me confirm")
    assert "your feedback" in said(forgotten)
    assert sorted(a.rating for a in await answers(core)) == [3, 4]  # Ada's is gone


async def test_retention_keeps_only_the_ratings_of_a_finished_series(
    core: Core, clock: SettableClock
) -> None:
    await three_answers(core, clock)
    async with core.db.transaction() as db:
        ended = await db.scalar(select(func.max(ProgrammeSession.ends_at)))
    assert ended is not None
    async with core.db.transaction() as db:
        await privacy.apply_retention(db, now=ended + timedelta(days=89), days=90)
    assert {a.worked for a in await answers(core)} == {"The breakout rooms", "", "Mary's story 🌱"}
    async with core.db.transaction() as db:
        await privacy.apply_retention(db, now=ended + timedelta(days=91), days=90)
        kept = (await db.scalars(select(Feedback).order_by(Feedback.id))).all()
    assert [(a.rating, a.member_id, a.worked, a.change, a.contact) for a in kept] == [
        (5, None, "", "", False),
        (3, None, "", "", False),
        (4, None, "", "", False),
    ]
    text = said(await confirmed(core, JO, "stats"))
    assert "3 answers, average 4.0 of 5" in text and "0 want to be contacted" in text


async def test_linking_two_accounts_keeps_one_answer_per_session_the_later(
    core: Core, clock: SettableClock
) -> None:
    slack = Actor("slack", "T1", "U-ADA", "Ada")
    discord = Actor("discord", "G1", "D-ADA", "ada_l")
    await register(core, slack, "spring")
    await register(core, discord, "spring")
    clock.set(SPRING_END + timedelta(hours=1))
    assert not (await give(core, slack, {**GOOD, "rating": "2"})).field_errors
    clock.set(SPRING_END + timedelta(hours=2))
    assert not (await give(core, discord, {**GOOD, "rating": "5"})).field_errors
    await link(core, slack, discord)
    [kept] = await answers(core)
    assert kept.rating == 5
    opened = await core.run_text(slack, "s4b", "feedback spring")
    assert opened.form is not None and opened.form.field("rating").default == "5"
