"""Discord's message context menu ("Report to organizers" under a message's ⋯ → Apps), built
from the route table's message gestures, and what the bot may do to members' messages.

A message command is an application command of type 3 with a name of 1–32 characters
(spaces and capitals allowed) and no description (interactions/application-commands.mdx).
It arrives as an APPLICATION_COMMAND interaction whose data has `type: 3`, `target_id` and
the message in `resolved.messages`; the answer is the form's modal, which can only be the
first answer. Deleting someone else's message needs Manage Messages (403, code 50013
otherwise); slow mode is a thread's `rate_limit_per_user`, 0–21600 seconds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

from adapters.discord.errors import classify
from adapters.discord.interactions import InteractionHandler
from s4b_bot import ChatMessage, MessageRoute, PermanentFailure, RouteTable

MISSING_PERMISSIONS = 50013
UNKNOWN_MESSAGE = 10008
HOW_TO_DELETE = (
    "The bot lacks the Manage Messages permission there. Delete it yourself: open the link, "
    "hover the message, click ⋯ (More) and choose Delete Message; or give the bot's role "
    "Manage Messages on that channel (Edit Channel → Permissions) so it can next time."
)
HOW_TO_SLOW = (
    "The bot lacks the Manage Threads permission there. Set it yourself: open the thread, "
    "click its name → Settings (Edit Thread) → Slowmode; or give the bot's role Manage "
    "Threads on that channel so it can next time."
)


def pointed_at(interaction: discord.Interaction[Any], message: discord.Message) -> ChatMessage:
    """The message, and the posts whose thread it may be in: a thread under a channel
    message is `parent:thread`, a forum post is its own thread, `thread:thread`."""
    channel = interaction.channel
    thread = message.channel.id
    parent = getattr(channel, "parent_id", None)
    under = (f"{parent}:{thread}", f"{thread}:{thread}") if parent else ()
    guild = interaction.guild_id or "@me"
    return ChatMessage(
        channel=str(thread),
        message_id=str(message.id),
        under=under,
        author_id=str(message.author.id),
        text=message.content,
        link=f"https://discord.com/channels/{guild}/{thread}/{message.id}",
        by_bot=message.author.bot,
    )


def _callback(
    gesture: MessageRoute, handler: InteractionHandler
) -> Callable[[discord.Interaction[Any], discord.Message], Awaitable[None]]:
    async def callback(interaction: discord.Interaction[Any], message: discord.Message) -> None:
        actor = handler.actor(interaction)
        chat = pointed_at(interaction, message)
        await handler.core_first(
            interaction, lambda: handler.core.gesture(actor, gesture.callback_id, chat)
        )

    return callback


def build_context_menus(
    routes: RouteTable, handler: InteractionHandler
) -> list[app_commands.ContextMenu]:
    """One message command per gesture, for the server only (like `/s4b`)."""
    return [
        app_commands.ContextMenu(
            name=gesture.name,
            callback=_callback(gesture, handler),
            allowed_contexts=app_commands.AppCommandContext(guild=True),
            extras={"s4b_gesture": gesture},
        )
        for gesture in routes.gestures
    ]


async def delete_message(client: discord.Client, channel: str, message_id: str) -> bool:
    """DELETE /channels/{c}/messages/{m}: True, or False if it was already gone."""
    try:
        await client.http.delete_message(int(channel), int(message_id))
    except discord.NotFound as exc:
        if exc.code != UNKNOWN_MESSAGE:
            raise classify(exc) from exc
        return False
    except discord.Forbidden as exc:
        if exc.code == MISSING_PERMISSIONS:
            raise PermanentFailure(HOW_TO_DELETE) from exc
        raise classify(exc) from exc
    except (discord.HTTPException, OSError) as exc:
        raise classify(exc) from exc
    return True


async def slow_thread(client: discord.Client, channel: str, seconds: int) -> None:
    """PATCH /channels/{thread} rate_limit_per_user (Discord's slow mode)."""
    try:
        await client.http.edit_channel(int(channel), rate_limit_per_user=seconds)
    except discord.Forbidden as exc:
        if exc.code == MISSING_PERMISSIONS:
            raise PermanentFailure(HOW_TO_SLOW) from exc
        raise classify(exc) from exc
    except (discord.HTTPException, OSError) as exc:
        raise classify(exc) from exc
