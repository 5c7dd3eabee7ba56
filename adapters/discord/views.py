"""Buttons and modals: persistent buttons whose state is their custom_id, and the core's
forms as one `discord.ui.Modal`.

Buttons are `DynamicItem`s (discord.py's `ui/dynamic.py`): their custom_id is the core's
stable action id (`s4b:unregister:12`), so a button keeps working after a restart.

A modal holds at most 5 top-level components (each a `Label` around a text input, a
select, a radio group or a checkbox). A form with more fields folds an optional text field and the
optional email field next to it into one input, "Organization / role, email", split
again on submission (`parse.form_values`). The modal is only drawn here: it is marked
finished before it is sent, so discord.py keeps no in-memory state for it, and the
submission is handled by its custom_id (`s4b-form:<form id>`), which survives restarts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

import discord
from discord import ui

from adapters.discord.limits import (
    LABEL_DESCRIPTION,
    LABEL_TEXT,
    MAX_MODAL_COMPONENTS,
    MODAL_TITLE,
    OPTION_TEXT,
    RADIO_OPTIONS,
    SELECT_OPTIONS,
    TEXT_INPUT_MAX,
)
from adapters.discord.render import NO_MENTIONS, ButtonSpec, Chunk, to_file
from s4b_bot import ACTION_PATTERN, Form, FormField, clip

if TYPE_CHECKING:
    from typing import Self

MODAL_PREFIX = "s4b-form:"
FOLD = "+"
"""Joins the field ids of a folded input: `organization+email` (the email always last)."""
OPEN_FORM_TEMPLATE = r"s4b-form:open:(?P<form>[a-z_]{1,40})"
_STYLES = {
    "primary": discord.ButtonStyle.primary,
    "danger": discord.ButtonStyle.danger,
    "secondary": discord.ButtonStyle.secondary,
}


class ButtonHandler(Protocol):
    async def press(self, interaction: discord.Interaction[Any], action: str) -> None: ...

    async def open_form(self, interaction: discord.Interaction[Any], form_id: str) -> None: ...


def _handler(interaction: discord.Interaction[Any]) -> ButtonHandler:
    return cast(ButtonHandler, interaction.client.s4b)


class ActionButton(ui.DynamicItem[ui.Button[Any]], template=ACTION_PATTERN):
    """A core button (Register, Unregister, Add to calendar, Details, …): its custom_id is
    the core's action id, passed back to the core as it is."""

    def __init__(
        self,
        action: str,
        *,
        label: str = "Open",
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        super().__init__(ui.Button(label=label, style=style, custom_id=action))
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        button = cast(ui.Button[Any], item)
        return cls(match.group(0), label=button.label or "Open", style=button.style)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _handler(interaction).press(interaction, self.action)


class OpenFormButton(ui.DynamicItem[ui.Button[Any]], template=OPEN_FORM_TEMPLATE):
    """Opens a form again (after a refused submission, or when it could not open at once)."""

    def __init__(self, form_id: str, *, label: str = "Open the form") -> None:
        super().__init__(
            ui.Button(
                label=label,
                style=discord.ButtonStyle.primary,
                custom_id=f"{MODAL_PREFIX}open:{form_id}",
            )
        )
        self.form_id = form_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(match["form"], label=cast(ui.Button[Any], item).label or "Open the form")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _handler(interaction).open_form(interaction, self.form_id)


PERSISTENT_ITEMS = (ActionButton, OpenFormButton)


def button_view(rows: Sequence[Sequence[ButtonSpec]]) -> ui.View:
    """A view of persistent buttons, one row per card (at most 5 rows of 5)."""
    view = ui.View(timeout=None)
    for index, row in enumerate(rows):
        for spec in row:
            item: ui.Item[Any]
            action = re.fullmatch(ACTION_PATTERN, spec.custom_id)
            opener = re.fullmatch(OPEN_FORM_TEMPLATE, spec.custom_id)
            if action:
                item = ActionButton(spec.custom_id, label=spec.label, style=_STYLES[spec.style])
            elif opener:
                item = OpenFormButton(opener["form"], label=spec.label)
            else:
                raise ValueError(f"not a persistent custom_id: {spec.custom_id!r}")
            item.row = index
            view.add_item(item)
    return view


def message_kwargs(chunk: Chunk) -> dict[str, Any]:
    """Keyword arguments for `Messageable.send`, `Webhook.send` or `send_message`.

    Files become new `discord.File`s on each call (a File is read once).
    """
    kwargs: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
    if chunk.content:
        kwargs["content"] = chunk.content
    if chunk.embeds:
        kwargs["embeds"] = list(chunk.embeds)
    if chunk.rows:
        kwargs["view"] = button_view(chunk.rows)
    if chunk.files:
        kwargs["files"] = [to_file(a) for a in chunk.files]
    return kwargs


# --- modals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    """One modal component: a form field, or an optional text field folded with an email."""

    fields: tuple[FormField, ...]

    @property
    def custom_id(self) -> str:
        return FOLD.join(f.id for f in self.fields)


class FormTooLarge(ValueError):
    """A form that cannot fit Discord's 5 modal components even after folding."""


def plan_inputs(form: Form) -> list[Input]:
    """The form's fields as at most 5 inputs, folding optional text + email pairs."""
    inputs = [Input((f,)) for f in form.fields]
    while len(inputs) > MAX_MODAL_COMPONENTS:
        for i in range(len(inputs) - 1):
            pair = _foldable(inputs[i], inputs[i + 1])
            if pair is not None:
                inputs[i : i + 2] = [Input(pair)]
                break
        else:
            raise FormTooLarge(
                f"form {form.id!r} has {len(form.fields)} fields; "
                f"a Discord modal holds {MAX_MODAL_COMPONENTS}"
            )
    return inputs


def _foldable(a: Input, b: Input) -> tuple[FormField, FormField] | None:
    if len(a.fields) != 1 or len(b.fields) != 1:
        return None
    x, y = a.fields[0], b.fields[0]
    if x.required or y.required:
        return None
    if x.kind == "short_text" and y.kind == "email":
        return (x, y)
    if x.kind == "email" and y.kind == "short_text":
        return (y, x)
    return None


def fit_label(label: str, hint: str | None) -> tuple[str, str | None]:
    """A label's text and description (`LABEL_TEXT`, `LABEL_DESCRIPTION`): a long label continues in
    the description, so nothing of it is lost."""
    if len(label) <= LABEL_TEXT:
        return label, clip(hint, LABEL_DESCRIPTION) if hint else None
    cut = label.rfind(" ", 0, LABEL_TEXT - 1)
    cut = cut if cut > 0 else LABEL_TEXT - 1
    head, tail = label[:cut].rstrip() + "…", "…" + label[cut:].strip()
    description = tail if not hint else f"{tail} {hint}"
    return head, clip(description, LABEL_DESCRIPTION)


class FormModal(ui.Modal):
    """A core `Form` drawn as a modal. Submissions are parsed by `parse.form_values`."""

    def __init__(self, form: Form) -> None:
        super().__init__(title=clip(form.title, MODAL_TITLE), custom_id=MODAL_PREFIX + form.id)
        self.form = form
        for item in plan_inputs(form):
            self.add_item(_component(item))


def form_modal(form: Form) -> FormModal:
    """The modal to send; marked finished so discord.py does not keep it in memory (the
    submission is handled by custom_id, restart or not)."""
    modal = FormModal(form)
    modal.stop()
    return modal


def _component(item: Input) -> ui.Label[Any]:
    if len(item.fields) == 2:
        first, email = item.fields
        label = f"{first.label}, {email.label.split(' (')[0].lower()}"
        default = ", ".join(str(f.default) for f in item.fields if f.default)
        return ui.Label(
            text=clip(label, LABEL_TEXT),
            description="Both optional, separated by a comma. Only organizers see the email.",
            component=ui.TextInput(
                custom_id=item.custom_id,
                style=discord.TextStyle.short,
                required=False,
                default=default or None,
                max_length=min(
                    TEXT_INPUT_MAX, (first.max_length or 200) + 2 + (email.max_length or 254)
                ),
                placeholder="e.g. Community garden lead, ada@example.org",
            ),
        )
    field = item.fields[0]
    text, description = fit_label(field.label, field.hint)
    component: ui.Item[Any]
    if field.kind == "multi_select":
        component = _select(field)
    elif field.kind == "single_choice":
        component = _single_choice(field)
    elif field.kind == "checkbox":
        component = ui.Checkbox(custom_id=field.id, default=field.default is True)
    else:
        component = ui.TextInput(
            custom_id=field.id,
            style=discord.TextStyle.paragraph
            if field.kind == "long_text"
            else discord.TextStyle.short,
            required=field.required,
            default=str(field.default)
            if isinstance(field.default, str) and field.default
            else None,
            max_length=min(TEXT_INPUT_MAX, field.max_length or TEXT_INPUT_MAX),
        )
    return ui.Label(text=text, description=description, component=component)


def _single_choice(field: FormField) -> ui.Item[Any]:
    """One of a few choices: a radio group (2 to 10 options), else a select of one."""
    low, high = RADIO_OPTIONS
    if not low <= len(field.choices) <= high:
        return _select(field, single=True)
    return ui.RadioGroup(
        custom_id=field.id,
        required=field.required,
        options=[
            discord.RadioGroupOption(
                label=clip(c.label, OPTION_TEXT),
                value=c.value[:OPTION_TEXT],
                default=c.value == field.default,
            )
            for c in field.choices
        ],
    )


def _select(field: FormField, *, single: bool = False) -> ui.Select[Any]:
    default = (field.default,) if single and isinstance(field.default, str) else field.default
    chosen = set(default) if isinstance(default, tuple) else set()
    # Discord shows 25 options at most: keep the ticked ones, then the first others.
    keep = [c for c in field.choices if c.value in chosen]
    keep += [c for c in field.choices if c.value not in chosen][: SELECT_OPTIONS - len(keep)]
    shown = [c for c in field.choices if c in keep][:SELECT_OPTIONS]
    if not shown:
        raise FormTooLarge(f"field {field.id!r} has no choices to show")
    return ui.Select(
        custom_id=field.id,
        options=[
            discord.SelectOption(
                label=clip(c.label, OPTION_TEXT),
                value=c.value[:OPTION_TEXT],
                default=c.value in chosen,
            )
            for c in shown
        ],
        min_values=1 if field.required else 0,
        max_values=1 if single else len(shown),
        required=field.required,
    )
