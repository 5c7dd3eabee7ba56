"""Messages that always arrive: a DM its member cannot get (DMs closed, account gone) is
kept, not retried; the member sees it, privately and once, in their next reply; organizers
see who is unreachable; forget-me erases what waits; where the platform has private
threads, a seat holder gets it in the session's thread, with nothing personal in it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from s4b_bot.core import Core
from s4b_bot.errors import PermanentFailure
from s4b_bot.invocation import Actor
from s4b_bot.outbox import in_bot
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.output import Message
from s4b_bot.ports import Recipient, SessionThread
from s4b_bot.routing.actions import action_id
from storage.models import Account, OutboxMessage
from tests.fakes import RecordingPlatform, Sent
from tests.helpers import confirmed, flat, message_text, register, reply_text

ADA = Actor("console", "local", "ada", "Ada")
BEN = Actor("console", "local", "ben", "Ben")
JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
NOTE = "A message could not reach you: calendar invitation"


def dms_closed_for(*user_ids: str):  # type: ignore[no-untyped-def]
    def fail(item: Sent) -> None:
        if item.kind == "dm" and item.to in user_ids:
            raise PermanentFailure("DMs closed (code 50007)", unreachable=True)

    return fail


async def statuses(core: Core, kind: str | None = None) -> list[str]:
    async with core.db.transaction() as db:
        query = select(OutboxMessage.status).order_by(OutboxMessage.id)
        if kind is not None:
            query = query.where(OutboxMessage.kind == kind)
        return list(await db.scalars(query))


async def test_an_unreachable_dm_is_kept_and_never_retried(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    platform.fail = dms_closed_for("ada")
    await register(core, ADA, "spring", email="ada@example.org")
    await dispatcher.drain()
    assert await statuses(core, "invitation") == ["unreachable"]
    attempts = len(platform.sent)
    platform.fail = None  # even were the DMs open again, an unreachable row is not retried
    await dispatcher.drain()
    assert await statuses(core, "invitation") == ["unreachable"]
    assert platform.dms_to("ada") == [] and len(platform.sent) == attempts


async def test_the_member_sees_what_waits_once_privately_and_no_one_else_does(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    platform.fail = dms_closed_for("ada")
    await register(core, ADA, "spring", email="ada@example.org")
    await register(core, BEN, "spring")
    await dispatcher.drain()
    await core.run_text(JO, "s4b-admin", "session call spring https://meet.example/s4b-spring")
    await dispatcher.drain()  # Ada's update fails too; Ben's arrives
    ben = flat(reply_text(await core.run_text(BEN, "s4b", "mine")))
    assert "could not reach you" not in ben
    outcome = await core.run_text(ADA, "s4b", "mine")
    assert not outcome.public
    text = flat(reply_text(outcome))
    assert "Your registrations" in text  # the reply itself, then the note
    # The update supersedes the invitation (both bring the session as it is now): one note.
    assert NOTE not in text and "A message could not reach you: updated invitation" in text
    assert "https://meet.example/s4b-spring" in text
    files = [a.filename for a in outcome.reply.attachments]  # type: ignore[union-attr]
    assert files == ["s4b-spring-2025-04-29.ics"]  # the newer file only
    assert await statuses(core, "invitation") == ["withdrawn", "sent"]  # Ada's, Ben's
    assert await statuses(core, "update") == ["in_bot", "sent"]
    again = flat(reply_text(await core.run_text(ADA, "s4b", "help")))
    assert "could not reach you" not in again


async def test_what_no_longer_applies_is_not_shown(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    platform.fail = dms_closed_for("ada")
    await register(core, ADA, "spring", "fall")
    await dispatcher.drain()
    text = flat(reply_text(await core.run_text(ADA, "s4b", "unregister spring")))
    assert "no longer registered" in text
    note = text.split(NOTE)[1]  # the invitation still holds, for the Fall session only
    assert "Fall Session" in note and "Spring Session" not in note
    assert NOTE not in flat(reply_text(await core.run_text(ADA, "s4b", "mine")))


async def test_a_withdrawn_message_is_not_shown(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    platform.fail = dms_closed_for("ada")
    await register(core, ADA, "spring")
    await dispatcher.drain()
    await confirmed(core, JO, "session cancel spring The room is flooded")
    await dispatcher.drain()
    assert await statuses(core, "invitation") == ["withdrawn"]
    text = flat(reply_text(await core.run_text(ADA, "s4b", "mine")))
    assert NOTE not in text
    assert "A message could not reach you: calendar cancellation" in text


async def test_organizers_see_who_is_unreachable_and_members_cannot(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    platform.fail = dms_closed_for("ada")
    await register(core, ADA, "spring", email="ada@example.org")
    await dispatcher.drain()
    report = flat(reply_text(await core.run_text(JO, "s4b-admin", "deliveries")))
    assert "1 waiting for members whom DMs do not reach" in report
    assert "Unreachable by DM: 1 member" in report
    assert "Ada on console: 1 message waiting since" in report
    assert "in no session thread" in report and "ada@example.org" not in report
    refused = await core.run_text(ADA, "s4b-admin", "deliveries")
    assert refused.organizers_only and "Unreachable" not in reply_text(refused)


async def test_forget_me_erases_what_waits(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    platform.fail = dms_closed_for("ada")
    await register(core, ADA, "spring")
    await dispatcher.drain()
    async with core.db.transaction() as db:
        ada = await db.scalar(select(Account).where(Account.user_id == "ada"))
    assert ada is not None
    await core.run_text(ADA, "s4b", "forget-me")
    text = flat(reply_text(await core.press(ADA, action_id("forget", ada.id))))
    assert NOTE not in text
    assert await statuses(core, "invitation") == []


async def test_shown_once_by_the_platform_counts_as_delivered(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    def shown(item: Sent) -> None:
        if item.kind == "dm":
            raise PermanentFailure("DMs closed; shown instead", unreachable=True, shown=True)

    platform.fail = shown
    await register(core, ADA, "spring")
    await dispatcher.drain()
    assert await statuses(core, "invitation") == ["in_bot"]
    assert NOTE not in reply_text(await core.run_text(ADA, "s4b", "mine"))


@dataclass
class ThreadsPlatform(RecordingPlatform):
    """A platform with private threads (as Discord): records each note and thread."""

    private_threads: bool = True
    notes: list[tuple[str, SessionThread, Message]] = field(default_factory=list)
    left: list[tuple[str | None, tuple[str, ...]]] = field(default_factory=list)

    async def post_in_session_thread(
        self, recipient: Recipient, thread: SessionThread, message: Message
    ) -> str:
        self.notes.append((recipient.user_id, thread, message))
        return thread.ref or f"thread-{thread.session_id}"

    async def leave_session_thread(self, community: str, thread: SessionThread) -> None:
        self.left.append((thread.ref, thread.leave))


async def test_a_seat_holder_is_reached_in_the_sessions_private_thread(
    core: Core, clock: object
) -> None:
    platform = ThreadsPlatform(fail=dms_closed_for("ada", "ben", "cy"))
    dispatcher = Dispatcher(
        core.db, platforms={"console": platform}, clock=core.clock, settings=core.settings
    )
    await core.run_text(JO, "s4b-admin", "session call spring https://meet.example/s4b-spring")
    await confirmed(core, JO, "session capacity spring 2")
    await register(core, ADA, "spring", email="ada@example.org")
    await register(core, BEN, "spring")
    await register(core, Actor("console", "local", "cy", "Cy"), "spring")  # waitlisted
    await dispatcher.drain()  # the DMs fail, and plan their notes
    await dispatcher.drain()
    assert sorted(n[0] for n in platform.notes) == ["ada", "ben"]  # never the waitlisted
    (_, first, _), (_, second, _) = platform.notes
    assert first.ref is None and second.ref == "thread-" + str(first.session_id)  # one thread
    message = next(m for user, _, m in platform.notes if user == "ada")
    text = flat(message_text(message))
    assert "You have a seat in the Spring session" in text
    assert "https://meet.example/s4b-spring" in text
    assert "ada@example.org" not in text and "Ada" not in text and not message.attachments
    assert await statuses(core, "thread_note") == ["sent", "sent"]
    report = flat(reply_text(await core.run_text(JO, "s4b-admin", "deliveries")))
    assert "Unreachable by DM: 2 members" in report and "Cy" not in report
    assert report.count("in the thread of Spring") == 2
    # What she was told in the thread still comes privately, with her calendar file.
    assert NOTE in flat(reply_text(await core.run_text(ADA, "s4b", "mine")))


async def test_a_long_wait_comes_a_few_at_a_time(
    core: Core,
    dispatcher: Dispatcher,
    platform: RecordingPlatform,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(in_bot, "SHOWN_AT_ONCE", 1)
    platform.fail = dms_closed_for("ada")
    await register(core, ADA, "spring", "fall")
    await dispatcher.drain()
    for season in ("spring", "fall"):  # two updates: together they supersede the invitation
        await core.run_text(JO, "s4b-admin", f"session call {season} https://meet.example/{season}")
    await dispatcher.drain()
    updated = "A message could not reach you: updated invitation"
    first = flat(reply_text(await core.run_text(ADA, "s4b", "mine")))
    assert NOTE not in first and "https://meet.example/spring" in first.split(updated)[1]
    assert "More messages could not reach you: they come with your next command." in first
    second = flat(reply_text(await core.run_text(ADA, "s4b", "mine")))
    assert "https://meet.example/fall" in second.split(updated)[1]
    assert "More messages" not in second


async def test_of_messages_about_the_same_session_only_the_latest_waits(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    platform.fail = dms_closed_for("ada")
    await register(core, ADA, "spring")
    await dispatcher.drain()
    await confirmed(core, JO, "session reschedule spring 2025-05-06 13:00")
    await core.run_text(JO, "s4b-admin", "session call spring https://meet.example/NEW")
    await dispatcher.drain()
    text = flat(reply_text(await core.run_text(ADA, "s4b", "mine")))
    assert text.count("A message could not reach you") == 1
    assert "A message could not reach you: updated invitation" in text
    assert "The call details of the Spring session have changed" in text
    assert "https://meet.example/NEW" in text
    assert await statuses(core, "invitation") == ["withdrawn"]
    assert await statuses(core, "update") == ["withdrawn", "in_bot"]


async def test_forget_me_takes_the_member_out_of_each_session_thread_they_were_in(
    core: Core,
) -> None:
    platform = ThreadsPlatform(fail=dms_closed_for("ada", "ben"))
    dispatcher = Dispatcher(
        core.db, platforms={"console": platform}, clock=core.clock, settings=core.settings
    )
    await register(core, ADA, "spring", "summer")
    await register(core, BEN, "spring")
    await dispatcher.drain()
    await dispatcher.drain()
    threads = sorted({thread.session_id for _, thread, _ in platform.notes})
    assert len(threads) == 2
    await core.run_text(BEN, "s4b", "forget-me confirm")  # in one thread: out of it
    await core.run_text(Actor("console", "local", "cy", "Cy"), "s4b", "forget-me confirm")
    await core.run_text(ADA, "s4b", "forget-me confirm")
    await dispatcher.drain()
    await dispatcher.drain()
    assert sorted(platform.left) == sorted(
        [(f"thread-{threads[0]}", ("ben",))]
        + [(f"thread-{session}", ("ada",)) for session in threads]
    )  # Cy, never in a thread, plans nothing
    assert len(platform.notes) == 3  # nothing new is posted
    async with core.db.transaction() as db:
        rows = (await db.scalars(select(OutboxMessage))).all()
    leaves = [r for r in rows if r.kind == "thread_leave"]
    assert [(r.status, r.payload) for r in leaves] == [("sent", {})] * 3
