"""The registry of outbox kinds: every kind declared is gathered and complete, and dedupe
keys keep the formats of rows already stored (old rows must still dedupe new ones)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import s4b_bot
from s4b_bot.conversation.ideas import IDEA_DIGEST, IDEA_POST, IDEA_STATUS
from s4b_bot.conversation.message_actions import MESSAGE_ACTION
from s4b_bot.conversation.summaries import SUMMARY_NOTICE, SUMMARY_POST
from s4b_bot.conversation.threads import MODERATE
from s4b_bot.feedback.kind import FOLLOWUP
from s4b_bot.outbox import registry
from s4b_bot.outbox.kinds import Change, OutboxKind, Recipients
from s4b_bot.outbox.session_followups import ANNOUNCEMENT_UPDATE, SESSION_MOVED_POST
from s4b_bot.outbox.session_posts import (
    ANNOUNCEMENT,
    SESSION_CANCELLED_POST,
    SESSION_SYNC,
    STARTING,
)
from s4b_bot.outbox.unreachable import THREAD_LEAVE, THREAD_NOTE
from s4b_bot.registration import offer_notices
from s4b_bot.registration.comeback import BACK_ON_POST, RESTORED
from s4b_bot.registration.notices import (
    CANCELLATION,
    INVITATION,
    NEW_EMAIL,
    PROMOTED,
    UPDATE,
    WAITLIST_NOTICE,
)
from s4b_bot.reminders.kind import REMINDER
from storage.models import Account, Community, Idea, OutboxMessage, ProgrammeSession, Summary
from storage.models_offers import WaitlistOffer

NOW = datetime(2025, 4, 1, 12, tzinfo=UTC)  # 1743508800
STARTS = datetime(2025, 4, 29, 17, tzinfo=UTC)  # 1745946000


def declared_kinds() -> list[OutboxKind[...]]:
    """Every OutboxKind at the top level of any module of the core."""
    found = []
    for info in pkgutil.walk_packages(s4b_bot.__path__, "s4b_bot."):
        module = importlib.import_module(info.name)
        found += [v for v in vars(module).values() if isinstance(v, OutboxKind)]
    return found


def test_every_declared_kind_is_in_the_registry() -> None:
    declared = {id(kind): kind.name for kind in declared_kinds()}
    gathered = {id(kind) for kind in registry.KINDS}
    assert {name for key, name in declared.items() if key not in gathered} == set()


def test_every_kind_declares_a_renderer_a_dedupe_key_and_its_withdrawals() -> None:
    for kind in registry.KINDS:
        assert kind.name and kind.label, kind
        assert callable(kind.render) and callable(kind.key), kind.name
        assert isinstance(kind.withdrawn_by, frozenset), kind.name
        assert all(isinstance(change, Change) for change in kind.withdrawn_by), kind.name
        if kind.recipients is Recipients.MEMBER:
            assert Change.FORGET_ME in kind.withdrawn_by, f"{kind.name}: forget-me"
    assert len({k.name for k in registry.KINDS}) == len(registry.KINDS)


def test_no_feature_writes_a_dedupe_key_by_hand() -> None:
    """Keys come from their kind's `key`: an f-string `dedupe_key=` is a key kept apart."""
    root = Path(s4b_bot.__file__).parent
    by_hand = [
        f"{path.relative_to(root)}:{node.lineno}"
        for path in root.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.keyword)
        and node.arg == "dedupe_key"
        and isinstance(node.value, ast.JoinedStr)
    ]
    assert by_hand == []


def test_dedupe_keys_keep_the_formats_of_rows_already_stored() -> None:
    session = ProgrammeSession(
        id=3,
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=1),
        sequence=2,
        status="rescheduled",
    )
    other = ProgrammeSession(id=4, starts_at=STARTS, sequence=1, status="scheduled")
    member = Account(id=7)
    idea = Idea(id=9, version=4)
    summary = Summary(id=5, version=2)
    pinned = {
        REMINDER.key(session=session, member=member, offset=timedelta(hours=1)): (
            "reminder:3:7:3600:1745946000"
        ),
        INVITATION.key(member=member, sessions=[session, other], now=NOW): (
            "invitation:7:3.2,4.1:1743508800"
        ),
        UPDATE.key(member=member, session=session): "update:7:3:2",
        PROMOTED.key(member=member, session=session, now=NOW): "promoted:7:3:1743508800",
        NEW_EMAIL.key(member=member, copies={4: 1, 3: 5}): "new_email:7:3.5,4.1",
        CANCELLATION.key(member=member, session=session, by_member=False, now=NOW): (
            "cancellation:7:3:2"
        ),
        CANCELLATION.key(member=member, session=session, by_member=True, now=NOW): (
            "cancellation:7:3:1743508800"
        ),
        WAITLIST_NOTICE.key(member=member, session=session): "waitlist_notice:7:3:2",
        RESTORED.key(member=member, session=session): "restored:7:3:2",
        FOLLOWUP.key(session=session, member=member): "followup:3:7:1745949600",
        BACK_ON_POST.key(session=session): "session_restored:3:2",
        SUMMARY_NOTICE.key(member=member, summary=summary): "summary_notice:7:5",
        SUMMARY_POST.key(summary=summary): "summary_post:5:2",
        IDEA_POST.key(idea=idea): "idea_post:9:4",
        IDEA_STATUS.key(idea=idea): "idea_status:9:4",
        IDEA_DIGEST.key(session=session, channel="organizers"): ("digest:3:1745946000:organizers"),
        ANNOUNCEMENT.key(session=session): "announce:3:1745946000",
        ANNOUNCEMENT.key(session=session, after=12): "announcement:3:manual:12",
        STARTING.key(session=session): "starting:3:1745946000",
        SESSION_CANCELLED_POST.key(session=session): "cancelled_post:3:2",
        SESSION_SYNC.key(session=session): "session_sync:3:2:rescheduled",
        SESSION_SYNC.key(session=session, community=Community(id=6)): (
            "session_sync:3:2:rescheduled@6"
        ),
        MODERATE.key(post="idea:9", action="lock", now=NOW): "moderate:idea:9:lock:1743508800",
        ANNOUNCEMENT_UPDATE.key(post=OutboxMessage(id=21), session=session): (
            "announcement_update:21:2"
        ),
        SESSION_MOVED_POST.key(session=session): "moved_post:3:2",
        offer_notices.OFFER.key(offer=WaitlistOffer(id=11)): "waitlist_offer:11",
        offer_notices.ENDED.key(offer=WaitlistOffer(id=11)): "offer_ended:11",
        offer_notices.FULL.key(member=member, session=session): "waitlist_full:7:3:2",
        THREAD_NOTE.key(row=OutboxMessage(id=21), session_id=3): "thread_note:21:3",
        THREAD_LEAVE.key(session_id=3, account=Account(id=8), now=NOW): (
            "thread_leave:3:8:1743508800"
        ),
        MESSAGE_ACTION.key(message=4, action="delete", now=NOW): (
            "message_action:4:delete:1743508800"
        ),
    }
    assert list(pinned) == list(pinned.values())
