"""The dispatcher's Platform on Discord: DMs with files, closed DMs, rate limits, posts,
threads, moderation and Guild Scheduled Events — all through discord.py's HTTP client."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from adapters.discord import S4BClient
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.errors import PermanentFailure, RetryLater
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.outbox.pacing import TokenBucket
from s4b_bot.output import Attachment, Button, Card, Message
from s4b_bot.ports import Recipient, SessionEvent
from tests.adapters.discord import payloads
from tests.adapters.discord.conftest import (
    ANNOUNCEMENTS,
    MakeClient,
    callbacks,
    feed,
    followups,
    visible_text,
)
from tests.adapters.discord.mock_discord import MockDiscord

GUILD = str(payloads.GUILD_ID)
ADA = Recipient(GUILD, payloads.ADA["id"], "Ada")
BEA = Recipient(GUILD, payloads.BEA["id"], "Bea")
ICS = Attachment(
    "s4b-spring-2025-04-29.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar"
)
INVITATION = Message.plain("You are registered. Here is your calendar invitation.")
INVITATION = Message(text=INVITATION.text, attachments=(ICS,))


def event(**changes: object) -> SessionEvent:
    start = datetime(2025, 4, 29, 17, tzinfo=UTC)
    values: dict[str, object] = {
        "session_id": 1,
        "title": "Spring Session — Cultivating Belonging",
        "description": "This session will delve into belonging.",
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
        "status": "scheduled",
        "location": "Online — the call details are sent to registrants",
    }
    values.update(changes)
    return SessionEvent(**values)  # type: ignore[arg-type]


async def test_a_dm_opens_the_channel_once_and_uploads_the_ics(
    bot: S4BClient, mock: MockDiscord
) -> None:
    await bot.platform.send_dm(ADA, INVITATION)
    await bot.platform.send_dm(ADA, Message.plain("A reminder."))
    (opened,) = mock.find("POST", "/users/@me/channels")
    assert opened.body == {"recipient_id": int(ADA.user_id)}
    channel = mock.dm_channels[ADA.user_id]
    first, second = mock.find("POST", rf"/channels/{channel}/messages")
    assert first.body["content"].startswith("You are registered.")
    assert first.body["allowed_mentions"] == {"parse": []}
    (upload,) = first.files
    assert (upload.filename, upload.data) == (ICS.filename, ICS.content)
    assert first.body["attachments"] == [{"id": 0, "filename": ICS.filename}]
    assert second.body["content"] == "A reminder." and not second.files


async def test_new_dm_channels_are_paced_but_known_ones_are_not(
    bot: S4BClient, mock: MockDiscord
) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    clock = [0.0]
    bot.platform._opening = TokenBucket(20 / 60, burst=1, monotonic=lambda: clock[0], sleep=sleep)
    await bot.platform.send_dm(ADA, Message.plain("1"))
    await bot.platform.send_dm(ADA, Message.plain("2"))
    assert waits == []
    await bot.platform.send_dm(BEA, Message.plain("3"))
    assert waits == [pytest.approx(3.0)]  # 20 new DM channels a minute
    assert len(mock.find("POST", "/users/@me/channels")) == 2


async def test_closed_dms_go_privately_through_the_latest_interaction(
    bot: S4BClient, mock: MockDiscord
) -> None:
    recent = payloads.command("s4b", "mine")
    await feed(bot, recent)
    mock.fail(
        "POST",
        r"/channels/\d+/messages",
        status=403,
        code=50007,
        message="Cannot send messages to this user",
    )
    with pytest.raises(PermanentFailure) as failed:  # seen, but the DM failed: on record
        await bot.platform.send_dm(ADA, INVITATION)
    assert str(failed.value) == (
        "direct messages closed (off for this server, or the bot is blocked) "
        "(Discord 403 (code 50007): Cannot send messages to this user); "
        "shown to them once, privately, in the server instead"
    )
    (notice,) = followups(mock, recent)[1:]
    assert notice.body["flags"] == 64
    assert notice.body["content"].startswith("I could not send you a direct message")
    assert "Here is your calendar invitation." in notice.body["content"]
    assert [f.filename for f in notice.files] == [ICS.filename]


async def test_closed_dms_without_a_recent_interaction_fail_permanently(
    bot: S4BClient, mock: MockDiscord
) -> None:
    old = payloads.command("s4b", "mine", user=payloads.BEA, age=timedelta(minutes=14, seconds=45))
    await feed(bot, old)  # answered, but its token expires in 15 s: too close
    mock.fail("POST", r"/channels/\d+/messages", status=403, code=50007, times=2)
    for recipient in (ADA, BEA):
        with pytest.raises(PermanentFailure, match=r"^direct messages closed .*50007") as failed:
            await bot.platform.send_dm(recipient, INVITATION)
        assert "shown to them" not in str(failed.value)


async def test_rate_limits_are_waited_out_by_discord_py_or_handed_back(
    bot: S4BClient, mock: MockDiscord
) -> None:
    mock.rate_limit("POST", r"/channels/\d+/messages", retry_after=0.05)
    await bot.platform.send_dm(ADA, Message.plain("hi"))
    assert len(mock.find("POST", r"/channels/\d+/messages")) == 2  # 429, then sent
    mock.rate_limit("POST", r"/channels/\d+/messages", retry_after=120)
    with pytest.raises(RetryLater) as caught:
        await bot.platform.send_dm(ADA, Message.plain("hi"))
    assert caught.value.delay == 120
    mock.fail("POST", r"/channels/\d+/messages", status=503)
    with pytest.raises(RetryLater):
        await bot.platform.send_dm(ADA, Message.plain("hi"))
    mock.fail("POST", r"/channels/\d+/messages", status=404, code=10003)
    with pytest.raises(PermanentFailure):
        await bot.platform.send_dm(ADA, Message.plain("hi"))


async def test_posts_are_edited_in_place_and_can_open_a_thread(
    bot: S4BClient, mock: MockDiscord
) -> None:
    card = Card(
        "1 · Spring Session — Title", buttons=(Button("Register", "s4b:register:1", "primary"),)
    )
    ref = await bot.platform.post(
        GUILD, "announcements", Message(cards=(card,)), thread_title="Spring"
    )
    channel, message_id = ref.split(":")
    assert channel == str(ANNOUNCEMENTS)
    (posted,) = mock.find("POST", rf"/channels/{ANNOUNCEMENTS}/messages")
    assert posted.body["components"][0]["components"][0]["custom_id"] == "s4b:register:1"
    (thread,) = mock.find("POST", rf"/channels/{ANNOUNCEMENTS}/messages/{message_id}/threads")
    assert thread.body["name"] == "Spring"
    again = await bot.platform.post(GUILD, "announcements", Message.plain("Moved."), ref=ref)
    assert again == ref
    (edit,) = mock.find("PATCH", rf"/channels/{ANNOUNCEMENTS}/messages/{message_id}")
    assert edit.body["content"] == "Moved." and edit.body["embeds"] == []
    shown = mock.messages[message_id]
    assert shown["content"] == "Moved." and shown["components"] == []  # no Register left
    await bot.platform.moderate(GUILD, "announcements", ref, "lock")
    await bot.platform.moderate(GUILD, "announcements", ref, "pin")
    (lock,) = mock.find("PATCH", rf"/channels/{message_id}")
    assert lock.body == {"locked": True}
    assert mock.find("PUT", rf"/channels/{ANNOUNCEMENTS}/messages/pins/{message_id}")


async def test_editing_a_post_deleted_meanwhile_posts_it_again(
    bot: S4BClient, mock: MockDiscord
) -> None:
    ref = await bot.platform.post(GUILD, "announcements", Message.plain("Spring"))
    assert ref is not None
    del mock.messages[ref.split(":")[1]]  # a moderator deleted it
    again = await bot.platform.post(GUILD, "announcements", Message.plain("Moved."), ref=ref)
    assert again is not None and again != ref
    assert mock.messages[again.split(":")[1]]["content"] == "Moved."


async def test_a_forum_post_is_its_own_thread(make_client: MakeClient, mock: MockDiscord) -> None:
    forum = 1100000000000000450
    mock.add_channel(forum, payloads.GUILD_ID, kind=15)
    bot = await make_client(ideas_channel_id=forum)
    ref = await bot.platform.post(GUILD, "ideas", Message.plain("An idea"), thread_title="Idea 1")
    (created,) = mock.find("POST", rf"/channels/{forum}/threads")
    assert created.body["name"] == "Idea 1"
    assert created.body["message"]["content"] == "An idea"
    thread_id = ref.split(":")[0]
    assert ref == f"{thread_id}:{thread_id}"


async def test_posting_needs_a_configured_channel_in_that_server(
    make_client: MakeClient, mock: MockDiscord
) -> None:
    bot = await make_client(announcements_channel_id=None)
    with pytest.raises(PermanentFailure, match="DISCORD_ANNOUNCEMENTS_CHANNEL_ID"):
        await bot.platform.post(GUILD, "announcements", Message.plain("x"))
    bot = await make_client()
    with pytest.raises(PermanentFailure, match="not in server"):
        await bot.platform.post("999", "announcements", Message.plain("x"))


async def test_sessions_become_external_scheduled_events(
    bot: S4BClient, mock: MockDiscord, clock
) -> None:  # type: ignore[no-untyped-def]
    ref = await bot.platform.sync_session(GUILD, event())
    assert ref is not None
    (create,) = mock.find("POST", rf"/guilds/{GUILD}/scheduled-events")
    assert create.body == {
        "name": "Spring Session — Cultivating Belonging",
        "description": "This session will delve into belonging.",
        "scheduled_start_time": "2025-04-29T17:00:00+00:00",
        "scheduled_end_time": "2025-04-29T18:00:00+00:00",
        "entity_type": 3,
        "privacy_level": 2,
        "entity_metadata": {"location": "Online — the call details are sent to registrants"},
    }
    moved = event(
        starts_at=datetime(2025, 5, 6, 17, tzinfo=UTC), ends_at=datetime(2025, 5, 6, 18, tzinfo=UTC)
    )
    assert await bot.platform.sync_session(GUILD, moved, ref=ref) == ref
    (patch,) = mock.find("PATCH", rf"/guilds/{GUILD}/scheduled-events/{ref}")
    assert patch.body["scheduled_start_time"] == "2025-05-06T17:00:00+00:00"
    assert await bot.platform.sync_session(GUILD, event(status="cancelled"), ref=ref) == ref
    assert mock.find("PATCH", rf"/guilds/{GUILD}/scheduled-events/{ref}")[-1].body == {"status": 4}
    assert mock.events[ref]["status"] == 4
    mock.clear()
    assert await bot.platform.sync_session(GUILD, event(status="held"), ref=ref) == ref
    assert mock.requests == []  # Discord ends external events by itself


async def test_a_deleted_event_is_created_again_and_past_ones_are_not(
    bot: S4BClient, mock: MockDiscord
) -> None:
    ref = await bot.platform.sync_session(GUILD, event(), ref="1100000000000000777")
    assert ref is not None and ref != "1100000000000000777"
    assert len(mock.find("POST", rf"/guilds/{GUILD}/scheduled-events")) == 1
    past = datetime(2025, 3, 1, 17, tzinfo=UTC)
    assert (
        await bot.platform.sync_session(
            GUILD, event(starts_at=past, ends_at=past + timedelta(hours=1))
        )
        is None
    )
    assert len(mock.find("POST", rf"/guilds/{GUILD}/scheduled-events")) == 1


async def test_concurrent_dms_to_a_new_member_open_one_channel(
    bot: S4BClient, mock: MockDiscord
) -> None:
    await asyncio.gather(*(bot.platform.send_dm(ADA, Message.plain(str(i))) for i in range(5)))
    assert len(mock.find("POST", "/users/@me/channels")) == 1
    assert len(mock.find("POST", rf"/channels/{mock.dm_channels[ADA.user_id]}/messages")) == 5


async def test_a_retried_post_does_not_post_again_what_a_failed_try_sent(
    bot: S4BClient, mock: MockDiscord
) -> None:
    """The post went out but opening its thread failed: the outbox retries the same keyed
    message, and only the thread is tried again."""
    message = replace(Message.plain("Summary of the Spring session"), key="outbox:77")
    mock.fail("POST", rf"/channels/{ANNOUNCEMENTS}/messages/\d+/threads", status=503)
    with pytest.raises(RetryLater):
        await bot.platform.post(GUILD, "announcements", message, thread_title="Discussion")
    ref = await bot.platform.post(GUILD, "announcements", message, thread_title="Discussion")
    assert len(mock.find("POST", rf"/channels/{ANNOUNCEMENTS}/messages$")) == 1
    assert len(mock.find("POST", rf"/channels/{ANNOUNCEMENTS}/messages/\d+/threads")) == 2
    assert ref is not None and ref.endswith(ref.split(":")[1])
    other = replace(message, key="outbox:78")  # a different delivery posts afresh
    await bot.platform.post(GUILD, "announcements", other)
    assert len(mock.find("POST", rf"/channels/{ANNOUNCEMENTS}/messages$")) == 2


async def test_an_invitation_to_closed_dms_is_listed_for_organizers(
    bot: S4BClient, mock: MockDiscord, sqlite_core: Core, clock: SettableClock
) -> None:
    """Registered through the modal; the DM is refused (50007): shown privately, so
    counted as shown in the bot instead (not left waiting), which `/s4b-admin deliveries`
    says."""
    command = payloads.command("s4b", "register", {"session": "2025-04-29"})
    await feed(bot, command)
    modal = callbacks(mock, command)[0].body["data"]
    answers = {"about": "Neighbour", "sessions": ["1"], "consent": True}
    submit = payloads.modal_submit(modal["custom_id"], payloads.answers(modal, answers))
    assert await feed(bot, submit) == "reply"
    mock.fail("POST", r"/channels/\d+/messages", status=403, code=50007, message="Cannot send")
    dispatcher = Dispatcher(
        sqlite_core.db,
        platforms={"discord": bot.platform},
        clock=clock,
        settings=sqlite_core.settings,
    )
    await dispatcher.drain()
    assert "I could not send you a direct message" in followups(mock, submit)[-1].body["content"]
    report = payloads.command(
        "s4b-admin", "deliveries", user=payloads.JO, roles=[payloads.ORGANIZER_ROLE]
    )
    await feed(bot, report)
    text = visible_text(followups(mock, report))
    assert "0 failed" in text and "1 shown to them in the bot instead" in text
    assert "0 waiting for members whom DMs do not reach" in text
