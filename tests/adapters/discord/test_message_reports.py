"""Reporting a message in a discussion thread on Discord: the "Report to organizers" message
command (type 3, no description) synced beside /s4b, a real APPLICATION_COMMAND interaction
(data.type 3, target_id, resolved.messages) through discord.py, the modal, takedown after
three reports, and what the bot says when Discord refuses it the permission."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
import pytest

from adapters.discord import S4BClient
from adapters.discord.gestures import HOW_TO_DELETE
from s4b_bot import PermanentFailure
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.outbox.dispatch import Dispatcher
from tests.adapters.discord import payloads, rules
from tests.adapters.discord.conftest import MakeClient, callbacks, feed, followups, visible_text
from tests.adapters.discord.mock_discord import BOT_ID, MockDiscord

IDEAS = 1100000000000000402
ORGANIZERS = 1100000000000000403
CY = {"id": "1100000000000000203", "username": "cy", "global_name": "Cy"}
ORGANIZER: dict[str, Any] = {"user": payloads.JO, "roles": [payloads.ORGANIZER_ROLE]}
SAID = "Only fools want this, Ada's a fraud"


@pytest.fixture
async def bot(make_client: MakeClient, mock: MockDiscord) -> S4BClient:
    mock.add_channel(IDEAS, payloads.GUILD_ID)
    mock.add_channel(ORGANIZERS, payloads.GUILD_ID)
    return await make_client(ideas_channel_id=IDEAS, organizers_channel_id=ORGANIZERS)


def dispatcher(core: Core, bot: S4BClient, clock: SettableClock) -> Dispatcher:
    return Dispatcher(
        core.db, platforms={"discord": bot.platform}, clock=clock, settings=core.settings
    )


async def idea_thread(bot: S4BClient, mock: MockDiscord, core: Core, clock: SettableClock) -> str:
    """An idea posted in the ideas channel with its thread; the thread's id."""
    post = payloads.command("s4b", "idea", {"text": "A shared map"})
    assert await feed(bot, post) == "reply"
    await dispatcher(core, bot, clock).drain()
    [opened] = mock.find("POST", rf"/channels/{IDEAS}/messages/\d+/threads")
    return opened.path.split("/")[4]


def report_command(
    thread: str, message: dict[str, Any], *, user: dict[str, str], parent: int = IDEAS
) -> dict[str, Any]:
    """The APPLICATION_COMMAND interaction of "Report to organizers" on `message`, in the
    thread `thread` (a public thread, type 11, under `parent`)."""
    data = {
        "id": "1100000000000000310",
        "name": "Report to organizers",
        "type": 3,
        "guild_id": str(payloads.GUILD_ID),
        "target_id": message["id"],
        "resolved": {"messages": {message["id"]: message}},
    }
    payload = payloads.interaction(2, data, user=user)
    payload["channel_id"] = thread
    payload["channel"] = {
        **payload["channel"],
        "id": thread,
        "type": 11 if parent else 0,
        "parent_id": str(parent) if parent else None,
        "name": "Discussion",
        "owner_id": str(BOT_ID),
        "message_count": 2,
        "member_count": 2,
        "total_message_sent": 2,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": "2025-04-01T12:00:00+00:00",
            "locked": False,
        },
    }
    return payload


async def report(
    bot: S4BClient, mock: MockDiscord, thread: str, message: dict[str, Any], user: dict[str, str]
) -> str:
    gesture = report_command(thread, message, user=user)
    assert await feed(bot, gesture) == "modal"
    [callback] = callbacks(mock, gesture)
    modal = callback.body["data"]
    assert callback.body["type"] == 9 and modal["title"] == "Report to organizers"
    sent = payloads.modal_submit(
        modal["custom_id"], payloads.answers(modal, {"reason": "insult"}), user=user
    )
    assert await feed(bot, sent) == "reply"
    return visible_text(followups(mock, sent))


async def test_the_message_command_is_synced_beside_s4b_as_type_3_without_description(
    bot: S4BClient, mock: MockDiscord
) -> None:
    await bot.sync_commands()
    synced = mock.find("PUT", r"/applications/\d+/guilds/\d+/commands")[-1]
    names = {c["name"]: c for c in synced.body}
    assert {"s4b", "s4b-admin", "Report to organizers"} <= set(names)
    menu = names["Report to organizers"]
    assert menu["type"] == 3 and not menu.get("description") and "options" not in menu
    assert menu["contexts"] == [0]  # in the server only
    # The mock holds Discord's rules for it.
    bad = {**menu, "description": "Tell the organizers"}
    assert [p.code for p in rules.problems("bulk_set_guild_application_commands", [bad])] == [
        "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION"
    ]
    long = {**menu, "name": "R" * 33}
    assert rules.problems("bulk_set_guild_application_commands", [long])
    assert rules.problems("update_channel", {"rate_limit_per_user": 21_601})
    assert not rules.problems("update_channel", {"rate_limit_per_user": 21_600})


async def test_three_reports_take_a_message_down_and_the_bot_says_how_without_permission(
    bot: S4BClient, mock: MockDiscord, sqlite_core: Core, clock: SettableClock
) -> None:
    thread = await idea_thread(bot, mock, sqlite_core, clock)
    said = mock.add_member_message(thread, payloads.ADA, SAID)
    assert "Your report is with the organizers" in await report(
        bot, mock, thread, said, payloads.BEA
    )
    again = report_command(thread, said, user=payloads.BEA)
    assert await feed(bot, again) == "reply"  # no modal the second time
    assert "You already reported this message" in visible_text(callbacks(mock, again))
    for user in (CY, payloads.JO):
        await report(bot, mock, thread, said, user)
    await dispatcher(sqlite_core, bot, clock).drain()
    assert len(mock.find("DELETE", rf"/channels/{thread}/messages/{said['id']}")) == 1
    assert said["id"] in mock.messages  # 403: Discord kept it
    [alert] = mock.find("POST", rf"/channels/{ORGANIZERS}/messages")
    told = visible_text([alert])
    assert "reported by 3 members" in told and "Manage Messages" in told
    assert f"https://discord.com/channels/{payloads.GUILD_ID}/{thread}/{said['id']}" in told
    assert SAID not in told

    # With the permission, an organizer's `remove` deletes it.
    mock.granted.add("MANAGE_MESSAGES")
    resolve = payloads.command(
        "s4b-admin", "resolve", {"report": "1", "decision": "remove"}, **ORGANIZER
    )
    assert await feed(bot, resolve) == "reply"
    assert "Report 1 resolved (remove). With it, 2 other reports" in visible_text(
        followups(mock, resolve)
    )
    await dispatcher(sqlite_core, bot, clock).drain()
    assert said["id"] not in mock.messages


async def test_slow_mode_is_the_threads_rate_limit_and_needs_manage_threads(
    bot: S4BClient, mock: MockDiscord, sqlite_core: Core, clock: SettableClock
) -> None:
    thread = await idea_thread(bot, mock, sqlite_core, clock)
    said = mock.add_member_message(thread, payloads.ADA, "heated")
    await report(bot, mock, thread, said, payloads.BEA)
    slow = {"report": "1", "decision": "slow", "every": "10m"}
    assert await feed(bot, payloads.command("s4b-admin", "resolve", slow, **ORGANIZER)) == "reply"
    await dispatcher(sqlite_core, bot, clock).drain()
    [refused] = mock.find("PATCH", rf"/channels/{thread}")
    assert refused.body == {"rate_limit_per_user": 600}
    [alert] = mock.find("POST", rf"/channels/{ORGANIZERS}/messages")
    assert "Manage Threads" in visible_text([alert]) and "Slowmode" in visible_text([alert])

    mock.granted.add("MANAGE_THREADS")
    await bot.platform.slow_thread(str(payloads.GUILD_ID), thread, 600)
    assert mock.channels[thread]["rate_limit_per_user"] == 600


async def test_a_message_outside_the_bots_threads_gets_a_reply_not_a_modal(
    bot: S4BClient, mock: MockDiscord, sqlite_core: Core, clock: SettableClock
) -> None:
    thread = await idea_thread(bot, mock, sqlite_core, clock)
    plain = mock.add_member_message(str(IDEAS), payloads.ADA, "in the channel")
    gesture = report_command(str(IDEAS), plain, user=payloads.BEA, parent=0)
    assert await feed(bot, gesture) == "reply"
    assert "Only messages in my discussion threads" in visible_text(callbacks(mock, gesture))
    own = next(m for m in mock.messages.values() if m["author"]["id"] == str(BOT_ID))
    gesture = report_command(thread, own, user=payloads.BEA)
    assert await feed(bot, gesture) == "reply"
    assert "a bot's post" in visible_text(callbacks(mock, gesture))
    assert "Report button" not in visible_text(callbacks(mock, gesture))  # not an idea
    idea_post = mock.messages[thread]  # the idea itself (its thread has the post's id)
    gesture = report_command(str(IDEAS), idea_post, user=payloads.BEA, parent=0)
    assert await feed(bot, gesture) == "reply"
    assert "To report an idea, use the Report button" in visible_text(callbacks(mock, gesture))


async def test_the_platform_says_how_to_delete_by_hand_on_403(
    bot: S4BClient, mock: MockDiscord
) -> None:
    said = mock.add_member_message("1100000000000000777", payloads.ADA, "x")
    with pytest.raises(PermanentFailure) as failed:
        await bot.platform.delete_message(str(payloads.GUILD_ID), said["channel_id"], said["id"])
    assert str(failed.value) == HOW_TO_DELETE
    with pytest.raises(discord.Forbidden, match="Missing Permissions"):
        await bot.http.delete_message(int(said["channel_id"]), int(said["id"]))
    mock.granted.add("MANAGE_MESSAGES")
    where = (str(payloads.GUILD_ID), said["channel_id"], said["id"])
    assert await bot.platform.delete_message(*where) is True
    assert await bot.platform.delete_message(*where) is False  # 10008: already gone


async def test_a_slow_core_defers_in_time_and_asks_to_report_again(
    make_client: MakeClient,
    mock: MockDiscord,
    sqlite_core: Core,
    clock: SettableClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mock.add_channel(IDEAS, payloads.GUILD_ID)
    bot = await make_client(ideas_channel_id=IDEAS, ack_budget=0.05)
    thread = await idea_thread(bot, mock, sqlite_core, clock)
    said = mock.add_member_message(thread, payloads.ADA, SAID)
    gesture = sqlite_core.gesture

    async def slow_gesture(*args: Any) -> Any:
        await asyncio.sleep(0.3)
        return await gesture(*args)

    monkeypatch.setattr(sqlite_core, "gesture", slow_gesture)
    payload = report_command(thread, said, user=payloads.BEA)
    assert await feed(bot, payload) == "reply"
    (ack,) = callbacks(mock, payload)
    assert ack.body["type"] == 5  # deferred within Discord's 3 seconds
    assert "please do it again" in visible_text(followups(mock, payload))
