"""The request checker every test relies on rejects what Discord would reject."""

from __future__ import annotations

from typing import Any

import pytest

from tests.adapters.discord import spec

MODAL_ROW = {"type": 18, "label": "Name", "component": {"type": 4, "custom_id": "n", "style": 1}}


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("create_message", {"content": "x" * 2_001}),  # the spec allows 4,000
        ("create_message", {"embeds": [{"title": "x" * 257}]}),
        (
            "create_message",
            {"embeds": [{"description": "x" * 3_001}, {"description": "x" * 3_000}]},
        ),
        (
            "create_interaction_response",
            {"type": 9, "data": {"custom_id": "a", "title": "t", "components": [MODAL_ROW] * 6}},
        ),
        (
            "create_interaction_response",
            {"type": 8, "data": {"choices": [{"name": "a", "value": "x" * 101}]}},
        ),
        (
            "create_guild_scheduled_event",
            {"name": "x", "entity_type": 3, "privacy_level": 2, "scheduled_start_time": "soon"},
        ),
        ("bulk_set_guild_application_commands", [{"name": "Has Spaces", "description": "d"}]),
    ],
)
def test_bad_bodies_are_caught(operation: str, body: Any) -> None:
    with pytest.raises(AssertionError):
        spec.validate(operation, body)


def test_a_good_body_passes() -> None:
    spec.validate(
        "create_interaction_response",
        {"type": 9, "data": {"custom_id": "a", "title": "t", "components": [MODAL_ROW]}},
    )
