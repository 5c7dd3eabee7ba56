"""Where and how the core's `Outcome` is shown, after the ack.

- A form opens as a modal with the interaction's trigger_id, which lives 3 s. If the
  core is slow, a "Loading…" modal takes the trigger first and is updated with the
  form when it comes (https://api.slack.com/surfaces/modals#updating_views).
- A reply goes to the response_url (ephemeral unless the outcome is public; on the
  shared session), or, from the App Home tab (no response_url), as a modal; else a DM.
- Files cannot ride on an ephemeral reply or a modal, so they go to the member's DM
  (files_upload_v2) and the reply says so.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.deadline import MIN_WAIT, Deadline
from adapters.slack.limits import RESPONSE_URL_POSTS
from adapters.slack.modal import busy_modal, form_modal
from adapters.slack.parse import Origin
from adapters.slack.platform import SlackPlatform
from adapters.slack.render import SlackMessage, message_modal, render_message
from s4b_bot import Actor, Form, Message, Outcome, Text

_log = logging.getLogger(__name__)

MSG_FORM_TOO_SLOW = "Opening the form took too long; please try the same command again."
MSG_LOADING = "Working on it, one moment…"
DONE_PUBLIC = Message.plain("Done: the answer is in the channel.")


def files_note(message: Message) -> Message:
    """The reply, plus a line saying its files went to the member's DM."""
    names = ", ".join(a.filename for a in message.attachments)
    note = Text.of(f"📎 I sent {names} to our direct messages: files cannot travel in this reply.")
    return Message(text=(*message.text, note), cards=message.cards)


@dataclass
class Answer:
    """One interaction's way back to the member who started it."""

    platform: SlackPlatform
    actor: Actor
    origin: Origin
    respond: AsyncRespond | None
    deadline: Deadline
    """When the request arrived: the trigger_id's 3 s count from there."""
    trigger_budget: float = 2.0
    loading_view: str | None = None

    @property
    def client(self) -> AsyncWebClient:
        return self.platform.client

    def _trigger_left(self) -> float:
        if not self.origin.trigger_id:
            return 0.0
        return self.deadline.trigger_left()

    async def run(self, work: Awaitable[Outcome]) -> Outcome:
        """Await the core; if it is slow, hold the trigger_id with a "Loading…" modal.

        Any answer may be a form (the route table grows), so every slow interaction gets
        the modal; a reply that is not a form then shows in it instead of ephemerally.
        The wait is counted from the request's arrival: when a busy event loop started
        this listener late, the modal opens at once, while the trigger_id still works.
        """
        task = asyncio.ensure_future(work)
        if self._trigger_left() > 0:
            wait = self.deadline.left(self.trigger_budget)
            done = False
            if wait >= MIN_WAIT:
                finished, _ = await asyncio.wait({task}, timeout=wait)
                done = bool(finished)
            if not done:
                self.loading_view = await self._open_view(busy_modal(MSG_LOADING))
        return await task

    async def present(
        self, outcome: Outcome, *, draw: Callable[[Form], dict[str, Any]] = form_modal
    ) -> None:
        """The outcome where the member is looking; `draw` makes a form's modal."""
        if outcome.form is not None:
            await self.show_view(draw(outcome.form))
        if outcome.reply is not None:
            await self.say(outcome.reply, public=outcome.public, in_view=outcome.form is None)

    async def show_view(self, view: dict[str, Any]) -> None:
        """A modal: into the "Loading…" one if it holds the trigger, else opened."""
        if self.loading_view is not None:
            if await self._update_view(self.loading_view, view):
                return
        elif self._trigger_left() > 0 and await self._open_view(view) is not None:
            return
        await self.say(Message.plain(MSG_FORM_TOO_SLOW), in_view=False)

    async def say(self, message: Message, *, public: bool = False, in_view: bool = True) -> None:
        """Show a reply where the member is looking."""
        if public and self.respond is not None and self.origin.has_response_url:
            shown = files_note(message) if message.attachments else message
            if await self._respond(shown, public=True):  # public: in the channel, always
                if self.loading_view is not None:
                    await self._update_view(self.loading_view, message_modal(DONE_PUBLIC))
                await self.send_files(message)
                return
        if (
            in_view
            and self.loading_view is not None
            and await self._update_view(self.loading_view, message_modal(message))
        ):
            await self.send_files(message)
            return
        if self.respond is not None and self.origin.has_response_url:
            shown = files_note(message) if message.attachments else message
            if await self._respond(shown, public=public):
                await self.send_files(message)
                return
        if in_view and self.origin.view_type is not None and self._trigger_left() > 0:
            shown = files_note(message) if message.attachments else message
            if await self._open_view(message_modal(shown)) is not None:
                await self.send_files(message)
                return
        await self.dm(message)

    async def dm(self, message: Message) -> None:
        """Everything, files included, into the member's DM."""
        try:
            channel = await self.platform.dm_channel(self.actor.user_id)
            await self.platform.deliver(channel, message)
        except Exception as exc:  # nowhere left to answer: log it, without payloads
            _log.warning("cannot DM a reply: %s", type(exc).__name__)

    async def send_files(self, message: Message) -> None:
        if message.attachments:
            await self.dm(Message(attachments=message.attachments))

    async def _respond(self, message: Message, *, public: bool) -> bool:
        assert self.respond is not None
        pieces = render_message(message)
        kind = "in_channel" if public else "ephemeral"
        for index, piece in enumerate(pieces):
            if index == RESPONSE_URL_POSTS - 1 and len(pieces) > RESPONSE_URL_POSTS:
                rest = Message.plain("The rest of this answer is in our direct messages.")
                await self._respond_one(render_message(rest)[0], kind)
                for later in pieces[index:]:
                    await self._dm_piece(later.text, later.blocks)
                return True
            if not await self._respond_one(piece, kind):
                return index > 0  # the first failed: answer elsewhere; later: stop
        return True

    async def _respond_one(self, piece: SlackMessage, kind: str) -> bool:
        assert self.respond is not None and self.respond.response_url is not None
        # Not bolt's respond(): it opens a new aiohttp session (a new connection) per post.
        webhook = AsyncWebhookClient(
            url=self.respond.response_url,
            timeout=int(self.client.timeout),
            session=self.client.session,
            proxy=self.respond.proxy,
            ssl=self.respond.ssl,
        )
        message = {
            "text": piece.text,
            "blocks": piece.blocks,
            "response_type": kind,
            "replace_original": False,
        }
        try:
            result = await webhook.send_dict(message)
        except (SlackClientError, OSError) as exc:
            _log.warning("respond() failed: %s", type(exc).__name__)
            return False
        if result.status_code != 200:
            _log.warning("respond() answered HTTP %s", result.status_code)
            return False
        return True

    async def _dm_piece(self, text: str, blocks: list[dict[str, Any]]) -> None:
        channel = await self.platform.dm_channel(self.actor.user_id)
        await self.platform.pacer.wait(channel)
        await self.client.chat_postMessage(channel=channel, text=text, blocks=blocks)

    async def _open_view(self, view: dict[str, Any]) -> str | None:
        """views.open, or views.push over a modal already open; the view id, or None."""
        trigger = self.origin.trigger_id
        try:
            if self.origin.in_modal:
                response = await self.client.views_push(trigger_id=trigger, view=view)
            else:
                response = await self.client.views_open(trigger_id=trigger, view=view)
        except (SlackClientError, OSError) as exc:
            _log.warning("cannot open a modal: %s", type(exc).__name__)
            return None
        return str((response.get("view") or {}).get("id") or "") or None

    async def _update_view(self, view_id: str, view: dict[str, Any]) -> bool:
        try:
            await self.client.views_update(view_id=view_id, view=view)
        except (SlackClientError, OSError) as exc:
            _log.warning("cannot update a modal: %s", type(exc).__name__)
            return False
        return True
