"""Draw the core's neutral `Message` as Discord messages: content, embeds, buttons, files.

Every Discord limit (declared in `limits.py`) is kept here, by splitting in order rather
than failing: long text goes on in further embeds and messages; only a title, a field
name or a button label is clipped.

Times are Discord timestamps (`<t:UNIX:F>`, `<t:UNIX:R>`), which every member sees in
their own zone (so `Localised` words are their localised variant); a relative moment is
`<t:UNIX:R>` alone ("in 2 hours"), kept current by the client. Text is escaped, except
the core's `code` spans (command names); mass mentions are neutralised by sending
`allowed_mentions` none with everything.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

import discord

from adapters.discord.limits import (
    BUTTON_LABEL,
    BUTTONS_PER_ROW,
    CONTENT,
    EMBED_DESCRIPTION,
    EMBED_FIELDS,
    EMBED_TITLE,
    EMBED_TOTAL,
    EMBEDS,
    FIELD_NAME,
    FIELD_VALUE,
    FILE_DESCRIPTION,
    FILES,
    ROWS,
)
from s4b_bot import (
    Attachment,
    Button,
    Card,
    Localised,
    Message,
    Moment,
    Span,
    Text,
    clip,
    split_text,
)

COLOUR = discord.Colour(0x2B6CB0)
NO_MENTIONS = discord.AllowedMentions.none()

_CODE = re.compile(r"`[^`\n]+`")

Style = Literal["primary", "danger", "secondary"]


@dataclass(frozen=True)
class ButtonSpec:
    label: str
    custom_id: str
    style: Style = "secondary"


@dataclass
class Chunk:
    """One Discord message's worth of a neutral message."""

    content: str = ""
    embeds: list[discord.Embed] = field(default_factory=list)
    rows: list[list[ButtonSpec]] = field(default_factory=list)
    files: list[Attachment] = field(default_factory=list)

    @property
    def embed_chars(self) -> int:
        return sum(len(e) for e in self.embeds)


def to_file(attachment: Attachment) -> discord.File:
    """The file, with a picture's alt text as its description (what screen readers say)."""
    return discord.File(
        io.BytesIO(attachment.content),
        filename=attachment.filename,
        description=clip(attachment.alt, FILE_DESCRIPTION) if attachment.alt else None,
    )


# --- text ----------------------------------------------------------------------------


def moment_token(moment: Moment) -> str:
    """`<t:START:F>–<t:END:t> (<t:START:R>)`: localised by each member's Discord client."""
    start = int(moment.start.timestamp())
    if moment.relative_to is not None:
        return f"<t:{start}:R>"
    text = f"<t:{start}:F>"
    if moment.end is not None:
        end = int(moment.end.timestamp())
        short = moment.end - moment.start < timedelta(hours=12)
        text += f"–<t:{end}:{'t' if short else 'F'}>"
    return f"{text} (<t:{start}:R>)"


def escape(text: str) -> str:
    """Escape Discord markdown, keeping the core's `code` spans (command names) as code."""
    out: list[str] = []
    pos = 0
    for match in _CODE.finditer(text):
        out.append(discord.utils.escape_markdown(text[pos : match.start()]))
        out.append(match.group())
        pos = match.end()
    out.append(discord.utils.escape_markdown(text[pos:]))
    return "".join(out)


def rename_commands(text: str, names: Mapping[str, str]) -> str:
    """Core usage ("/s4b calendar feed") → the Discord command ("/s4b calendar-feed")."""
    for core_name, discord_name in names.items():
        text = re.sub(re.escape(core_name) + r"(?![\w-])", discord_name, text)
    return text


def render_span(span: Span, names: Mapping[str, str] = {}) -> str:
    if isinstance(span, Moment):
        return moment_token(span)
    words = span.localised if isinstance(span, Localised) else span
    return escape(rename_commands(words, names))


def render_text(text: Text, names: Mapping[str, str] = {}) -> str:
    return "".join(render_span(s, names) for s in text.spans)


# --- cards -----------------------------------------------------------------------------


def _style(button: Button) -> Style:
    if button.style == "primary":
        return "primary"
    return "danger" if button.style == "danger" else "secondary"


def card_rows(card: Card, *, name_session: bool) -> list[list[ButtonSpec]]:
    """The card's buttons, exactly as the core gives them, in rows of 5; labelled with the
    session when several cards share a message (Discord shows all buttons below all
    embeds)."""
    specs = [ButtonSpec(b.label, b.action, _style(b)) for b in card.buttons]
    if name_session:
        short = card.title.split(" — ")[0]
        specs = [ButtonSpec(f"{s.label} · {short}", s.custom_id, s.style) for s in specs]
    specs = [ButtonSpec(clip(s.label, BUTTON_LABEL), s.custom_id, s.style) for s in specs]
    rows = [specs[i : i + BUTTONS_PER_ROW] for i in range(0, len(specs), BUTTONS_PER_ROW)]
    return rows[:ROWS]


def card_embeds(card: Card, names: Mapping[str, str] = {}) -> list[discord.Embed]:
    """One embed per card, continued in further embeds when the card is too long for one."""
    title = clip(escape(card.title), EMBED_TITLE)
    body = "\n\n".join(render_text(p, names) for p in card.body)
    descriptions = split_text(body, EMBED_DESCRIPTION) if body else []
    fields: list[tuple[str, str]] = []
    for f in card.fields:
        name = clip(escape(f.label), FIELD_NAME)
        pieces = split_text(render_text(f.value, names), FIELD_VALUE)
        fields += [
            (name if i == 0 else clip(f"{name} (continued)", FIELD_NAME), piece)
            for i, piece in enumerate(pieces)
        ]
    embeds = [discord.Embed(title=title, colour=COLOUR)]
    if descriptions:
        embeds[0].description = descriptions[0]
        for more in descriptions[1:]:
            embeds.append(discord.Embed(description=more, colour=COLOUR))
    for name, value in fields:
        current = embeds[-1]
        if len(current.fields) >= EMBED_FIELDS or len(current) + len(name) + len(value) > (
            EMBED_TOTAL
        ):
            current = discord.Embed(colour=COLOUR)
            embeds.append(current)
        current.add_field(name=name, value=value or "\u200b", inline=False)
    return embeds


# --- messages --------------------------------------------------------------------------


def render(message: Message, names: Mapping[str, str] = {}) -> list[Chunk]:
    """The messages to send for `message`, in order, each within Discord's limits."""
    content = "\n\n".join(render_text(p, names) for p in message.text)
    chunks = [Chunk(content=part) for part in split_text(content, CONTENT)] if content else []
    current = chunks[-1] if chunks else Chunk()
    if not chunks:
        chunks.append(current)
    several = len(message.cards) > 1
    for card in message.cards:
        embeds = card_embeds(card, names)
        rows = card_rows(card, name_session=several)
        for index, embed in enumerate(embeds):
            last = index == len(embeds) - 1
            if (
                len(current.embeds) >= EMBEDS
                or current.embed_chars + len(embed) > EMBED_TOTAL
                or (last and len(current.rows) + len(rows) > ROWS)
            ):
                current = Chunk()
                chunks.append(current)
            current.embeds.append(embed)
        current.rows += rows  # with the card's last embed
    files = list(message.attachments)
    while files:
        if len(current.files) >= FILES:
            current = Chunk()
            chunks.append(current)
        room = FILES - len(current.files)
        current.files += files[:room]
        files = files[room:]
    return [c for c in chunks if c.content or c.embeds or c.files]
