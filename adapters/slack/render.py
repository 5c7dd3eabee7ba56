"""The core's `Message` as Block Kit: messages, the App Home tab, and read-only modals.

Slack's limits are declared in `limits.py`. Long paragraphs are cut between words into
several sections; blocks are packed into several messages, in order, keeping each card whole
where it fits. A view cannot be split, so it keeps the cards that fit and says where to see
the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adapters.slack.limits import (
    BLOCKS_PER_MESSAGE,
    BUTTON_CHARS,
    BUTTONS_PER_ACTIONS,
    FIELD_CHARS,
    FIELDS_PER_SECTION,
    HEADER_CHARS,
    MESSAGE_CHARS,
    MODAL_TITLE_CHARS,
    SECTION_CHARS,
    VIEW_BLOCKS,
)
from adapters.slack.mrkdwn import escape, mrkdwn, plain, shorten, split_mrkdwn
from s4b_bot import Button, Card, Field, Message, Text, files_caption

Block = dict[str, Any]

NOTIFICATION_CHARS = 300
MORE_NOTE = "More sessions and details: `/s4b sessions` and `/s4b help`."


@dataclass(frozen=True)
class SlackMessage:
    """One chat.postMessage / respond() worth: blocks, and the notification text."""

    text: str
    blocks: list[Block]


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _sections(text: Text) -> list[Block]:
    return [section(piece) for piece in split_mrkdwn(text, SECTION_CHARS) if piece.strip()]


def _field_blocks(fields: tuple[Field, ...]) -> list[Block]:
    """Short fields side by side (section fields); a long one gets its own sections."""
    blocks: list[Block] = []
    row: list[dict[str, str]] = []
    for item in fields:
        text = f"*{escape(item.label)}*\n{mrkdwn(item.value)}"
        if len(text) <= FIELD_CHARS:
            row.append({"type": "mrkdwn", "text": text})
            if len(row) == FIELDS_PER_SECTION:
                blocks.append({"type": "section", "fields": row})
                row = []
            continue
        if row:
            blocks.append({"type": "section", "fields": row})
            row = []
        blocks += _sections(Text((f"{item.label}: ", *item.value.spans)))
    if row:
        blocks.append({"type": "section", "fields": row})
    return blocks


def button(item: Button) -> Block:
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": shorten(item.label, BUTTON_CHARS), "emoji": True},
        "action_id": item.action,
        "value": item.action,
    }
    if item.style != "default":
        element["style"] = item.style
    return element


def _card_blocks(card: Card) -> list[Block]:
    if len(card.title) <= HEADER_CHARS:
        blocks: list[Block] = [
            {"type": "header", "text": {"type": "plain_text", "text": card.title, "emoji": True}}
        ]
    else:  # a header cannot hold it: a bold section keeps every word
        pieces = split_mrkdwn(Text.of(card.title), SECTION_CHARS - 10)  # room for the * marks
        blocks = [section(piece) for piece in pieces]
        blocks = [section(f"*{b['text']['text']}*") for b in blocks]
    blocks += _field_blocks(card.fields)
    for paragraph in card.body:
        blocks += _sections(paragraph)
    for start in range(0, len(card.buttons), BUTTONS_PER_ACTIONS):
        chunk = card.buttons[start : start + BUTTONS_PER_ACTIONS]
        blocks.append({"type": "actions", "elements": [button(b) for b in chunk]})
    return blocks


def block_groups(message: Message) -> list[list[Block]]:
    """Blocks in order, grouped so that a group (a paragraph, a card) stays together."""
    groups = [_sections(p) for p in message.text]
    groups += [_card_blocks(c) for c in message.cards]
    return [g for g in groups if g]


def _size(block: Block) -> int:
    return len(str(block))


def _pack(groups: list[list[Block]], max_blocks: int, max_chars: int) -> list[list[Block]]:
    messages: list[list[Block]] = []
    current: list[Block] = []
    chars = 0
    for group in groups:
        size = sum(_size(b) for b in group)
        if current and (len(current) + len(group) > max_blocks or chars + size > max_chars):
            messages.append(current)
            current, chars = [], 0
        for block in group:  # a group too big for one message is cut between blocks
            if current and (len(current) == max_blocks or chars + _size(block) > max_chars):
                messages.append(current)
                current, chars = [], 0
            current.append(block)
            chars += _size(block)
    if current:
        messages.append(current)
    return messages


def notification(message: Message) -> str:
    """The `text` Slack shows in notifications and screen readers; for a message that
    carries only files, what they are."""
    first = next((plain(p) for p in message.text if p.spans), None)
    if first is None and message.cards:
        first = message.cards[0].title
    if first is None and message.attachments:
        first = files_caption(message.attachments)
    return escape(shorten(first or "S4B", NOTIFICATION_CHARS))


def render_message(message: Message) -> list[SlackMessage]:
    """One or more messages, in order, each within Slack's limits; never an empty list."""
    text = notification(message)
    packed = _pack(block_groups(message), BLOCKS_PER_MESSAGE, MESSAGE_CHARS)
    if not packed:
        return [SlackMessage(text=text, blocks=[section(text)])]
    return [
        SlackMessage(text=text if i == 0 else f"{text} (continued)", blocks=blocks)
        for i, blocks in enumerate(packed)
    ]


def view_blocks(message: Message, *, max_blocks: int = VIEW_BLOCKS) -> list[Block]:
    """Whole groups that fit in one view; a last line says where the rest is."""
    blocks: list[Block] = []
    groups = block_groups(message)
    for index, group in enumerate(groups):
        room = max_blocks - len(blocks) - (1 if index < len(groups) - 1 else 0)
        if len(group) > room:
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": MORE_NOTE}]})
            break
        blocks += group
    return blocks or [section(notification(message))]


def home_view(message: Message) -> dict[str, Any]:
    """The App Home tab (views.publish)."""
    return {"type": "home", "blocks": view_blocks(message)}


def message_modal(message: Message, *, title: str = "S4B") -> dict[str, Any]:
    """A read-only modal: an answer to a button pressed on the App Home tab."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": shorten(title, MODAL_TITLE_CHARS)},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": view_blocks(message),
    }
