"""Check request bodies against Discord's OpenAPI description, plus the documented rules
it cannot express (`rules.py`: custom_id uniqueness, action-row layout, empty messages,
and the limits the preview spec is looser about, platform-specs/README.md).
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

from tests.adapters.discord import rules

SPEC_PATH = Path(
    os.environ.get("DISCORD_OPENAPI", "/work/shared/platform-specs/discord-openapi.json")
)
URI = "urn:discord-openapi"


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


def validate(operation_id: str, body: Any, *, files: int = 0) -> None:
    """Raise if `body` does not fit the operation's JSON request schema, or breaks one of
    Discord's documented rules."""
    found = schema_problems(operation_id, body) + rules.problems(operation_id, body, files=files)
    if found:
        raise AssertionError(f"{operation_id}: {found[0]}")


def schema_problems(operation_id: str, body: Any) -> list[rules.Problem]:
    """Where `body` does not fit the operation's request schema (none when the spec file
    is not there)."""
    if not SPEC_PATH.exists():  # pragma: no cover - the spec ships with the workspace
        return []
    validator = jsonschema.Draft202012Validator(
        {"$ref": _pointer(operation_id)}, registry=_registry()
    )
    errors = list(validator.iter_errors(_snowflakes_as_strings(body)))
    if not errors:
        return []
    best = jsonschema.exceptions.best_match(errors)
    return [rules.Problem(tuple(best.absolute_path), "SCHEMA", best.message)]


SNOWFLAKE_KEY = re.compile(r"(^|_)ids?$|^(users|roles)$")


def _snowflakes_as_strings(value: Any, key: str = "") -> Any:
    """The spec types snowflakes as strings; discord.py sends ids as integers, which
    Discord accepts (https://discord.com/developers/docs/reference#snowflakes): keys named
    `id`, `*_id(s)`, and allowed_mentions' `users` and `roles`."""
    if isinstance(value, dict):
        return {k: _snowflakes_as_strings(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_snowflakes_as_strings(v, key) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and SNOWFLAKE_KEY.search(key):
        return str(value)
    return value
