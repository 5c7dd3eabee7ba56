"""Session threads on Discord: one private thread per session, opened by the bot in the
announcements channel, where it reaches registrants whose DMs are closed.

Start Thread without Message (POST /channels/{id}/threads, type 12 PRIVATE_THREAD,
invitable false: members cannot bring others in) works only in a text channel; Add Thread
Member (PUT /channels/{thread}/thread-members/{user}) needs the thread not archived, so an
archived one is unarchived first (code 50083), and a deleted one is opened again (10003).
Members who hold no seat any more are removed (DELETE, the same path) before each post,
and a member who asked to be forgotten at once, with no post (`leave`).
Each note mentions its member and no one else (allowed_mentions), and carries only what
the core put in it: everyone in the thread reads it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from adapters.discord.errors import classify
from adapters.discord.limits import CONTENT, THREAD_NAME
from adapters.discord.render import Chunk, render
from adapters.discord.views import message_kwargs
from adapters.steps import StepMemory
from s4b_bot import Message, PermanentFailure, Recipient, SessionThread, clip

UNKNOWN_CHANNEL = 10003
UNKNOWN_MEMBER = 10007
ARCHIVED_THREAD = 50083
AUTO_ARCHIVE = 10_080
"""Minutes without a message before Discord archives the thread (a week, the longest)."""
MSG_NOT_TEXT = (
    "a private thread needs a text channel; the announcements channel is not one "
    "(members whose DMs are closed find their messages in the bot instead)"
)

Channel = Callable[[str, str], Awaitable[Any]]
"""The platform's lookup of a configured channel in a server: (server id, name)."""


class DiscordSessionThreads:
    """Opens, reuses and posts in the sessions' private threads."""

    def __init__(
        self, client: discord.Client, channel: Channel, names: dict[str, str], steps: StepMemory
    ) -> None:
        self.client = client
        self.channel = channel
        self.names = names
        self.steps = steps
        self.opened: dict[tuple[str, int], int] = {}
        """Each session's thread once opened here, by (server, session)."""
        self._opening = asyncio.Lock()
        self.removed: set[tuple[int, str]] = set()
        """Who was taken out of which thread here, so as not to ask again each note."""

    async def post(self, recipient: Recipient, thread: SessionThread, message: Message) -> str:
        user = int(recipient.user_id)
        try:
            thread_id = await self._thread(recipient.community, thread)
            try:
                await self._remove(thread_id, thread.leave)
                await self._add(thread_id, user)
            except discord.NotFound as exc:
                if exc.code != UNKNOWN_CHANNEL:
                    raise
                self.opened.pop((recipient.community, thread.session_id), None)
                thread_id = await self._thread(recipient.community, thread, reuse=False)
                await self._add(thread_id, user)
            await self._send(thread_id, user, message)
        except (discord.HTTPException, OSError) as exc:
            raise classify(exc) from exc
        return str(thread_id)

    async def leave(self, thread: SessionThread) -> None:
        """Take `thread.leave` out of the thread `thread.ref` (members who asked to be
        forgotten), posting nothing; a thread deleted meanwhile is fine."""
        assert thread.ref is not None
        try:
            await self._remove(int(thread.ref), thread.leave)
        except discord.NotFound as exc:
            if exc.code != UNKNOWN_CHANNEL:
                raise classify(exc) from exc
        except (discord.HTTPException, OSError) as exc:
            raise classify(exc) from exc

    async def _thread(self, community: str, thread: SessionThread, *, reuse: bool = True) -> int:
        """The session's thread: the one known, else a new private one (one at a time, so
        two notes at once open one thread)."""
        key = (community, thread.session_id)
        async with self._opening:
            known = self.opened.get(key) or (int(thread.ref) if reuse and thread.ref else None)
            if known is not None:
                self.opened[key] = known
                return known
            parent = await self.channel(community, "announcements")
            if not isinstance(parent, discord.TextChannel):
                raise PermanentFailure(MSG_NOT_TEXT)
            made = await parent.create_thread(
                name=clip(thread.name, THREAD_NAME),
                type=discord.ChannelType.private_thread,
                invitable=False,
                auto_archive_duration=AUTO_ARCHIVE,
            )
            self.opened[key] = made.id
            return made.id

    async def _remove(self, thread_id: int, users: tuple[str, ...]) -> None:
        """Remove Thread Member: the bot made the private thread, so it may; one who is
        not in it any more is fine."""
        for user in users:
            if (thread_id, user) in self.removed:
                continue
            try:
                await self.client.http.remove_user_from_thread(thread_id, int(user))
            except discord.HTTPException as exc:
                if exc.code == ARCHIVED_THREAD:
                    await self.client.http.edit_channel(thread_id, archived=False)
                    await self.client.http.remove_user_from_thread(thread_id, int(user))
                elif exc.code != UNKNOWN_MEMBER:
                    raise
            self.removed.add((thread_id, user))

    async def _add(self, thread_id: int, user: int) -> None:
        self.removed.discard((thread_id, str(user)))
        try:
            await self.client.http.add_user_to_thread(thread_id, user)
        except discord.HTTPException as exc:
            if exc.code != ARCHIVED_THREAD:
                raise
            await self.client.http.edit_channel(thread_id, archived=False)
            await self.client.http.add_user_to_thread(thread_id, user)

    async def _send(self, thread_id: int, user: int, message: Message) -> None:
        """The note, its first part mentioning the member (and only them)."""
        chunks = render(message, self.names)
        mention = f"<@{user}>"
        first = chunks[0]
        if len(mention) + 1 + len(first.content) <= CONTENT:
            chunks[0] = Chunk(f"{mention} {first.content}".strip(), first.embeds, first.rows)
        else:
            chunks.insert(0, Chunk(mention))
        target = self.client.get_partial_messageable(
            thread_id, type=discord.ChannelType.private_thread
        )
        only_them = discord.AllowedMentions(
            everyone=False, roles=False, replied_user=False, users=[discord.Object(user)]
        )
        for number, chunk in enumerate(chunks):
            step = f"{message.key}:thread:{number}" if message.key else None
            if step and self.steps.get(step):
                continue
            kwargs = message_kwargs(Chunk(chunk.content, chunk.embeds, chunk.rows))
            if number == 0:
                kwargs["allowed_mentions"] = only_them
            await target.send(**kwargs)
            if step:
                self.steps.done(step, "sent")
