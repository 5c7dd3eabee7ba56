"""The core's `Form` as a Slack modal, and a submitted modal back into the core's values.

Each field is an input block whose block_id (and action_id) is the field id, so the
core's field errors go straight back as `{"response_action": "errors", ...}`. The form id
travels in private_metadata. https://api.slack.com/surfaces/modals#handling_submissions
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from adapters.slack.limits import (
    LABEL_CHARS,
    MAX_OPTIONS,
    MODAL_TITLE_CHARS,
    OPTION_CHARS,
    OPTION_VALUE_CHARS,
    PLACEHOLDER_CHARS,
    RADIO_OPTIONS,
    TEXT_INPUT_MAX,
    VIEW_BLOCKS,
)
from adapters.slack.mrkdwn import escape, shorten
from adapters.slack.render import Block, section
from s4b_bot import Choice, Form, FormField, FormValue

CALLBACK_ID = "s4b:form"
BUSY_CALLBACK_ID = "s4b:busy"
ERROR_PREFIX = "⚠️ "


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": shorten(text, limit), "emoji": True}


def _option(choice: Choice) -> dict[str, Any]:
    if len(choice.value) > OPTION_VALUE_CHARS:
        raise ValueError(f"choice value longer than {OPTION_VALUE_CHARS}: {choice.value[:20]}…")
    return {"text": _plain(choice.label, OPTION_CHARS), "value": choice.value}


def _element(item: FormField) -> dict[str, Any]:
    default = item.default
    if item.kind in ("short_text", "long_text"):
        limit = min(item.max_length or TEXT_INPUT_MAX, TEXT_INPUT_MAX)
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": item.id,
            "max_length": limit,
            "multiline": item.kind == "long_text",
        }
        if isinstance(default, str) and default and len(default) <= limit:
            element["initial_value"] = default
        return element
    if item.kind == "email":
        element = {"type": "email_text_input", "action_id": item.id}
        if isinstance(default, str) and default:
            element["initial_value"] = default
        return element
    if item.kind == "multi_select":
        # A static select holds at most 100 options: the first (soonest) ones.
        options = [_option(c) for c in item.choices[:MAX_OPTIONS]]
        element = {
            "type": "multi_static_select",
            "action_id": item.id,
            "placeholder": _plain("Choose one or more", PLACEHOLDER_CHARS),
            "options": options,
        }
        chosen = set(default) if isinstance(default, tuple) else set()
        initial = [o for o in options if o["value"] in chosen]
        if initial:
            element["initial_options"] = initial
        return element
    if item.kind == "single_choice":
        return _single_choice(item)
    # checkbox: one box; the long consent sentence is the label, the box says "I agree".
    option = {"text": _plain("I agree", OPTION_CHARS), "value": "yes"}
    element = {"type": "checkboxes", "action_id": item.id, "options": [option]}
    if default is True:
        element["initial_options"] = [option]
    return element


def _single_choice(item: FormField) -> dict[str, Any]:
    """One of a few choices: radio buttons (at most 10), else a static select."""
    options = [_option(c) for c in item.choices[:MAX_OPTIONS]]
    element: dict[str, Any] = {"action_id": item.id, "options": options}
    if len(options) <= RADIO_OPTIONS:
        element["type"] = "radio_buttons"
    else:
        element["type"] = "static_select"
        element["placeholder"] = _plain("Choose one", PLACEHOLDER_CHARS)
    initial = [o for o in options if o["value"] == item.default]
    if initial:
        element["initial_option"] = initial[0]
    return element


def _input(item: FormField) -> Block:
    block: Block = {
        "type": "input",
        "block_id": item.id,
        "label": _plain(item.label, LABEL_CHARS),
        "element": _element(item),
        "optional": not item.required,
    }
    if item.hint:
        block["hint"] = _plain(item.hint, LABEL_CHARS)
    return block


def form_modal(form: Form) -> dict[str, Any]:
    """views.open/update payload for a form."""
    blocks: list[Block] = []
    if len(form.title) > MODAL_TITLE_CHARS:  # the title bar cuts it; say it whole here
        blocks.append(section(f"*{escape(form.title)}*"))
    if form.intro:
        blocks.append(section(escape(form.intro)))
    blocks += [_input(f) for f in form.fields]
    if len(blocks) > VIEW_BLOCKS:
        raise ValueError(
            f"form {form.id!r} needs {len(blocks)} blocks; a modal holds {VIEW_BLOCKS}"
        )
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": json.dumps({"form": form.id}),
        "title": _plain(form.title, MODAL_TITLE_CHARS),
        "submit": _plain(form.submit_label, MODAL_TITLE_CHARS),
        "close": _plain("Cancel", MODAL_TITLE_CHARS),
        "blocks": blocks,
    }


def busy_modal(text: str, *, title: str = "S4B") -> dict[str, Any]:
    """A modal that holds the trigger_id (or the submission) while the core works."""
    return {
        "type": "modal",
        "callback_id": BUSY_CALLBACK_ID,
        "title": _plain(title, MODAL_TITLE_CHARS),
        "close": _plain("Close", MODAL_TITLE_CHARS),
        "blocks": [section(f":hourglass_flowing_sand: {escape(text)}")],
    }


def form_id(view: Mapping[str, Any]) -> str:
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        return ""
    return str(metadata.get("form", "")) if isinstance(metadata, dict) else ""


def _value(state: Mapping[str, Any]) -> FormValue:
    kind = state.get("type")
    if kind in ("plain_text_input", "email_text_input", "url_text_input"):
        value = state.get("value")
        return value if isinstance(value, str) else None
    if kind == "multi_static_select":
        return tuple(str(o["value"]) for o in state.get("selected_options") or ())
    if kind == "checkboxes":
        return bool(state.get("selected_options"))
    if kind in ("static_select", "radio_buttons"):
        selected = state.get("selected_option")
        return str(selected["value"]) if selected else None
    return None


def submitted_values(view: Mapping[str, Any]) -> dict[str, FormValue]:
    """state.values ({block_id: {action_id: state}}) as the core's {field id: value}."""
    values: dict[str, FormValue] = {}
    for block_id, actions in (view.get("state", {}).get("values") or {}).items():
        for state in actions.values():
            values[block_id] = _value(state)
    return values


def _input_ids(view: Mapping[str, Any]) -> list[str]:
    return [b["block_id"] for b in view.get("blocks", ()) if b.get("type") == "input"]


def error_response(view: Mapping[str, Any], errors: Mapping[str, str]) -> dict[str, Any]:
    """The ack body that shows each error under its field; unknown keys go on the first."""
    inputs = _input_ids(view)
    shown: dict[str, str] = {}
    for key, message in errors.items():
        block_id = key if key in inputs else (inputs[0] if inputs else key)
        shown[block_id] = f"{shown[block_id]} {message}" if block_id in shown else message
    return {"response_action": "errors", "errors": shown}


def _with_answer(block: Block, answer: FormValue) -> Block:
    element = dict(block["element"])
    element.pop("initial_value", None)
    element.pop("initial_options", None)
    element.pop("initial_option", None)
    if element.get("type") in ("radio_buttons", "static_select"):
        picked = [o for o in element.get("options", ()) if o["value"] == answer]
        if picked:
            element["initial_option"] = picked[0]
    elif isinstance(answer, str) and answer:
        element["initial_value"] = answer
    elif isinstance(answer, tuple) or answer is True:
        wanted = set(answer) if isinstance(answer, tuple) else {"yes"}
        picked = [o for o in element.get("options", ()) if o["value"] in wanted]
        if picked:
            element["initial_options"] = picked
    return {**block, "element": element}


def form_again(
    view: Mapping[str, Any], values: Mapping[str, FormValue], errors: Mapping[str, str]
) -> dict[str, Any]:
    """The submitted form, answers kept and errors written under the fields.

    For a submission the core answered after the ack (response_action errors is only
    possible in the ack itself): the member fixes what is wrong instead of starting over.
    """
    inputs = _input_ids(view)
    blocks: list[Block] = []
    for block in view.get("blocks", ()):
        if block.get("type") == "context" and block.get("block_id", "").startswith("error:"):
            continue  # errors of an earlier round
        if block.get("type") != "input":
            blocks.append(block)
            continue
        block_id = block["block_id"]
        blocks.append(_with_answer(block, values.get(block_id)))
        message = errors.get(block_id) or (
            " ".join(m for k, m in errors.items() if k not in inputs)
            if inputs and block_id == inputs[0]
            else None
        )
        if message:
            blocks.append(
                {
                    "type": "context",
                    "block_id": f"error:{block_id}",
                    "elements": [{"type": "mrkdwn", "text": ERROR_PREFIX + escape(message)}],
                }
            )
    keep = ("type", "callback_id", "private_metadata", "title", "submit", "close")
    return {**{k: view[k] for k in keep if k in view}, "blocks": blocks[:VIEW_BLOCKS]}
