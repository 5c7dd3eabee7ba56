"""The dispatcher's port on Slack: DMs, channel posts (editable later), files.

DMs: conversations.open (kept per member) then chat.postMessage; files go into the same
DM with files_upload_v2 (files.getUploadURLExternal, the upload, files.completeUploadExternal).
Every message to a channel waits its turn (`ChannelPacer`). SDK errors become RetryLater
or PermanentFailure (`errors.classify`), so the outbox knows whether to try again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.config import SlackConfig
from adapters.slack.errors import MEMBER_GONE, classified, error_code
from adapters.slack.mrkdwn import escape
from adapters.slack.pacing import ChannelPacer
from adapters.slack.render import SlackMessage, render_message
from adapters.slack.shortcuts import HOW_TO_SLOW, delete_message
from adapters.steps import StepMemory
from s4b_bot import (
    Attachment,
    Message,
    ModerationAction,
    PermanentFailure,
    Recipient,
    SessionEvent,
    SessionThread,
)

_log = logging.getLogger(__name__)

MSG_NO_THREAD_CONTROL = (
    "Slack has no API to {action} a thread; an organizer can ask people to move on, "
    "or delete replies by hand"
)


def make_ref(channel: str, ts: str) -> str:
    return f"{channel}:{ts}"


def split_ref(ref: str) -> tuple[str, str]:
    channel, sep, ts = ref.partition(":")
    if not sep or not channel or not ts:
        raise PermanentFailure(f"not a Slack post reference: {ref!r}")
    return channel, ts


class SlackPlatform:
    """Implements `s4b_bot.ports.Platform` for one workspace."""

    name = "slack"

    def __init__(
        self, client: AsyncWebClient, config: SlackConfig, *, pacer: ChannelPacer | None = None
    ) -> None:
        self.client = client
        self.config = config
        self.pacer = pacer or ChannelPacer(config.post_interval)
        self.steps = StepMemory()
        self._dm_channels: dict[str, str] = {}

    async def send_dm(self, recipient: Recipient, message: Message) -> None:
        """A DM; a member Slack cannot reach any more (gone, deactivated) is unreachable:
        the core keeps the message for them to see in the bot (App Home, their replies)."""
        try:
            channel = await self.dm_channel(recipient.user_id)
            await self.deliver(channel, message)
        except PermanentFailure as exc:
            cause = exc.__cause__
            if isinstance(cause, SlackApiError) and error_code(cause) in MEMBER_GONE:
                raise PermanentFailure(str(exc), unreachable=True) from cause
            raise

    # --- messages that always arrive: Slack has no private thread for one member -------

    private_threads = False

    async def post_in_session_thread(
        self, recipient: Recipient, thread: SessionThread, message: Message
    ) -> str:
        """Slack cannot add one member to a thread others cannot see: what waits for a
        member shows in their App Home and with their next command instead."""
        raise PermanentFailure("Slack has no private threads for one member")

    async def leave_session_thread(self, community: str, thread: SessionThread) -> None:
        raise PermanentFailure("Slack has no private threads for one member")

    async def post(
        self,
        community: str,
        channel: str,
        message: Message,
        *,
        ref: str | None = None,
        thread_title: str | None = None,
    ) -> str | None:
        """Post (or with `ref`, edit with chat.update) in a configured channel.

        `thread_title` opens the discussion: Slack threads start with a first reply, so
        the title is posted as that reply under the new post.
        """
        if ref is not None:
            channel_id, ts = split_ref(ref)
            pieces = render_message(message)
            await self.pacer.wait(channel_id)
            await classified(
                self.client.chat_update(
                    channel=channel_id, ts=ts, text=pieces[0].text, blocks=pieces[0].blocks
                )
            )
            # The edit grew: the rest follows.
            await self._post_pieces(channel_id, pieces[1:], key=message.key)
            await self.upload(channel_id, message.attachments, key=message.key)
            return ref
        channel_id = self.channel_id(channel)
        ts = await self.deliver(channel_id, message)
        if thread_title:
            await self.pacer.wait(channel_id)
            await classified(
                self.client.chat_postMessage(
                    channel=channel_id, thread_ts=ts, text=f"🧵 {escape(thread_title)}"
                )
            )
        return make_ref(channel_id, ts)

    async def permalink(self, community: str, ref: str) -> str | None:
        """The post's link, from chat.getPermalink (it knows the workspace's own address)."""
        channel_id, ts = split_ref(ref)
        response = await classified(
            self.client.chat_getPermalink(channel=channel_id, message_ts=ts)
        )
        link = response.get("permalink")
        return str(link) if link else None

    async def moderate(
        self, community: str, channel: str, ref: str, action: ModerationAction
    ) -> None:
        """Pin with pins.add; Slack has no API to lock, unlock or archive a thread."""
        channel_id, ts = split_ref(ref)
        if action != "pin":
            raise PermanentFailure(MSG_NO_THREAD_CONTROL.format(action=action))
        try:
            await classified(self.client.pins_add(channel=channel_id, timestamp=ts))
        except PermanentFailure as exc:
            if "already_pinned" not in str(exc):
                raise

    async def delete_message(self, community: str, channel: str, message_id: str) -> bool:
        """chat.delete: on Slack only the bot's own; anyone else's says how by hand."""
        await self.pacer.wait(channel)
        return await delete_message(self.client, channel, message_id)

    async def slow_thread(self, community: str, channel: str, seconds: int) -> None:
        """Slack has no slow mode: say so, and what an organizer can do instead."""
        raise PermanentFailure(HOW_TO_SLOW)

    def channel_id(self, channel: str) -> str:
        channel_id = self.config.channel_for(channel)
        if channel_id is None:
            raise PermanentFailure(
                f"no Slack channel is set for {channel} (SLACK_{channel.upper()}_CHANNEL)"
            )
        return channel_id

    async def sync_session(
        self, community: str, event: SessionEvent, *, ref: str | None = None
    ) -> str | None:
        return None  # Slack has no calendar of its own to keep in step

    async def dm_channel(self, user_id: str) -> str:
        """The member's DM channel with the bot, opened once and remembered."""
        if user_id not in self._dm_channels:
            response = await classified(self.client.conversations_open(users=user_id))
            channel = response.get("channel") or {}
            self._dm_channels[user_id] = str(channel["id"])
        return self._dm_channels[user_id]

    async def deliver(self, channel: str, message: Message) -> str:
        """Post a message (split as needed) and its files; the first message's ts.

        Each step is remembered under the message's key, so when a later step fails and
        the outbox tries again, the pieces already posted are not posted twice.
        """
        first = await self._post_pieces(channel, render_message(message), key=message.key)
        await self.upload(channel, message.attachments, key=message.key)
        assert first is not None
        return first

    async def _post_pieces(
        self, channel: str, pieces: Sequence[SlackMessage], *, key: str | None = None
    ) -> str | None:
        first: str | None = None
        for number, piece in enumerate(pieces):
            step = f"{key}:{channel}:piece:{number}" if key else None
            ts = self.steps.get(step) if step else None
            if ts is None:
                await self.pacer.wait(channel)
                response = await classified(
                    self.client.chat_postMessage(
                        channel=channel, text=piece.text, blocks=piece.blocks
                    )
                )
                ts = str(response.get("ts"))
                if step:
                    self.steps.done(step, ts)
            first = first or ts
        return first

    async def upload(
        self, channel: str, attachments: Sequence[Attachment], *, key: str | None = None
    ) -> None:
        """Files into a conversation; Slack shares them as one message."""
        step = f"{key}:{channel}:files" if key else None
        if not attachments or (step and self.steps.get(step)):
            return
        await self.pacer.wait(channel)
        await classified(
            self.client.files_upload_v2(
                channel=channel,
                file_uploads=[
                    {"file": a.content, "filename": a.filename, "title": a.filename}
                    | ({"alt_txt": a.alt} if a.alt else {})  # a picture's screen-reader text
                    for a in attachments
                ],
            )
        )
        if step:
            self.steps.done(step, "uploaded")
