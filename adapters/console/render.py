"""Draw the core's neutral output as terminal text."""

from __future__ import annotations

import textwrap

from s4b_bot import Card, Form, FormField, Message, Text, plain_span

WIDTH = 88


def render_text(text: Text) -> str:
    return "".join(plain_span(s) for s in text.spans)


def _wrap(text: str, indent: str) -> list[str]:
    lines: list[str] = []
    for raw in text.split("\n"):
        # A link stays whole on its line, to be copied: never cut at its hyphens or length.
        link = "://" in raw
        wrapped = textwrap.wrap(
            raw, WIDTH - len(indent), break_long_words=not link, break_on_hyphens=not link
        ) or [""]
        lines += [indent + w for w in wrapped]
    return lines


def render_card(card: Card, buttons: list[str]) -> list[str]:
    lines = [f"┌ {card.title}"]
    for field in card.fields:
        lines += _wrap(f"{field.label}: {render_text(field.value)}", "│ ")
    for paragraph in card.body:
        lines += _wrap(render_text(paragraph), "│ ")
    if card.buttons:
        labels = []
        for button in card.buttons:
            buttons.append(button.action)
            labels.append(f"[{len(buttons)}: {button.label}]")
        lines.append("│ " + " ".join(labels))
    lines.append("└")
    return lines


def render_message(message: Message, buttons: list[str]) -> list[str]:
    """Lines for a message; button action ids are appended to `buttons` in the order shown."""
    lines: list[str] = []
    for paragraph in message.text:
        lines += _wrap(render_text(paragraph), "")
    for card in message.cards:
        lines += render_card(card, buttons)
    for attachment in message.attachments:
        lines.append(
            f"📎 {attachment.filename} ({len(attachment.content):,} bytes, {attachment.mime})"
        )
        if attachment.alt:  # what a picture shows, as a screen reader would say it
            lines += _wrap(f"alt text: {attachment.alt}", "   ")
    return lines


def describe_field(field: FormField) -> list[str]:
    need = "required" if field.required else "optional"
    limit = f", up to {field.max_length} characters" if field.max_length else ""
    lines = _wrap(f"{field.id}: {field.label} ({need}{limit})", "  ")
    if field.hint:
        lines += _wrap(field.hint, "      ")
    for choice in field.choices:
        lines.append(f"      - {choice.label}")
    if field.default not in (None, "", ()):
        lines.append(f"      now: {show_default(field)}")
    return lines


def show_default(field: FormField) -> str:
    default = field.default
    if isinstance(default, bool):
        return "yes" if default else "no"
    if isinstance(default, tuple):
        labels = {c.value: c.aliases[0] if c.aliases else c.label for c in field.choices}
        return ", ".join(labels.get(v, v) for v in default)
    return str(default)


def render_form(form: Form) -> list[str]:
    lines = [f"┌ Form: {form.title}"]
    if form.intro:
        lines += _wrap(form.intro, "│ ")
    for field in form.fields:
        lines += ["│" + line[1:] for line in describe_field(field)]
    lines.append("└")
    return lines
