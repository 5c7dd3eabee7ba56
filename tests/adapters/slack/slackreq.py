"""Requests as Slack sends them, built from captured payloads and signed with the real secret.

Signatures come from slack_sdk's own SignatureVerifier, so bolt's verification middleware
checks them exactly as it checks Slack's.
"""

from __future__ import annotations

import copy
import itertools
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from slack_sdk.signature import SignatureVerifier

from adapters.slack.app import SlackBot
from adapters.slack.deadline import RECEIVED

FIXTURES = Path(__file__).parent / "fixtures"
TEAM = "T0S4B"
ADA = ("U0ADA", "ada")
JO = ("U0JO", "jo")
BEA = ("U0BEA", "bea")
FORM = "application/x-www-form-urlencoded"
_commands = itertools.count(1)


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def signed_headers(
    secret: str, body: str, *, timestamp: int | None = None, content_type: str = FORM
) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": signature,
    }


def command_body(
    text: str, *, user: tuple[str, str] = ADA, command: str = "/s4b", response_url: str
) -> str:
    payload = load("slash_command")
    # A Slack client sends what was typed with &, < and > as HTML entities.
    typed = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    payload.update(text=typed, user_id=user[0], user_name=user[1], command=command)
    payload["trigger_id"] += f".{next(_commands)}"  # Slack gives each command its own
    payload["response_url"] = response_url
    return urlencode(payload)


def _user(user: tuple[str, str]) -> dict[str, str]:
    return {"id": user[0], "username": user[1], "name": user[1], "team_id": TEAM}


def action_body(
    action_id: str,
    *,
    user: tuple[str, str] = ADA,
    where: str = "message",
    response_url: str | None = None,
    view: dict[str, Any] | None = None,
    value: str | None = None,
) -> str:
    """block_actions from a message ("message"), the App Home ("home") or a modal ("modal")."""
    payload = load("block_actions_home" if where != "message" else "block_actions_message")
    payload["user"] = _user(user)
    payload["actions"][0].update(action_id=action_id, value=action_id if value is None else value)
    if where == "message":
        assert response_url is not None
        payload["response_url"] = response_url
    if where == "modal":
        payload["view"] = {**payload["view"], **(view or {}), "type": "modal", "id": "V0MODAL"}
        payload["container"] = {"type": "view", "view_id": "V0MODAL"}
    return urlencode({"payload": json.dumps(payload)})


def state_for(view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """state.values for a modal as Slack builds it from what the member entered."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        answer = answers.get(block["block_id"])
        state: dict[str, Any] = {"type": element["type"]}
        if element["type"] in ("plain_text_input", "email_text_input"):
            state["value"] = answer
        elif element["type"] == "multi_static_select":
            chosen = set(answer or ())
            state["selected_options"] = [o for o in element["options"] if o["value"] in chosen]
        elif element["type"] in ("radio_buttons", "static_select"):
            # The option chosen; a value the element does not offer is a forged submission.
            offered = [o for o in element["options"] if o["value"] == answer]
            forged = {"text": {"type": "plain_text", "text": str(answer)}, "value": answer}
            state["selected_option"] = (
                offered[0] if offered else (forged if answer is not None else None)
            )
        elif element["type"] == "checkboxes":
            state["selected_options"] = element["options"] if answer else []
        elif element["type"] == "file_input":
            state["files"] = list(answer or ())  # file objects (`MockSlack.add_file`)
        values[block["block_id"]] = {element["action_id"]: state}
    return {"values": values}


def submission_body(
    view: dict[str, Any], answers: dict[str, Any], *, user: tuple[str, str] = ADA
) -> str:
    """view_submission of `view` (as the app opened it) with the member's answers."""
    payload = load("view_submission")
    payload["user"] = _user(user)
    submitted = copy.deepcopy(view)
    submitted.update(
        id=view.get("id", "V0FORM"), team_id=TEAM, state=state_for(view, answers), hash="h"
    )
    payload["view"] = {**payload["view"], **submitted}
    return urlencode({"payload": json.dumps(payload)})


def event_body(user: tuple[str, str] = ADA, *, tab: str = "home") -> str:
    payload = load("app_home_opened")
    payload["event"].update(user=user[0], tab=tab)
    return json.dumps(payload)


async def dispatch(
    bot: SlackBot,
    body: str,
    *,
    content_type: str = FORM,
    timestamp: int | None = None,
    received: float | None = None,
) -> BoltResponse:
    """One signed request through the real bolt app, as its HTTP adapter would pass it.

    `received`: the arrival stamp (a `deadline.clock()` reading) that `serve.py` puts in
    the context; in the past, the request waited that long before bolt got it.
    """
    assert bot.config.signing_secret is not None
    secret = bot.config.signing_secret.get_secret_value()
    headers: dict[str, str | Sequence[str]] = {
        **signed_headers(secret, body, timestamp=timestamp, content_type=content_type)
    }
    context = {} if received is None else {RECEIVED: received}
    request = AsyncBoltRequest(body=body, headers=headers, context=context)
    return await bot.app.async_dispatch(request)


def valid_blocks(blocks: list[dict[str, Any]]) -> None:
    """Every block through slack_sdk's models: a limit broken raises. The models do not
    check that an action_id is unique among the elements of its block, as Slack requires
    (https://api.slack.com/reference/block-kit/block-elements): checked here."""
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None, block
        assert parsed.to_dict() == block  # valid, and no key the models do not know
        ids = [e["action_id"] for e in block.get("elements", []) if "action_id" in e]
        assert len(ids) == len(set(ids)), f"action_id repeated in a block: {ids}"


def valid_view(view: dict[str, Any]) -> None:
    """A modal or home view through slack_sdk's View, which checks nested limits too."""
    fields = {k: v for k, v in view.items() if k in VIEW_FIELDS}
    View(**fields).to_dict()
    valid_blocks(view["blocks"])


VIEW_FIELDS = (
    "type",
    "callback_id",
    "private_metadata",
    "title",
    "submit",
    "close",
    "blocks",
    "external_id",
)


def block_text(value: Any) -> str:
    """Every text in blocks (or a view), joined: for assertions on what a member reads."""
    if isinstance(value, dict):
        own = [value["text"]] if isinstance(value.get("text"), str) else []
        parts = own + [block_text(v) for k, v in value.items() if k != "text" or not own]
        return "\n".join(p for p in parts if p)
    if isinstance(value, list):
        return "\n".join(p for p in map(block_text, value) if p)
    return ""
