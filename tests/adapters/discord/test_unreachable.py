"""Messages that always arrive, on Discord: a registrant whose DMs stay closed (403, code
50007) is added to the session's private thread, where the bot posts their invitation and
reminders mentioning only them; nothing personal goes there, no waitlisted member is
added; the mock holds Discord's rules for private threads and their members."""

from __future__ import annotations

import discord
import pytest
from sqlalchemy import select

from adapters.discord import S4BClient
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.errors import PermanentFailure
from s4b_bot.invocation import Actor
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.output import Message
from s4b_bot.ports import Recipient, SessionThread
from storage.models import OutboxMessage
from tests.adapters.discord import payloads
from tests.adapters.discord.conftest import ANNOUNCEMENTS, feed, followups, visible_text
from tests.adapters.discord.mock_discord import BOT_ID, MockDiscord
from tests.helpers import accept_offer, confirmed, register

GUILD = str(payloads.GUILD_ID)
ADA, BEA, JO = payloads.ADA["id"], payloads.BEA["id"], payloads.JO["id"]
CY = "1100000000000000203"
ORGANIZER = Actor("discord", GUILD, JO, "Jo", is_organizer=True)
NOTE = Message.plain("You have a seat in the Spring session.")


def member(user: str, name: str) -> Actor:
    return Actor("discord", GUILD, user, name)


async def test_closed_dms_make_a_member_unreachable(bot: S4BClient, mock: MockDiscord) -> None:
    mock.close_dms(ADA)
    with pytest.raises(PermanentFailure) as failed:
        await bot.platform.send_dm(Recipient(GUILD, ADA, "Ada"), NOTE)
    assert failed.value.unreachable and not failed.value.shown
    assert "50007" in str(failed.value)
    await bot.platform.send_dm(Recipient(GUILD, BEA, "Bea"), NOTE)  # others' DMs are open


async def test_seat_holders_are_reached_in_one_private_thread_per_session(
    bot: S4BClient, mock: MockDiscord, sqlite_core: Core, clock: SettableClock
) -> None:
    for user in (ADA, BEA, CY):
        mock.close_dms(user)
        mock.add_member(GUILD, user)
    dispatcher = Dispatcher(
        sqlite_core.db,
        platforms={"discord": bot.platform},
        clock=clock,
        settings=sqlite_core.settings,
    )
    await sqlite_core.run_text(
        ORGANIZER, "s4b-admin", "session call spring https://meet.example/s4b"
    )
    await confirmed(sqlite_core, ORGANIZER, "session capacity spring 2")
    await register(sqlite_core, member(ADA, "Ada Lovelace"), "spring", email="ada@example.org")
    await register(sqlite_core, member(BEA, "Bea Rivera"), "spring")
    await register(sqlite_core, member(CY, "Cy"), "spring")  # waitlisted: never in the thread
    await dispatcher.drain()
    await dispatcher.drain()

    (made,) = mock.find("POST", rf"/channels/{ANNOUNCEMENTS}/threads")
    assert made.body["type"] == 12 and made.body["invitable"] is False
    assert made.body["name"].startswith("Spring session")
    thread = next(c for c in mock.channels.values() if c.get("parent_id") == str(ANNOUNCEMENTS))
    added = mock.find("PUT", rf"/channels/{thread['id']}/thread-members/\d+")
    assert sorted(r.path.rsplit("/", 1)[1] for r in added) == sorted([ADA, BEA])
    assert mock.thread_members[thread["id"]] == {str(BOT_ID), ADA, BEA}
    notes = mock.find("POST", rf"/channels/{thread['id']}/messages")
    assert len(notes) == 2
    for note in notes:
        user = note.body["allowed_mentions"]["users"][0]
        assert note.body["content"].startswith(f"<@{user}> You have a seat in the Spring")
        assert note.body["allowed_mentions"]["parse"] == []
        text = visible_text([note])
        assert "https://meet.example/s4b" in text
        assert "ada@example.org" not in text and "Ada" not in text and not note.files
    pinged = [m["mentions"] for m in mock.messages.values() if m["channel_id"] == thread["id"]]
    assert sorted(p[0]["id"] for p in pinged) == sorted([ADA, BEA]) and all(
        len(p) == 1 for p in pinged
    )

    # Moved: Ada and Bea get their updated invitation in the same thread; Cy, waitlisted,
    # hears of it only in the bot, and is never added.
    await confirmed(sqlite_core, ORGANIZER, "session reschedule spring 2025-05-06 13:00")
    await dispatcher.drain()
    await dispatcher.drain()
    assert len(mock.find("POST", rf"/channels/{ANNOUNCEMENTS}/threads")) == 1
    assert len(mock.find("POST", rf"/channels/{thread['id']}/messages")) == 4
    assert CY not in mock.thread_members[thread["id"]]

    # Bea leaves, and Cy gets her seat: before the thread hears of the session again
    # (its new call link), she is out of it and he is in.
    await sqlite_core.run_text(member(BEA, "Bea Rivera"), "s4b", "unregister spring")
    await accept_offer(sqlite_core, member(CY, "Cy"))  # the seat offered to him
    await sqlite_core.run_text(
        ORGANIZER, "s4b-admin", "session call spring https://meet.example/new"
    )
    await dispatcher.drain()
    await dispatcher.drain()
    (removed,) = mock.find("DELETE", rf"/channels/{thread['id']}/thread-members/\d+")
    assert removed.path.endswith(f"/{BEA}") and BEA not in mock.thread_members[thread["id"]]
    assert CY in mock.thread_members[thread["id"]]  # her seat went to Cy: now he is in
    last = mock.find("POST", rf"/channels/{thread['id']}/messages")[-1]
    assert removed in mock.requests[: mock.requests.index(last)]  # out before the new link
    assert "https://meet.example/new" in visible_text([last])

    report = payloads.command(
        "s4b-admin", "deliveries", user=payloads.JO, roles=[payloads.ORGANIZER_ROLE]
    )
    await feed(bot, report)
    text = visible_text(followups(mock, report))
    assert "Unreachable by DM: 3 members" in text and "Cy on discord" in text
    assert text.count("in the thread of Spring") == 2  # Ada and Cy, no longer Bea
    assert "Bea Rivera on discord" in text and "in no session thread" in text

    mine = payloads.command("s4b", "mine")  # Ada, privately: her latest invitation, its file
    await feed(bot, mine)
    (answer,) = followups(mock, mine)
    assert answer.body["flags"] & 64  # ephemeral
    shown = visible_text([answer])  # the updates superseded the first invitation: one note
    assert shown.count("A message could not reach you") == 1
    assert "A message could not reach you: updated invitation" in shown
    assert "https://meet.example/new" in shown.split("could not reach you")[1]
    assert [f.filename for f in answer.files] == ["s4b-spring-2025-05-06.ics"]  # the newest


async def test_an_archived_thread_is_reopened_and_a_deleted_one_made_again(
    bot: S4BClient, mock: MockDiscord
) -> None:
    mock.add_member(GUILD, ADA)
    ada = Recipient(GUILD, ADA, "Ada")
    first = await bot.platform.post_in_session_thread(ada, SessionThread(1, "Spring"), NOTE)
    mock.channels[first]["thread_metadata"]["archived"] = True
    bot.platform.session_threads.opened.clear()  # a restart: only the stored ref is known
    again = await bot.platform.post_in_session_thread(ada, SessionThread(1, "Spring", first), NOTE)
    assert again == first
    (unarchive,) = mock.find("PATCH", rf"/channels/{first}")
    assert unarchive.body == {"archived": False}
    del mock.channels[first]  # an organizer deleted it
    bot.platform.session_threads.opened.clear()
    made = await bot.platform.post_in_session_thread(ada, SessionThread(1, "Spring", first), NOTE)
    assert made != first and len(mock.find("POST", rf"/channels/{ANNOUNCEMENTS}/threads")) == 2


async def test_the_mock_holds_discords_rules_for_private_threads(
    bot: S4BClient, mock: MockDiscord
) -> None:
    http = bot.http
    news = 1100000000000000402
    mock.add_channel(news, payloads.GUILD_ID, kind=5)
    with pytest.raises(discord.HTTPException) as refused:  # private threads: text channels
        await http.start_thread_without_message(news, name="x", auto_archive_duration=60, type=12)
    assert refused.value.code == 50024
    thread = await http.start_thread_without_message(
        ANNOUNCEMENTS, name="Spring", auto_archive_duration=10080, type=12, invitable=False
    )
    with pytest.raises(discord.NotFound) as stranger:  # not a member of the server
        await http.add_user_to_thread(thread["id"], ADA)
    assert stranger.value.code == 10007
    with pytest.raises(discord.NotFound) as nowhere:
        await http.add_user_to_thread(1100000000000000999, ADA)
    assert nowhere.value.code == 10003
    mock.add_member(GUILD, ADA)
    mock.channels[thread["id"]]["thread_metadata"]["archived"] = True
    with pytest.raises(discord.HTTPException) as archived:
        await http.add_user_to_thread(thread["id"], ADA)
    assert archived.value.code == 50083
    with pytest.raises(discord.HTTPException) as too_long:
        await http.send_message(thread["id"], params=_params("x" * 2001))
    assert too_long.value.code == 50035
    with pytest.raises(discord.HTTPException) as both:
        await http.send_message(
            thread["id"], params=_params(f"<@{ADA}>", {"parse": ["users"], "users": [ADA]})
        )
    assert both.value.code == 50035
    mock.rejected.clear()  # refused on purpose


def _params(content: str, allowed: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    from discord.http import handle_message_parameters

    params = handle_message_parameters(content=content)
    if allowed is not None:
        params.payload["allowed_mentions"] = allowed  # type: ignore[index]
    return params


async def test_forget_me_takes_the_member_out_of_every_session_thread(
    bot: S4BClient, mock: MockDiscord, sqlite_core: Core, clock: SettableClock
) -> None:
    for user in (ADA, BEA):
        mock.close_dms(user)
        mock.add_member(GUILD, user)
    dispatcher = Dispatcher(
        sqlite_core.db,
        platforms={"discord": bot.platform},
        clock=clock,
        settings=sqlite_core.settings,
    )
    await register(sqlite_core, member(ADA, "Ada Lovelace"), "spring", email="ada@example.org")
    await register(sqlite_core, member(BEA, "Bea Rivera"), "spring")
    await dispatcher.drain()
    await dispatcher.drain()
    thread = next(c for c in mock.channels.values() if c.get("parent_id") == str(ANNOUNCEMENTS))
    assert ADA in mock.thread_members[thread["id"]]

    # Forget-me erases the notes that brought Ada in: she is taken out all the same, at
    # once, though nothing more is posted in the thread.
    await sqlite_core.run_text(member(ADA, "Ada Lovelace"), "s4b", "forget-me confirm")
    await dispatcher.drain()
    (removed,) = mock.find("DELETE", rf"/channels/{thread['id']}/thread-members/\d+")
    assert removed.path.endswith(f"/{ADA}")
    assert mock.thread_members[thread["id"]] == {str(BOT_ID), BEA}
    assert len(mock.find("POST", rf"/channels/{thread['id']}/messages")) == 2  # no new post
    await dispatcher.drain()
    assert len(mock.find("DELETE", rf"/channels/{thread['id']}/thread-members/\d+")) == 1
    async with sqlite_core.db.reading() as db:  # her user id is not kept once she is out
        rows = (await db.scalars(select(OutboxMessage))).all()
    (leave,) = [r for r in rows if r.kind == "thread_leave"]
    assert leave.status == "sent" and leave.payload == {} and leave.member_id is None
    assert ADA not in str([(r.payload, r.dedupe_key) for r in rows])
