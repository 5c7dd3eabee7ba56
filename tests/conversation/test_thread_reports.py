"""Reporting messages in the bot's discussion threads, through the core and the real
dispatcher: the gesture, the form, one report per member, the queue, takedown after the
threshold, remove / slow / dismiss, the audit log, and personal data."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor, ChatMessage, FormSubmission
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.people.privacy import apply_retention
from storage.models import AuditEntry, OutboxMessage, Report
from storage.thread_models import ThreadMessage
from tests.fakes import RecordingPlatform
from tests.helpers import flat, reply_text
from tests.logcapture import debug_logging

ADA = Actor("console", "local", "ada", "Ada")
BEN = Actor("console", "local", "ben", "Ben Secretname")
CY = Actor("console", "local", "cy", "Cy")
DI = Actor("console", "local", "di", "Di")
JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
REPORT = "report_message"
SAID = "Only fools like Ada want this"


async def idea_thread(core: Core, dispatcher: Dispatcher, platform: RecordingPlatform) -> str:
    """Post an idea (its thread opens under it); the post's ref."""
    await core.run_text(ADA, "s4b", "idea A shared map of belonging projects")
    await dispatcher.drain()
    [post] = [p for p in platform.posts() if p.to == "ideas"]
    assert post.thread is not None
    return f"ideas:{platform.sent.index(post) + 1}"


def in_thread(post: str, number: int = 2, text: str = SAID, author: str = "ada") -> ChatMessage:
    return ChatMessage(post, f"{post}/{number}", (post,), author, text, link=f"link/{number}")


async def report(core: Core, actor: Actor, message: ChatMessage, reason: str) -> str:
    opened = await core.gesture(actor, REPORT, message)
    if opened.form is None:
        return flat(reply_text(opened))
    sent = await core.submit(FormSubmission(actor, opened.form.id, {"reason": reason}))
    return flat(reply_text(sent))


async def count(core: Core, model: type[object]) -> int:
    async with core.db.transaction() as db:
        return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def test_only_messages_in_the_bots_threads_can_be_reported_and_nothing_is_kept_elsewhere(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    post = await idea_thread(core, dispatcher, platform)
    elsewhere = ChatMessage("ideas", "ideas/1", (), "ada", "hello")
    other_thread = ChatMessage("x", "x/1", ("announcements:1",), "ada", "hello")
    for message in (elsewhere, other_thread):
        outcome = await core.gesture(BEN, REPORT, message)
        assert outcome.form is None
        assert "Only messages in my discussion threads" in reply_text(outcome)
    own = ChatMessage("ideas", post, (), "s4b", "", by_bot=True)
    assert "a bot's post" in reply_text(await core.gesture(BEN, REPORT, own))
    assert await count(core, ThreadMessage) == 0 and await count(core, Report) == 0
    unknown = await core.gesture(BEN, "nonsense", in_thread(post))
    assert reply_text(unknown) == "That message action is no longer offered; nothing was done."


async def test_a_report_joins_the_queue_with_link_and_reason_once_per_member(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    post = await idea_thread(core, dispatcher, platform)
    opened = await core.gesture(BEN, REPORT, in_thread(post))
    assert opened.form is not None and opened.form.title == "Report to organizers"
    blank = await core.submit(FormSubmission(BEN, opened.form.id, {"reason": "  "}))
    assert blank.field_errors and await count(core, Report) == 0
    assert "Thank you" in await report(core, BEN, in_thread(post), "Personal attack")
    again = await core.gesture(BEN, REPORT, in_thread(post))
    assert again.form is None and "You already reported this message" in reply_text(again)
    # The old form, sent a second time, stores nothing more either.
    twice = await core.submit(FormSubmission(BEN, opened.form.id, {"reason": "again"}))
    assert "already reported" in reply_text(twice) and await count(core, Report) == 1
    queue = flat(reply_text(await core.run_text(JO, "s4b-admin", "queue")))
    assert f"“{SAID}”" in queue and "Link: link/2" in queue
    assert "Reason (#1): Personal attack" in queue and "discussion of idea #1" in queue
    assert "Ben" not in queue  # the reporter is never named, not even to organizers
    member_view = await core.run_text(ADA, "s4b-admin", "queue")
    assert member_view.organizers_only and SAID not in reply_text(member_view)
    async with core.db.transaction() as db:
        entries = (await db.scalars(select(AuditEntry))).all()
    assert [(e.actor_name, e.action) for e in entries] == [
        ("a member (not named)", "message reported")
    ]
    assert all("Ben" not in str(vars(e)) and SAID not in str(vars(e)) for e in entries)
    await dispatcher.drain()
    assert platform.deleted == [] and not [p for p in platform.posts() if p.to == "organizers"]


async def test_three_members_take_a_message_down_pending_review(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    post = await idea_thread(core, dispatcher, platform)
    for actor in (BEN, CY):
        await report(core, actor, in_thread(post), "insult")
    await dispatcher.drain()
    assert platform.deleted == []
    await report(core, DI, in_thread(post), "insult")
    await dispatcher.drain()
    assert platform.deleted == [(post, f"{post}/2")]
    [told] = [p for p in platform.posts() if p.to == "organizers"]
    # One name for the message everywhere: its first report's number and its discussion.
    named = "the message of report #1 in the discussion of idea #1"
    assert (
        "The message of report #1 in the discussion of idea #1 was taken down (deleted): reported by 3 members"
        in flat(told.text)
    )
    assert SAID not in told.text  # the text stays in the queue
    queue = flat(reply_text(await core.run_text(JO, "s4b-admin", "queue")))
    assert "Reports #1, #2, #3 on a message in the discussion of idea #1 ·" in queue
    assert "taken down pending your review; 3 members reported it" in queue and SAID in queue
    audit = flat(reply_text(await core.run_text(JO, "s4b-admin", "audit")))
    assert f"a member (not named) (console) · message reported {named}" in audit
    assert f"S4B (automatic) (console) · message taken down {named}" in audit
    assert f"S4B (automatic) (console) · message deleted {named}" in audit
    # A fourth report neither deletes twice nor stores a second copy.
    await report(core, ADA, in_thread(post), "me too")
    await dispatcher.drain()
    assert len(platform.deleted) == 1 and await count(core, ThreadMessage) == 1
    # An organizer's `remove` in the same second still asks again (a takedown may have
    # failed); the message is already gone, and the audit log says so, not "deleted" again.
    await core.run_text(JO, "s4b-admin", "resolve 1 remove")
    await dispatcher.drain()
    assert platform.deleted == [(post, f"{post}/2")]
    audit = flat(reply_text(await core.run_text(JO, "s4b-admin", "audit")))
    assert f"S4B (automatic) (console) · message already gone {named}" in audit
    assert audit.count("message deleted") == 1
    assert "Jo (console) · report remove report #1 on a message in the discussion" in audit


async def test_dismissing_a_message_taken_down_gives_its_text_back_to_the_organizer(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    post = await idea_thread(core, dispatcher, platform)
    core.settings.takedown_reports = 1
    await report(core, BEN, in_thread(post), "I misread it")
    await dispatcher.drain()
    assert platform.deleted == [(post, f"{post}/2")]
    told = flat(reply_text(await core.run_text(JO, "s4b-admin", "resolve 1 dismiss")))
    assert "once deleted, no platform brings it back" in told and f"“{SAID}”" in told
    member = await core.run_text(BEN, "s4b-admin", "resolve 1 dismiss")
    assert member.organizers_only and SAID not in reply_text(member)


async def test_where_the_bot_may_not_delete_the_organizers_are_told_how_by_hand(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    post = await idea_thread(core, dispatcher, platform)
    platform.cannot_delete = "Open the link, hover the message, ⋯ → Delete message."
    core.settings.takedown_reports = 2
    for actor in (BEN, CY):
        await report(core, actor, in_thread(post), "spam")
    await dispatcher.drain()
    [told] = [p for p in platform.posts() if p.to == "organizers"]
    assert flat(told.text) == (
        "The message of report #1 in the discussion of idea #1 (link/2) was reported by 2 "
        "members, so it is "
        "to be taken down pending your review, but I could not delete it; it is still up. "
        "Open the link, hover the message, ⋯ → Delete message."
    )
    async with core.db.transaction() as db:
        row = await db.scalar(select(OutboxMessage).where(OutboxMessage.kind == "message_action"))
    assert row is not None and row.status == "failed" and "Delete message" in str(row.last_error)
    audit = flat(reply_text(await core.run_text(JO, "s4b-admin", "audit")))
    assert "message deleted: failed" in audit
    queue = flat(reply_text(await core.run_text(JO, "s4b-admin", "queue")))
    assert "(still up: I could not delete it, and told the organizers' channel how;" in queue
    # A third report does not alert the organizers again; a `remove` tries once more.
    await report(core, DI, in_thread(post), "spam")
    platform.cannot_delete = None
    await core.run_text(JO, "s4b-admin", "resolve 1 remove")
    await dispatcher.drain()
    assert platform.deleted == [(post, f"{post}/2")]
    assert len([p for p in platform.posts() if p.to == "organizers"]) == 1


async def test_organizers_remove_slow_or_dismiss(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    post = await idea_thread(core, dispatcher, platform)
    await report(core, BEN, in_thread(post, 2), "spam")
    await report(core, CY, in_thread(post, 2), "spam too")
    await report(core, BEN, in_thread(post, 3, "heated"), "heated")
    await report(core, BEN, in_thread(post, 4, "fine"), "mistake")
    hide = await core.run_text(JO, "s4b-admin", "resolve 1 hide")
    assert "is about a message in a thread" in reply_text(hide)
    bad = await core.run_text(JO, "s4b-admin", "resolve 3 slow --every 7h")
    assert "at most 6 hours" in reply_text(bad)
    worse = await core.run_text(JO, "s4b-admin", "resolve 3 slow --every soon")
    assert "'soon' is not a slow-mode interval" in reply_text(worse)
    removed = flat(reply_text(await core.run_text(JO, "s4b-admin", "resolve 1 remove spam")))
    assert "Report 1 resolved (remove). With it, 1 other report of the same message." in removed
    slowed = flat(reply_text(await core.run_text(JO, "s4b-admin", "resolve 3 slow --every 10m")))
    assert "one message per 10 minutes per member" in slowed
    kept = flat(reply_text(await core.run_text(JO, "s4b-admin", "resolve 4 dismiss")))
    assert kept.startswith("Report 4 resolved (dismiss).")
    await dispatcher.drain()
    assert platform.deleted == [(post, f"{post}/2")]
    assert platform.slowed == [(post, 600)]
    assert "The moderation queue is empty." in reply_text(
        await core.run_text(JO, "s4b-admin", "queue")
    )
    audit = flat(reply_text(await core.run_text(JO, "s4b-admin", "audit")))
    assert "report remove report #1 on a message in the discussion of idea #1 · why: spam" in audit
    assert (
        "report slow report #3 on a message in the discussion of idea #1 · why: every 10" in audit
    )
    assert "S4B (automatic) (console) · thread slowed the discussion of idea #1" in audit
    assert "report dismiss" in audit


@pytest.mark.parametrize("every", ["0", "10", "29s", "5s", "0m"])
async def test_slow_mode_under_30_seconds_is_refused_and_the_report_stays_open(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, every: str
) -> None:
    post = await idea_thread(core, dispatcher, platform)
    await report(core, BEN, in_thread(post, 2), "heated")
    refused = flat(
        reply_text(await core.run_text(JO, "s4b-admin", f"resolve 1 slow --every {every}"))
    )
    assert refused == (
        "Slow mode must leave at least 30 seconds (30s) between a member's messages; "
        "`--every off` turns it off. Nothing changed."
    )
    await dispatcher.drain()
    assert platform.slowed == []
    assert "Report #1 on" in reply_text(await core.run_text(JO, "s4b-admin", "queue"))


async def test_slow_mode_takes_compound_durations_and_off(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    post = await idea_thread(core, dispatcher, platform)
    for number in (2, 3, 4):
        await report(core, BEN, in_thread(post, number, f"text {number}"), "heated")
    mixed = flat(reply_text(await core.run_text(JO, "s4b-admin", "resolve 1 slow --every 1h30m")))
    assert "one message per 90 minutes per member" in mixed
    over = reply_text(await core.run_text(JO, "s4b-admin", "resolve 2 slow --every 5h61m"))
    assert "at most 6 hours" in over
    await core.run_text(JO, "s4b-admin", "resolve 2 slow --every 30s")
    off = flat(reply_text(await core.run_text(JO, "s4b-admin", "resolve 3 slow --every off")))
    assert "no slow mode" in off
    await dispatcher.drain()
    assert platform.slowed == [(post, 5400), (post, 30), (post, 0)]


async def test_an_idea_report_cannot_be_resolved_with_message_actions(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await idea_thread(core, dispatcher, platform)
    await core.run_text(BEN, "s4b", "report 1 off topic")
    refused = await core.run_text(JO, "s4b-admin", "resolve 1 remove")
    assert reply_text(refused) == "Report 1 is about idea #1: `dismiss` or `hide`."


async def test_my_data_lists_ones_own_reported_messages_but_not_who_reported_them_or_why(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    post = await idea_thread(core, dispatcher, platform)
    await report(core, CY, in_thread(post, 2, author="ben"), "Qzx-reason")
    await report(core, CY, in_thread(post, 3, "Ada's own words", author="ada"), "Qzx-other")
    outcome = await core.run_text(BEN, "s4b", "my-data")
    assert outcome.reply is not None
    assert "1 reported message" in flat(reply_text(outcome))
    content = outcome.reply.attachments[0].content.decode()
    assert json.loads(content)["reported_messages"] == [
        {
            "text": SAID,
            "where": "the discussion of idea #1",
            "platform": "console",
            "link": "link/2",
            "kept_since": json.loads(content)["reported_messages"][0]["kept_since"],
        }
    ]
    for other in ("Qzx", '"cy"', "Cy", "Ada's own words"):
        assert other not in content
    reporter = await core.run_text(CY, "s4b", "my-data")
    assert reporter.reply is not None
    assert json.loads(reporter.reply.attachments[0].content)["reported_messages"] == []


@pytest.mark.parametrize("forget", [True, False])
async def test_forget_me_and_retention(
    core: Core,
    dispatcher: Dispatcher,
    platform: RecordingPlatform,
    clock: SettableClock,
    forget: bool,
) -> None:
    post = await idea_thread(core, dispatcher, platform)
    await report(core, BEN, in_thread(post, 2, author="ada"), "spam")
    await core.gesture(CY, REPORT, in_thread(post, 3, "never reported"))
    assert await count(core, ThreadMessage) == 2
    if forget:
        asked = await core.run_text(ADA, "s4b", "forget-me")
        assert asked.reply is not None
        button = next(b for c in asked.reply.cards for b in c.buttons if "forget" in b.action)
        await core.press(ADA, button.action)
        queue = flat(reply_text(await core.run_text(JO, "s4b-admin", "queue")))
        assert SAID not in queue and "(forgotten at its author's request)" in queue
    else:
        clock.set(clock.now() + timedelta(days=2))
        async with core.db.transaction() as db:
            await apply_retention(db, now=clock.now(), days=90)
        async with core.db.transaction() as db:
            left = (await db.scalars(select(ThreadMessage.message_id))).all()
        assert left == [f"{post}/2"]  # the one never reported is gone, the reported one stays


async def test_the_message_its_reporters_and_their_reasons_stay_out_of_the_debug_log(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    secret = "Qzx insults Ada's bees"
    with debug_logging() as log:
        post = await idea_thread(core, dispatcher, platform)
        platform.cannot_delete = "Delete it by hand."
        core.settings.takedown_reports = 2
        for actor in (BEN, CY):
            await report(core, actor, in_thread(post, text=secret), "Qzx-reason")
        await dispatcher.drain()
        await core.run_text(JO, "s4b-admin", "queue")
        await core.run_text(JO, "s4b-admin", "resolve 1 remove")
        await dispatcher.drain()
        assert platform.deleted == [] and [p for p in platform.posts() if p.to == "organizers"]
    written = log.getvalue()
    assert "debug lines are written" in written
    for private in (secret, "Qzx-reason", "Ben Secretname"):
        assert private not in written, private
