"""Follow-up after each session, through the core and the dispatcher: who gets which DM and
when, the feedback form's checks (rating 1 to 5, one answer per member, only for who came),
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.feedback.kind import FOLLOWUP_AFTER, followup_after
from s4b_bot.invocation import Actor, FormSubmission, FormValue
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.output import Outcome
from s4b_bot.settings import Settings
from storage.feedback import Feedback
from storage.models import OutboxMessage, ProgrammeSession
from tests.fakes import RecordingPlatform, Sent
from tests.helpers import confirmed, flat, register, reply_text


def said(outcome: Outcome) -> str:
    return flat(reply_text(outcome))


ADA = Actor("console", "local", "ada", "Ada")
MARY = Actor("console", "local", "mary", "Mary")
BEN = Actor("console", "local", "ben", "Ben")
JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
SPRING_END = datetime(2025, 4, 29, 18, 0, tzinfo=UTC)
GOOD: dict[str, FormValue] = {
    "rating": "5",
    "worked": "The breakout rooms",
    "change": "Less time on slides",
    "contact": "yes",
}


async def session_id(core: Core, season: str) -> int:
    async with core.db.transaction() as db:
        found = await db.scalar(
            select(ProgrammeSession.id).where(ProgrammeSession.season == season)
        )
    assert found is not None
    return found


async def answers(core: Core) -> list[Feedback]:
    async with core.db.transaction() as db:
        return list((await db.scalars(select(Feedback).order_by(Feedback.id))).all())


async def give(
    core: Core, actor: Actor, values: dict[str, FormValue], season: str = "Spring"
) -> Outcome:
    form_id = f"feedback:{await session_id(core, season)}"
    return await core.submit(FormSubmission(actor, form_id, values))


def dms(platform: RecordingPlatform, to: str) -> list[Sent]:
    return [s for s in platform.sent if s.kind == "dm" and s.to == to]


def actions(sent: Sent) -> list[str]:
    return [b.action for card in sent.message.cards for b in card.buttons]


async def ada_came_mary_did_not(core: Core, clock: SettableClock) -> None:
    await register(core, ADA, "spring")
    await register(core, MARY, "spring")
    clock.set(SPRING_END + timedelta(minutes=30))
    await confirmed(core, JO, "attendance spring Ada")


async def test_an_hour_after_the_end_who_came_is_asked_and_who_missed_it_is_told(
    core: Core, clock: SettableClock, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await ada_came_mary_did_not(core, clock)
    spring, summer = await session_id(core, "Spring"), await session_id(core, "Summer")
    clock.set(SPRING_END + timedelta(minutes=59))
    await dispatcher.drain()
    assert not any("feedback" in s.text or "missed you" in s.text for s in platform.sent)

    clock.set(SPRING_END + timedelta(hours=1))
    await dispatcher.drain()
    [asked] = [s for s in dms(platform, "ada") if "Thank you for coming" in s.text]
    assert f"s4b:feedback:{spring}" in actions(asked)
    assert "`/s4b feedback spring`" in flat(asked.text)
    [told] = [s for s in dms(platform, "mary") if "We missed you" in s.text]
    assert f"s4b:feedback:{spring}" not in actions(told)
    assert f"s4b:register:{summer}" in actions(told)  # the next session, to register
    assert "summary is not posted yet; I will send you word when it is" in flat(told.text)
    assert not any("Thank you for coming" in s.text for s in dms(platform, "mary"))


async def test_the_summary_comes_with_the_news_when_it_is_already_posted(
    core: Core, clock: SettableClock, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await ada_came_mary_did_not(core, clock)
    values: dict[str, FormValue] = {
        "insights": "Belonging starts small",
        "recommendations": "Meet monthly",
        "resources": "The library's room",
        "collaboration": "A shared map",
        "attendance": "12",
    }
    spring = await session_id(core, "Spring")
    outcome = await core.submit(FormSubmission(JO, f"summary:{spring}", values))
    assert not outcome.field_errors
    clock.set(SPRING_END + timedelta(hours=1))
    await dispatcher.drain()
    [told] = [s for s in dms(platform, "mary") if "We missed you" in s.text]
    assert "Here is its summary" in told.text and "Belonging starts small" in told.text
    # In reading order: the summary's lead, its sections, then the next session's line and card.
    lead = [str(line.spans[0]) for line in told.message.text]
    assert lead[0].startswith("We missed you") and any(
        line.startswith("Summary of the Spring session") for line in lead
    )
    assert "Its web page is not available here" in told.text  # no S4B_PUBLIC_URL here
    titles = [card.title for card in told.message.cards]
    assert titles[:4] == ["Insights", "Recommendations", "Resources", "Collaboration opportunities"]
    assert titles[4] == "The next session, if you would like to join it"
    assert titles[5].startswith("2 · Summer Session") and len(titles) == 6


async def test_without_attendance_taken_every_registrant_is_asked(
    core: Core, clock: SettableClock, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await register(core, ADA, "spring")
    await register(core, MARY, "spring")
    await register(core, BEN, "summer")
    clock.set(SPRING_END + timedelta(hours=1))
    await dispatcher.drain()
    for who in ("ada", "mary"):
        assert any("Thank you for coming" in s.text for s in dms(platform, who))
    assert not any("Thank you for coming" in s.text for s in dms(platform, "ben"))
    # Without attendance, both may answer.
    assert not (await give(core, MARY, GOOD)).field_errors
    assert [a.rating for a in await answers(core)] == [5]


async def test_the_wait_after_the_end_is_a_setting(core: Core, clock: SettableClock) -> None:
    later = Core(
        core.db,
        clock=clock,
        settings=Settings(data_dir=core.settings.data_dir, followup_after_minutes=150),
    )
    await register(later, ADA, "spring")
    async with core.db.transaction() as db:
        [row] = (
            await db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "followup"))
        ).all()
    assert row.due_at == SPRING_END + timedelta(minutes=150)


async def test_a_rating_outside_1_to_5_is_refused_and_changes_nothing(
    core: Core, clock: SettableClock
) -> None:
    await ada_came_mary_did_not(core, clock)
    for rating in ("7", "0", "", "five", ("1", "2"), None):
        outcome = await give(core, ADA, {**GOOD, "rating": rating})
        assert "from 1 (poorly) to 5 (very well)" in outcome.field_errors["rating"]
    assert await answers(core) == []
    assert not (await give(core, ADA, {**GOOD, "rating": "3"})).field_errors
    outcome = await give(core, ADA, {**GOOD, "rating": "6", "worked": "Changed my mind"})
    assert outcome.field_errors
    [kept] = await answers(core)
    assert (kept.rating, kept.worked) == (3, "The breakout rooms")


async def test_contact_is_yes_or_no_and_texts_have_a_limit(
    core: Core, clock: SettableClock
) -> None:
    await ada_came_mary_did_not(core, clock)
    outcome = await give(core, ADA, {**GOOD, "contact": "maybe"})
    assert "yes or no" in outcome.field_errors["contact"]
    outcome = await give(core, ADA, {**GOOD, "change": "x" * 1_001})
    assert "change" in outcome.field_errors
    assert await answers(core) == []


async def test_answering_again_edits_the_one_answer(core: Core, clock: SettableClock) -> None:
    await ada_came_mary_did_not(core, clock)
    first = said(await give(core, ADA, GOOD))
    assert "is saved: 5 of 5" in first and "may contact you" in first
    opened = await core.run_text(ADA, "s4b", "feedback spring")
    assert opened.form is not None
    assert opened.form.field("rating").default == "5"
    assert opened.form.field("contact").default == "yes"
    again = said(await give(core, ADA, {**GOOD, "rating": ("2",), "contact": "no"}))
    assert "is updated: 2 of 5" in again and "will not contact you" in again
    [answer] = await answers(core)
    assert (answer.rating, answer.contact, answer.worked) == (2, False, "The breakout rooms")


async def test_only_who_came_can_answer_a_forged_submission_changes_nothing(
    core: Core, clock: SettableClock
) -> None:
    await register(core, ADA, "spring")
    await register(core, MARY, "spring")
    early = await give(core, ADA, GOOD)
    assert "has not taken place yet" in said(early)
    assert "has not taken place yet" in said(await core.run_text(ADA, "s4b", "feedback spring"))
    clock.set(SPRING_END + timedelta(minutes=30))
    await confirmed(core, JO, "attendance spring Ada")
    missed = await give(core, MARY, GOOD)  # Mary was not marked: the form is not hers
    assert "did not mark you as attending" in said(missed)
    stranger = await give(core, BEN, GOOD)  # Ben never registered
    assert "for those who registered and came" in said(stranger)
    pressed = await core.press(BEN, f"s4b:feedback:{await session_id(core, 'Spring')}")
    assert pressed.form is None and "nothing was saved" in said(pressed)
    other = await give(core, ADA, GOOD, season="Summer")  # a session Ada did not come to
    assert "has not taken place yet" in said(other)
    assert await answers(core) == []


async def test_a_cancelled_session_has_no_form(core: Core, clock: SettableClock) -> None:
    await register(core, ADA, "spring")
    await confirmed(core, JO, "session cancel spring")
    clock.set(SPRING_END + timedelta(hours=2))
    assert "was cancelled" in said(await give(core, ADA, GOOD))
    assert await answers(core) == []


def test_the_default_wait_is_the_settings_default() -> None:
    assert followup_after(Settings(_env_file=None)) == FOLLOWUP_AFTER == timedelta(hours=1)  # type: ignore[call-arg]


async def test_who_answered_before_the_dm_is_told_the_button_changes_it(
    core: Core, clock: SettableClock, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await register(core, ADA, "spring")
    clock.set(SPRING_END + timedelta(minutes=10))
    assert not (await give(core, ADA, GOOD)).field_errors  # `/s4b feedback` before the DM
    clock.set(SPRING_END + timedelta(hours=1))
    await dispatcher.drain()
    [asked] = [s for s in dms(platform, "ada") if "Thank you for coming" in s.text]
    assert "You have already answered" in flat(asked.text)
