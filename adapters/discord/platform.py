"""The Discord `Platform` the dispatcher delivers through: DMs, channel posts and threads,
moderation, and sessions mirrored as Guild Scheduled Events.

Every call goes through discord.py's HTTP client, which keeps Discord's rate limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import aiohttp
import discord

from adapters.discord.config import DiscordConfig
from adapters.discord.errors import CANNOT_DM, UNKNOWN_EVENT, classify
from adapters.discord.gestures import delete_message, slow_thread
from adapters.discord.interactions import InteractionHandler
from adapters.discord.limits import (
    CONTENT,
    EVENT_DESCRIPTION,
    EVENT_LOCATION,
    EVENT_NAME,
    THREAD_NAME,
)
from adapters.discord.render import NO_MENTIONS, Chunk, render
from adapters.discord.threads import DiscordSessionThreads
from adapters.discord.views import message_kwargs
from adapters.steps import StepMemory
from s4b_bot import (
    Message,
    ModerationAction,
    PermanentFailure,
    Recipient,
    SessionEvent,
    SessionThread,
    TokenBucket,
    clip,
)

_log = logging.getLogger(__name__)

TRANSPORT_ERRORS = (
    discord.HTTPException,
    discord.RateLimited,
    asyncio.TimeoutError,
    aiohttp.ClientError,
    OSError,
)
# https://discord.com/developers/docs/resources/guild-scheduled-event
GUILD_ONLY = 2
EXTERNAL = 3
CANCELED = 4
SHOWN_INSTEAD = "shown to them once, privately, in the server instead"
MSG_DMS_CLOSED = (
    "I could not send you a direct message (your DMs are closed for this server), "
    "so here it is, visible only to you:"
)


def format_ref(channel_id: int, message_ids: list[int]) -> str:
    """A post's ref: its channel and the messages it took, "channel:message[,message…]"."""
    return f"{channel_id}:{','.join(str(m) for m in message_ids)}"


def parse_ref(ref: str) -> tuple[int, list[int]]:
    channel, _, messages = ref.partition(":")
    try:
        return int(channel), [int(m) for m in messages.split(",") if m]
    except ValueError:
        raise PermanentFailure(f"not a Discord post ref: {ref!r}") from None


class DiscordPlatform:
    name = "discord"

    def __init__(
        self,
        client: discord.Client,
        config: DiscordConfig,
        handler: InteractionHandler,
        *,
        names: Mapping[str, str],
    ) -> None:
        self.client = client
        self.config = config
        self.handler = handler
        self.steps = StepMemory()
        self.names = dict(names)
        self.dm_channels: dict[int, int] = {}
        """Each member's DM channel once opened: reused, never opened again."""
        self._opening = TokenBucket(config.new_dm_per_minute / 60.0, burst=config.new_dm_burst)
        self._opening_lock = asyncio.Lock()
        self._channels: dict[int, Any] = {}
        self.session_threads = DiscordSessionThreads(client, self._channel, self.names, self.steps)
        self.now: Callable[[], datetime] = discord.utils.utcnow
        """Discord's "now", to tell events that would start in the past (tests set it)."""

    # --- direct messages ----------------------------------------------------------------

    async def send_dm(self, recipient: Recipient, message: Message) -> None:
        chunks = render(message, self.names)
        try:
            channel = await self._dm_channel(int(recipient.user_id))
            for number, chunk in enumerate(chunks):
                # A retry of a long message skips the chunks a failed try already sent.
                step = f"{message.key}:dm:{number}" if message.key else None
                if step and self.steps.get(step):
                    continue
                await channel.send(**message_kwargs(chunk))
                if step:
                    self.steps.done(step, "sent")
        except discord.Forbidden as exc:
            failure = classify(exc)
            if exc.code == CANNOT_DM and await self._via_interaction(recipient, chunks):
                # Seen once, but the DM itself failed for good: organizers must know.
                failure = PermanentFailure(
                    f"{failure}; {SHOWN_INSTEAD}", unreachable=True, shown=True
                )
            raise failure from exc
        except TRANSPORT_ERRORS as exc:
            raise classify(exc) from exc

    async def _dm_channel(self, user_id: int) -> discord.PartialMessageable:
        channel_id = self.dm_channels.get(user_id)
        if channel_id is None:
            # One new channel at a time, paced: Discord quarantines bots that open many.
            async with self._opening_lock:
                channel_id = self.dm_channels.get(user_id)
                if channel_id is None:
                    await self._opening.take()
                    channel = await self.client.create_dm(discord.Object(user_id))
                    channel_id = self.dm_channels[user_id] = channel.id
        return self.client.get_partial_messageable(channel_id, type=discord.ChannelType.private)

    async def _via_interaction(self, recipient: Recipient, chunks: list[Chunk]) -> bool:
        """DMs closed: send it privately through the member's latest interaction instead,
        if its token still allows a follow-up (15 minutes)."""
        interaction = self.handler.answerable(recipient.community, recipient.user_id)
        if interaction is None:
            return False
        first = chunks[0]
        if len(MSG_DMS_CLOSED) + 2 + len(first.content) <= CONTENT:
            chunks = [
                Chunk(
                    f"{MSG_DMS_CLOSED}\n\n{first.content}".strip(),
                    first.embeds,
                    first.rows,
                    first.files,
                ),
                *chunks[1:],
            ]
        else:
            chunks = [Chunk(MSG_DMS_CLOSED), *chunks]
        try:
            for chunk in chunks:
                await interaction.followup.send(ephemeral=True, **message_kwargs(chunk))
        except TRANSPORT_ERRORS as exc:
            _log.info("follow-up instead of a DM failed: %s", type(exc).__name__)
            return False
        return True

    # --- messages that always arrive: the sessions' private threads -------------------

    private_threads = True

    async def post_in_session_thread(
        self, recipient: Recipient, thread: SessionThread, message: Message
    ) -> str:
        """Add a member whose DMs are closed to the session's private thread and post
        their note there, mentioning only them (`threads.py`)."""
        return await self.session_threads.post(recipient, thread, message)

    async def leave_session_thread(self, community: str, thread: SessionThread) -> None:
        """Take a forgotten member out of a session's thread (`threads.py`)."""
        await self.session_threads.leave(thread)

    # --- channel posts ----------------------------------------------------------------

    async def post(
        self,
        community: str,
        channel: str,
        message: Message,
        *,
        ref: str | None = None,
        thread_title: str | None = None,
    ) -> str | None:
        chunks = render(message, self.names)
        try:
            if ref is not None:
                edited = await self._edit(ref, chunks)
                if edited is not None:
                    return edited
            target = await self._channel(community, channel)
            if isinstance(target, discord.ForumChannel):
                # On a forum the post is the thread; its first message has the thread's id.
                first, *rest = chunks
                name = thread_title or (first.content.splitlines() or ["S4B"])[0]
                created = await target.create_thread(
                    name=clip(name, THREAD_NAME), **message_kwargs(first)
                )
                ids = [created.thread.id]
                for chunk in rest:
                    ids.append((await created.thread.send(**message_kwargs(chunk))).id)
                return format_ref(created.thread.id, ids)
            # Each chunk, and the thread, is remembered under the message's key: a retry
            # after a failure part-way does not post what already went out.
            ids: list[int] = []
            for number, chunk in enumerate(chunks):
                step = f"{message.key}:post:{number}" if message.key else None
                done = self.steps.get(step)
                if done is None:
                    done = str((await target.send(**message_kwargs(chunk))).id)
                    if step:
                        self.steps.done(step, done)
                ids.append(int(done))
            thread_step = f"{message.key}:thread" if message.key else None
            if thread_title and not self.steps.get(thread_step):
                first_message = target.get_partial_message(ids[0])
                await first_message.create_thread(name=clip(thread_title, THREAD_NAME))
                if thread_step:
                    self.steps.done(thread_step, "opened")
            return format_ref(target.id, ids)
        except TRANSPORT_ERRORS as exc:
            raise classify(exc) from exc

    async def _channel(self, community: str, name: str) -> Any:
        channel_id = self.config.channel_id(name)
        if channel_id is None:
            raise PermanentFailure(
                f"No Discord channel is configured for {name!r} "
                f"(set DISCORD_{name.upper()}_CHANNEL_ID)."
            )
        channel = self._channels.get(channel_id)
        if channel is None:
            channel = self._channels[channel_id] = await self.client.fetch_channel(channel_id)
        guild = getattr(channel, "guild", None)
        if guild is None or str(guild.id) != community:
            raise PermanentFailure(f"The {name} channel is not in server {community}.")
        return channel

    async def _edit(self, ref: str, chunks: list[Chunk]) -> str | None:
        """Edit a post in place; None when it is gone (then it is posted again)."""
        channel_id, ids = parse_ref(ref)
        target = self.client.get_partial_messageable(channel_id)
        kept: list[int] = []
        try:
            for index, chunk in enumerate(chunks):
                if index < len(ids):
                    kwargs = message_kwargs(chunk)
                    await target.get_partial_message(ids[index]).edit(
                        content=kwargs.get("content"),
                        embeds=kwargs.get("embeds", []),
                        attachments=kwargs.get("files", []),
                        view=kwargs.get("view"),
                        allowed_mentions=NO_MENTIONS,
                    )
                    kept.append(ids[index])
                else:
                    kept.append((await target.send(**message_kwargs(chunk))).id)
        except discord.NotFound:
            if kept:
                raise
            return None
        for extra in ids[len(chunks) :]:
            with contextlib.suppress(discord.NotFound):
                await target.get_partial_message(extra).delete()
        return format_ref(channel_id, kept)

    async def permalink(self, community: str, ref: str) -> str | None:
        """The post's first message, as Discord links it (no API call)."""
        channel_id, message_ids = parse_ref(ref)
        if not message_ids:
            return None
        return f"https://discord.com/channels/{community}/{channel_id}/{message_ids[0]}"

    async def moderate(
        self, community: str, channel: str, ref: str, action: ModerationAction
    ) -> None:
        """Lock, unlock or archive the thread under a post (its id is the post's first
        message id), or pin the post."""
        channel_id, ids = parse_ref(ref)
        if not ids:
            raise PermanentFailure(f"not a Discord post ref: {ref!r}")
        try:
            if action == "pin":
                partial = self.client.get_partial_messageable(channel_id)
                await partial.get_partial_message(ids[0]).pin()
            elif action == "lock":
                await self.client.http.edit_channel(ids[0], locked=True)
            elif action == "unlock":
                await self.client.http.edit_channel(ids[0], locked=False, archived=False)
            else:
                await self.client.http.edit_channel(ids[0], archived=True)
        except TRANSPORT_ERRORS as exc:
            raise classify(exc) from exc

    async def delete_message(self, community: str, channel: str, message_id: str) -> bool:
        return await delete_message(self.client, channel, message_id)

    async def slow_thread(self, community: str, channel: str, seconds: int) -> None:
        await slow_thread(self.client, channel, seconds)

    # --- scheduled events ----------------------------------------------------------------

    async def sync_session(
        self, community: str, event: SessionEvent, *, ref: str | None = None
    ) -> str | None:
        """Create, update or cancel the session's Guild Scheduled Event (external, with
        the session's times and a location that never holds the call link)."""
        guild_id = int(community)
        try:
            if event.status == "cancelled":
                if ref is not None:
                    await self._cancel(guild_id, int(ref))
                return ref
            if event.status == "held":
                return ref  # Discord ends external events at their end time by itself
            payload = event_payload(event)
            if ref is not None:
                try:
                    await self.client.http.edit_scheduled_event(guild_id, int(ref), **payload)
                    return ref
                except discord.NotFound as exc:
                    if exc.code != UNKNOWN_EVENT:
                        raise
                    _log.info("scheduled event %s is gone; creating it again", ref)
            if event.starts_at <= self.now():
                return None  # Discord refuses events that start in the past
            data = await self.client.http.create_guild_scheduled_event(guild_id, **payload)
            return str(data["id"])
        except TRANSPORT_ERRORS as exc:
            raise classify(exc) from exc

    async def _cancel(self, guild_id: int, event_id: int) -> None:
        try:
            await self.client.http.edit_scheduled_event(guild_id, event_id, status=CANCELED)
        except discord.NotFound:
            pass  # deleted by hand: nothing left to cancel
        except discord.HTTPException as exc:
            if exc.status != 400:
                raise
            _log.info("scheduled event %s cannot be cancelled now: %s", event_id, exc.text)


def event_payload(event: SessionEvent) -> dict[str, Any]:
    return {
        "name": clip(event.title, EVENT_NAME),
        "description": clip(event.description, EVENT_DESCRIPTION),
        "scheduled_start_time": _iso(event.starts_at),
        "scheduled_end_time": _iso(event.ends_at),
        "entity_type": EXTERNAL,
        "privacy_level": GUILD_ONLY,
        "entity_metadata": {"location": clip(event.location, EVENT_LOCATION)},
    }


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat()
