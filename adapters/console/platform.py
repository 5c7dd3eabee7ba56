"""The console's Platform: DMs and channel posts are printed, labelled with where they go.

Attachments (calendar invitations, rosters) are saved to a folder so they can be opened.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from adapters.console.threads import Threads
from s4b_bot import (
    Message,
    ModerationAction,
    PermanentFailure,
    Recipient,
    SessionEvent,
    SessionThread,
)

Show = Callable[[str, Message], None]


class ConsolePlatform:
    name = "console"

    def __init__(self, show: Show, *, files_dir: Path | None = None) -> None:
        self._show = show
        self.files_dir = files_dir
        self.saved: list[Path] = []
        self._posts = 0
        self.closed: set[str] = set()
        """Members who closed their DMs (`/dms off`): their DMs fail as on a real platform."""
        self.threads = Threads()

    async def send_dm(self, recipient: Recipient, message: Message) -> None:
        if recipient.user_id in self.closed:
            self._show(f"[DM to {recipient.display_name} · not delivered: DMs closed]", Message())
            raise PermanentFailure("direct messages closed (console /dms off)", unreachable=True)
        self.save(message, recipient.user_id)
        self._show(f"[DM to {recipient.display_name}]", message)

    async def post(
        self,
        community: str,
        channel: str,
        message: Message,
        *,
        ref: str | None = None,
        thread_title: str | None = None,
    ) -> str | None:
        self.save(message, channel)
        edited = f" · edit of post {ref}" if ref else ""
        self._posts += 1
        new_ref = ref or f"{channel}:{self._posts}"
        self._show(f"[#{channel}{edited} · everyone in the channel]", message)
        if thread_title and not ref:
            self.threads.threads.add(new_ref)
            self._show(
                f"[#{channel} · thread “{thread_title}” opened under post {new_ref}]", Message()
            )
        return new_ref

    async def moderate(
        self, community: str, channel: str, ref: str, action: ModerationAction
    ) -> None:
        self._show(f"[#{channel} · post {ref}: {action}]", Message())

    async def delete_message(self, community: str, channel: str, message_id: str) -> bool:
        found = self.threads.delete(channel, message_id)
        done = "was already gone" if found is None else "deleted by the bot"
        self._show(f"[#{channel} · message {message_id} {done}]", Message())
        return found is not None

    async def slow_thread(self, community: str, channel: str, seconds: int) -> None:
        self.threads.slow[channel] = seconds
        every = f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"
        pace = f"one message per {every} per member" if seconds else "off"
        self._show(f"[#{channel} · slow mode: {pace}]", Message())

    async def sync_session(
        self, community: str, event: SessionEvent, *, ref: str | None = None
    ) -> str | None:
        return None  # a terminal has no calendar to keep in step

    # --- messages that always arrive: no private threads in a terminal ------------------

    private_threads = False

    async def post_in_session_thread(
        self, recipient: Recipient, thread: SessionThread, message: Message
    ) -> str:
        """A terminal has no private threads: what waits is shown with the member's next
        command instead."""
        raise PermanentFailure("the console has no private threads")

    async def leave_session_thread(self, community: str, thread: SessionThread) -> None:
        raise PermanentFailure("the console has no private threads")

    def save(self, message: Message, owner: str) -> None:
        """Write the message's attachments under `files_dir/owner/`."""
        if self.files_dir is None or not message.attachments:
            return
        folder = self.files_dir / re.sub(r"[^a-z0-9-]+", "-", owner.lower())
        folder.mkdir(parents=True, exist_ok=True)
        for attachment in message.attachments:
            path = folder / Path(attachment.filename).name
            path.write_bytes(attachment.content)
            self.saved.append(path)
