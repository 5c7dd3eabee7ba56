"""INTERACTION_CREATE payloads as Discord sends them, built from fixtures/interaction.json.

Each gets a fresh snowflake id (with the time it was "created") and token, so tests can
age an interaction past Discord's 15 minutes.
"""

from __future__ import annotations

import copy
import itertools
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import discord

BASE: dict[str, Any] = json.loads(
    (Path(__file__).parent / "fixtures" / "interaction.json").read_text()
)
GUILD_ID = int(BASE["guild_id"])
CHANNEL_ID = int(BASE["channel_id"])
ADA = {"id": "1100000000000000200", "username": "ada", "global_name": "Ada Lovelace"}
BEA = {"id": "1100000000000000201", "username": "bea", "global_name": "Bea Rivera"}
JO = {"id": "1100000000000000202", "username": "jo", "global_name": "Jo Organizer"}
ORGANIZER_ROLE = 1100000000000000070
MANAGE_EVENTS = str(discord.Permissions(manage_events=True).value)
_counter = itertools.count(1)


def interaction(
    kind: int,
    data: dict[str, Any] | None,
    *,
    user: dict[str, str] = ADA,
    roles: list[int] = (),  # type: ignore[assignment]
    permissions: str = "3072",
    age: timedelta = timedelta(),
    message: dict[str, Any] | None = None,
    guild: bool = True,
) -> dict[str, Any]:
    payload = copy.deepcopy(BASE)
    created = discord.utils.utcnow() - age
    number = next(_counter)
    payload["id"] = str(discord.utils.time_snowflake(created) + number)
    payload["token"] = f"token-{number}-{created.timestamp():.0f}"
    payload["type"] = kind
    if data is not None:
        payload["data"] = data
    member = payload["member"]
    member["user"] = {**member["user"], **user}
    member["roles"] = [str(r) for r in roles]
    member["permissions"] = permissions
    if message is not None:
        payload["message"] = message
    if not guild:
        for key in ("guild_id", "guild", "member"):
            payload.pop(key)
        payload["user"] = {**BASE["member"]["user"], **user}
        payload["channel"] = {"id": "1100000000000000061", "type": 1, "recipients": []}
        payload["channel_id"] = "1100000000000000061"
        payload["context"] = 1
    return payload


def created_at(payload: dict[str, Any]) -> datetime:
    return discord.utils.snowflake_time(int(payload["id"]))


def _options(path: list[str], options: dict[str, Any], types: dict[str, int]) -> list[Any]:
    leaf = [
        {"type": types.get(name, 3), "name": name, "value": value, **focus}
        for name, (value, focus) in (
            (n, v if isinstance(v, tuple) else (v, {})) for n, v in options.items()
        )
    ]
    for depth, name in enumerate(reversed(path)):
        leaf = [{"type": 1 if depth == 0 else 2, "name": name, "options": leaf}]
    return leaf


def command(
    root: str,
    path: str,
    options: dict[str, Any] | None = None,
    *,
    types: dict[str, int] | None = None,
    resolved: dict[str, Any] | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """`/s4b-admin session call` with options {"session": "spring", "details": "…"}."""
    data: dict[str, Any] = {
        "id": "1100000000000000300",
        "name": root,
        "type": 1,
        "guild_id": BASE["guild_id"],
        "options": _options(path.split(), options or {}, types or {}),
    }
    if resolved:
        data["resolved"] = resolved
    return interaction(2, data, **kwargs)


def autocomplete(root: str, path: str, option: str, typed: str, **kwargs: Any) -> dict[str, Any]:
    payload = command(root, path, {option: (typed, {"focused": True})}, **kwargs)
    payload["type"] = 4
    return payload


def component(message: dict[str, Any], custom_id: str, **kwargs: Any) -> dict[str, Any]:
    """A button press on a message the bot sent (its components as Discord stores them)."""
    return interaction(3, {"custom_id": custom_id, "component_type": 2}, message=message, **kwargs)


def modal_submit(custom_id: str, components: list[dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
    return interaction(5, {"custom_id": custom_id, "components": components}, **kwargs)


def answers(modal: dict[str, Any], values: dict[str, Any]) -> list[dict[str, Any]]:
    """A MODAL_SUBMIT's components for a modal the bot sent, filled with `values` by
    custom_id (text for inputs, a list for selects, a bool for checkboxes, the one value
    chosen, or None, for radio groups)."""
    submitted = []
    for label in modal["components"]:
        inner = label["component"]
        custom_id = inner["custom_id"]
        if inner["type"] == 4:
            value: dict[str, Any] = {"value": values.get(custom_id, inner.get("value") or "")}
        elif inner["type"] == 3:
            default = [o["value"] for o in inner["options"] if o.get("default")]
            value = {"values": values.get(custom_id, default)}
        elif inner["type"] == 21:  # radio group
            default = next((o["value"] for o in inner["options"] if o.get("default")), None)
            value = {"value": values.get(custom_id, default)}
        else:
            value = {"value": values.get(custom_id, bool(inner.get("default")))}
        submitted.append(
            {
                "type": 18,
                "id": label.get("id", 0),
                "component": {"type": inner["type"], "custom_id": custom_id, **value},
            }
        )
    return submitted


BOT_MESSAGE: dict[str, Any] = {
    "id": "1",
    "channel_id": "1100000000000000061",
    "author": {"id": "1", "username": "x", "discriminator": "0", "avatar": None},
    "content": "",
    "embeds": [],
    "attachments": [],
    "mentions": [],
    "mention_roles": [],
    "pinned": False,
    "mention_everyone": False,
    "tts": False,
    "timestamp": "2025-01-01T00:00:00+00:00",
    "edited_timestamp": None,
    "flags": 0,
    "type": 0,
}


def message_with(custom_id: str) -> dict[str, Any]:
    """A message of the bot's with one button (discord.py routes a press by the message)."""
    button = {"type": 2, "style": 2, "label": "Press", "custom_id": custom_id}
    return BOT_MESSAGE | {"components": [{"type": 1, "components": [button]}]}
