"""The console's discussion threads: members write in the thread under a post (`/say`), and
report a message there with the console's gesture (`/report-message`), as Discord's message
menu and Slack's message shortcut do. Messages are kept in memory, numbered per thread:
`ideas:4/2` is the second message in the thread under post `ideas:4`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from s4b_bot import ChatMessage

REPORT = "report_message"
"""The gesture's callback id (`s4b_bot.conversation.message_reports.CALLBACK_ID`)."""
_POST = re.compile(r"[a-z]+:\d+")
_CHANNEL = re.compile(r"#?([a-z]+)")
HOW = (
    "Write in a thread with `/say <post> <text>` (the post as shown, e.g. `/say ideas:4 Hi`; "
    "`/say ideas Hi` writes in the channel itself), and report a message with "
    "`/report-message <message> [reason]` (e.g. `/report-message ideas:4/1 spam`)."
)


@dataclass
class ConsoleMessage:
    ref: str
    channel: str
    """The thread (`ideas:4`) or, outside any thread, the channel (`ideas`)."""
    author_id: str
    author: str
    text: str
    deleted: bool = False


class Threads:
    """Every message written in the console's channels and threads, by its ref."""

    def __init__(self) -> None:
        self.messages: dict[str, ConsoleMessage] = {}
        self.slow: dict[str, int] = {}
        self.threads: set[str] = set()
        """The posts a thread was opened under (`ideas:4`)."""

    def write(self, where: str, author_id: str, author: str, text: str) -> ConsoleMessage:
        """A new message in the thread under post `where` (`ideas:4`), or in channel `where`."""
        if _POST.fullmatch(where):
            if where not in self.threads:
                raise ValueError(f"post {where} has no discussion thread (yet)")
            channel = where
        else:
            named = _CHANNEL.fullmatch(where)
            if named is None:
                raise ValueError(
                    f"{where[:30]!r} is neither a post (ideas:4) nor a channel (ideas)"
                )
            channel = named.group(1)
        number = sum(m.channel == channel for m in self.messages.values()) + 1
        ref = f"{channel}/{number}"
        message = ConsoleMessage(ref, channel, author_id, author, text)
        self.messages[ref] = message
        return message

    def pointed_at(self, ref: str) -> ChatMessage:
        """The message `ref` as the core's gesture takes it; a post itself is the bot's."""
        if _POST.fullmatch(ref):
            return ChatMessage(ref.split(":")[0], ref, (), "s4b", "", by_bot=True)
        found = self.messages.get(ref)
        if found is None or found.deleted:
            raise ValueError(f"There is no message {ref[:30]!r} (any more). {HOW}")
        under = (found.channel,) if _POST.fullmatch(found.channel) else ()
        return ChatMessage(
            found.channel, found.ref, under, found.author_id, found.text, link=found.ref
        )

    def delete(self, channel: str, message_id: str) -> ConsoleMessage | None:
        """The message, now deleted; None if it was not there (any more)."""
        found = self.messages.get(message_id)
        if found is None or found.deleted:
            return None
        found.deleted = True
        return found
