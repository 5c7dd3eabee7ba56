"""The console's Platform: DMs and channel posts are printed, labelled with where they go.

Attachments (calendar invitations, rosters) are saved to a folder so they can be opened.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from s4b_bot.output import Message
from s4b_bot.ports import Recipient, SessionEvent

Show = Callable[[str, Message], None]


class ConsolePlatform:
    name = "console"

    def __init__(self, show: Show, *, files_dir: Path | None = None) -> None:
        self._show = show
        self.files_dir = files_dir
        self.saved: list[Path] = []
        self._posts = 0

    async def send_dm(self, recipient: Recipient, message: Message) -> None:
        self._save(message, recipient.user_id)
        self._show(f"[DM to {recipient.display_name}]", message)

    async def post(
        self, community: str, channel: str, message: Message, *, ref: str | None = None
    ) -> str | None:
        self._save(message, channel)
        edited = " · edited" if ref else ""
        self._show(f"[#{channel}{edited} · everyone in the channel]", message)
        self._posts += 1
        return ref or f"{channel}:{self._posts}"

    async def sync_session(
        self, community: str, event: SessionEvent, *, ref: str | None = None
    ) -> str | None:
        return None  # a terminal has no calendar to keep in step

    def _save(self, message: Message, owner: str) -> None:
        if self.files_dir is None or not message.attachments:
            return
        folder = self.files_dir / re.sub(r"[^a-z0-9-]+", "-", owner.lower())
        folder.mkdir(parents=True, exist_ok=True)
        for attachment in message.attachments:
            path = folder / Path(attachment.filename).name
            path.write_bytes(attachment.content)
            self.saved.append(path)
