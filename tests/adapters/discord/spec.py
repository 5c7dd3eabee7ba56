"""Check request bodies against Discord's OpenAPI description, plus the limits it leaves
out (platform-specs/README.md): content 2,000, choice values 100, modals 1–5 components,
command names, 6,000 characters of embeds a message.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(
    os.environ.get("DISCORD_OPENAPI", "/work/shared/platform-specs/discord-openapi.json")
)
URI = "urn:discord-openapi"
COMMAND_NAME = re.compile(r"^[-_a-z0-9]{1,32}$")  # the documented pattern, for ASCII names


@cache
def _spec() -> dict[str, Any]:
    if not SPEC_PATH.exists():  # pragma: no cover - the spec ships with the workspace
        pytest.skip(f"Discord OpenAPI spec not found at {SPEC_PATH}")
    spec: dict[str, Any] = json.loads(SPEC_PATH.read_text())
    return spec


@cache
def _registry() -> Registry:
    return Registry().with_resource(URI, Resource.from_contents(_spec(), DRAFT202012))


@cache
def _pointer(operation_id: str) -> str:
    for path, item in _spec()["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                escaped = path.replace("~", "~0").replace("/", "~1")
                return (
                    f"{URI}#/paths/{escaped}/{method}/requestBody/content/application~1json/schema"
                )
    raise KeyError(operation_id)


def validate(operation_id: str, body: Any) -> None:
    """Raise if `body` does not fit the operation's JSON request schema, or the limits
    the schema is looser about."""
    validator = jsonschema.Draft202012Validator(
        {"$ref": _pointer(operation_id)}, registry=_registry()
    )
    errors = sorted(validator.iter_errors(_snowflakes_as_strings(body)), key=lambda e: list(e.path))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        raise AssertionError(f"{operation_id}: {best.message} at {list(best.absolute_path)}")
    check_limits(operation_id, body)


def _snowflakes_as_strings(value: Any, key: str = "") -> Any:
    """The spec types snowflakes as strings; discord.py sends ids as integers, which
    Discord accepts (https://discord.com/developers/docs/reference#snowflakes)."""
    if isinstance(value, dict):
        return {k: _snowflakes_as_strings(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_snowflakes_as_strings(v, key) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and re.search(r"(^|_)ids?$", key):
        return str(value)
    return value


def check_limits(operation_id: str, body: Any) -> None:
    message = body
    if operation_id == "create_interaction_response":
        message = body.get("data") or {}
        if body["type"] == 9:
            components = message["components"]
            assert 1 <= len(components) <= 5, f"modal has {len(components)} components"
        if body["type"] == 8:
            for choice in message["choices"]:
                assert len(choice["name"]) <= 100 and len(str(choice["value"])) <= 100
            assert len(message["choices"]) <= 25
    if isinstance(message, dict):
        assert len(message.get("content") or "") <= 2_000
        embeds = message.get("embeds") or []
        assert len(embeds) <= 10
        assert sum(embed_length(e) for e in embeds) <= 6_000
    if operation_id in ("bulk_set_application_commands", "bulk_set_guild_application_commands"):
        for command in body:
            check_command(command)


def embed_length(embed: dict[str, Any]) -> int:
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields") or [])
    total += len((embed.get("footer") or {}).get("text") or "")
    return total + len((embed.get("author") or {}).get("name") or "")


def check_command(command: dict[str, Any]) -> None:
    assert COMMAND_NAME.fullmatch(command["name"]), command["name"]
    assert 1 <= len(command["description"]) <= 100, command["description"]
    for option in command.get("options") or []:
        check_command(option)
        for choice in option.get("choices") or []:
            assert len(str(choice["value"])) <= 100
