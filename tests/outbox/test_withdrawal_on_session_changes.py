"""Every session change withdraws the pending rows of every outbox kind that declares it,
driven by the registry: a new kind is covered as soon as it declares its changes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.outbox import registry
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.outbox.kinds import Change, Recipients
from s4b_bot.people import privacy
from storage import outbox
from storage.models import Account, OutboxMessage, ProgrammeSession
from tests.fakes import RecordingPlatform
from tests.helpers import accept_offer, confirmed, register

ADA = Actor("console", "local", "ada", "Ada")
BEN = Actor("console", "local", "ben", "Ben")
JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
LATER = datetime(2026, 1, 1, tzinfo=UTC)
"""Rows planned by the test fall due long after it ends: only a withdrawal touches them."""


async def _account(core: Core, actor: Actor) -> Account:
    async with core.db.transaction() as db:
        found = await db.scalar(select(Account).where(Account.user_id == actor.user_id))
        assert found is not None
        return found


async def _forget(core: Core, actor: Actor) -> None:
    person = await _account(core, actor)
    async with core.db.transaction() as db:
        found = await db.get(Account, person.id)
        assert found is not None
        await privacy.forget(db, found, now=core.clock.now(), settings=core.settings)


async def _say(core: Core, actor: Actor, root: str, text: str) -> None:
    if root == "s4b-admin":
        outcome = await confirmed(core, actor, text)
    else:
        outcome = await core.run_text(actor, root, text)
    assert outcome.reply is not None


CHANGES: dict[Change, tuple[Actor, Callable[[Core], Awaitable[None]]]] = {
    Change.RESCHEDULE: (
        ADA,
        lambda core: _say(core, JO, "s4b-admin", "session reschedule spring 2025-05-06 13:00"),
    ),
    Change.CANCEL: (ADA, lambda core: _say(core, JO, "s4b-admin", "session cancel spring")),
    Change.UNREGISTER: (ADA, lambda core: _say(core, ADA, "s4b", "unregister spring")),
    Change.WAITLIST_MOVE: (BEN, lambda core: _offered_and_accepted(core)),
    Change.FORGET_ME: (ADA, lambda core: _forget(core, ADA)),
    Change.REMINDER_SETTINGS: (ADA, lambda core: _say(core, ADA, "s4b", "reminders 2d")),
}
"""Each change, made through the core, and the member it is about (Ben waits in line)."""


async def _offered_and_accepted(core: Core) -> None:
    await _say(core, JO, "s4b-admin", "session capacity spring 2")
    await accept_offer(core, BEN)


def test_every_change_is_exercised() -> None:
    assert set(CHANGES) == set(Change)


@pytest.mark.parametrize("change", list(Change), ids=str)
async def test_a_change_withdraws_every_pending_row_of_each_kind_that_declares_it(
    core: Core, change: Change
) -> None:
    await _say(core, JO, "s4b-admin", "session capacity spring 1")
    await register(core, ADA, "spring")
    await register(core, BEN, "spring")  # waitlisted
    subject, make_change = CHANGES[change]
    member = await _account(core, subject)
    kinds = [registry.BY_NAME[name] for name in registry.withdrawn_by(change)]
    assert kinds, f"no kind declares {change}"
    async with core.db.transaction() as db:
        spring = await db.scalar(
            select(ProgrammeSession.id).where(ProgrammeSession.season == "Spring")
        )
        assert spring is not None
        planted = {}
        for kind in kinds:
            to_member = kind.recipients is Recipients.MEMBER
            await outbox.plan(
                db,
                dedupe_key=f"test:{kind.name}",
                kind=kind.name,
                due_at=LATER,
                now=core.clock.now(),
                platform="console",
                member_id=member.id if to_member else None,
                community_id=None if to_member else member.community_id,
                session_id=spring,
                payload={"sessions": [spring]},
            )
            row_id = await db.scalar(
                select(OutboxMessage.id).where(OutboxMessage.dedupe_key == f"test:{kind.name}")
            )
            planted[kind.name] = row_id
    await make_change(core)
    async with core.db.transaction() as db:
        still = {
            name: row.status
            for name, row_id in planted.items()
            if (row := await db.get(OutboxMessage, row_id)) is not None and row.status == "pending"
        }
    assert still == {}, f"{change} left these kinds pending"


async def test_the_waitlist_hears_once_when_its_session_moves_twice(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await _say(core, JO, "s4b-admin", "session capacity spring 1")
    await register(core, ADA, "spring")
    await register(core, BEN, "spring")
    await dispatcher.drain()
    await _say(core, JO, "s4b-admin", "session reschedule spring 2025-05-06 13:00")
    await _say(core, JO, "s4b-admin", "session reschedule spring 2025-05-07 13:00")
    await dispatcher.drain()
    [moved] = platform.dms_to("ben")
    assert "you are waiting for has moved" in moved.text and "May 7" in moved.text


async def _followups(core: Core) -> list[tuple[int | None, str, datetime]]:
    """The follow-up rows: whose, their status, when due (a withdrawn row's key is freed)."""
    async with core.db.transaction() as db:
        rows = (
            await db.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.kind == "followup")
                .order_by(OutboxMessage.id)
            )
        ).all()
        return [(row.member_id, row.status, row.due_at) for row in rows]


async def test_a_cancelled_session_sends_no_follow_up(
    core: Core, clock: SettableClock, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await register(core, ADA, "spring")
    [(_, status, _)] = await _followups(core)
    assert status == "pending"
    await _say(core, JO, "s4b-admin", "session cancel spring")
    clock.set(datetime(2025, 4, 30, tzinfo=UTC))
    await dispatcher.drain()
    assert [status for _, status, _ in await _followups(core)] == ["withdrawn"]
    assert not any("Thank you for coming" in s.text for s in platform.dms_to("ada"))


async def test_a_rescheduled_session_moves_its_follow_up(
    core: Core, clock: SettableClock, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await register(core, ADA, "spring")
    await _say(core, JO, "s4b-admin", "session reschedule spring 2025-05-06 13:00")
    old, new = await _followups(core)
    assert old[1] == "withdrawn" and new[1] == "pending"
    assert new[2] == datetime(2025, 5, 6, 19, tzinfo=UTC)  # 13:00 EDT + 1 h session + 1 h
    clock.set(datetime(2025, 4, 29, 19, 30, tzinfo=UTC))  # the old time has nothing
    await dispatcher.drain()
    assert not any("Thank you for coming" in s.text for s in platform.dms_to("ada"))
    clock.set(datetime(2025, 5, 6, 19, tzinfo=UTC))
    await dispatcher.drain()
    assert sum("Thank you for coming" in s.text for s in platform.dms_to("ada")) == 1


async def test_leaving_withdraws_the_follow_up_and_an_accepted_offer_plans_one(
    core: Core,
) -> None:
    await _say(core, JO, "s4b-admin", "session capacity spring 1")
    await register(core, ADA, "spring")
    await register(core, BEN, "spring")  # waitlisted: no follow-up yet
    ada, ben = await _account(core, ADA), await _account(core, BEN)
    assert [(who, status) for who, status, _ in await _followups(core)] == [(ada.id, "pending")]
    await _say(core, ADA, "s4b", "unregister spring")
    # Ben is offered the seat: no follow-up until he accepts it.
    assert [(who, status) for who, status, _ in await _followups(core)] == [(ada.id, "withdrawn")]
    await accept_offer(core, BEN)
    assert [(who, status) for who, status, _ in await _followups(core)] == [
        (ada.id, "withdrawn"),
        (ben.id, "pending"),
    ]
