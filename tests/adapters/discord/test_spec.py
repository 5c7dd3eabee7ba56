"""The request checker every test relies on rejects what Discord would reject."""

from __future__ import annotations

import io
from typing import Any

import discord
import pytest
from discord.http import Route

from tests.adapters.discord import rules, spec
from tests.adapters.discord.conftest import TOKEN
from tests.adapters.discord.mock_discord import MockDiscord

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


# --- the documented rules the schema cannot express (rules.py) ------------------------------


def button(custom_id: str, **more: Any) -> dict[str, Any]:
    return {"type": 2, "style": 2, "label": "Go", "custom_id": custom_id, **more}


def row(*components: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(components)}


def select(custom_id: str, options: int, **more: Any) -> dict[str, Any]:
    choices = [{"label": f"o{i}", "value": f"v{i}"} for i in range(options)]
    return {"type": 3, "custom_id": custom_id, "options": choices, **more}


def modal(*components: dict[str, Any]) -> dict[str, Any]:
    return {"type": 9, "data": {"custom_id": "m", "title": "t", "components": list(components)}}


def label(component: dict[str, Any]) -> dict[str, Any]:
    return {"type": 18, "label": "L", "component": component}


TEXT = {"type": 4, "custom_id": "name", "style": 1}
GOOD_MESSAGE = {"content": "hi", "components": [row(button("a"), button("b"))]}


SUBCOMMAND = {"type": 1, "name": "s", "description": "d"}


@pytest.mark.parametrize(
    ("operation", "body", "code"),
    [
        # custom_id: 1-100 characters, unique within a message
        ("create_message", {"components": [row(button(""))]}, "BASE_TYPE_BAD_LENGTH"),
        ("create_message", {"components": [row(button("x" * 101))]}, "BASE_TYPE_BAD_LENGTH"),
        (
            "execute_webhook",
            {"components": [row(button("s4b:calendar:1"), button("s4b:calendar:1"))]},
            "COMPONENT_CUSTOM_ID_DUPLICATED",
        ),
        (
            "create_interaction_response",
            {"type": 4, "data": {"components": [row(button("a")), row(button("a"))]}},
            "COMPONENT_CUSTOM_ID_DUPLICATED",
        ),
        (
            "create_message",
            {"components": [row(button("a", id=7)), row(button("b", id=7))]},
            "COMPONENT_ID_DUPLICATED",
        ),
        # at most 5 action rows, 5 buttons a row, a select alone in its row
        (
            "create_message",
            {"components": [row(button(str(i))) for i in range(6)]},
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            "create_message",
            {"components": [row(*(button(str(i)) for i in range(6)))]},
            "BASE_TYPE_BAD_LENGTH",
        ),
        ("create_message", {"components": [row()]}, "BASE_TYPE_BAD_LENGTH"),
        (
            "create_message",
            {"components": [row(button("a"), select("s", 2))]},
            "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
        ),
        ("create_message", {"components": [button("a")]}, "COMPONENT_LAYOUT_INVALID"),
        # buttons: custom_id or url, by style
        (
            "create_message",
            {"components": [row({"type": 2, "style": 1, "label": "x"})]},
            "BASE_TYPE_REQUIRED",
        ),
        (
            "create_message",
            {"components": [row(button("a", style=5, url="https://example.org"))]},
            "BUTTON_FIELD_NOT_ALLOWED",
        ),
        # select options: 1-25
        ("create_message", {"components": [row(select("s", 26))]}, "BASE_TYPE_BAD_LENGTH"),
        ("create_message", {"components": [row(select("s", 0))]}, "BASE_TYPE_BAD_LENGTH"),
        # V2 messages: components only, 40 at most
        ("create_message", {"flags": 1 << 15, "content": "x"}, "COMPONENTS_V2_FIELD"),
        # no empty message
        ("create_message", {"content": "  "}, "EMPTY_MESSAGE"),
        ("execute_webhook", {"content": "", "embeds": [], "components": []}, "EMPTY_MESSAGE"),
        ("create_interaction_response", {"type": 4, "data": {"flags": 64}}, "EMPTY_MESSAGE"),
        # modals: 1-5 components, custom_ids unique, nothing disabled, required selects
        ("create_interaction_response", modal(), "BASE_TYPE_BAD_LENGTH"),
        (
            "create_interaction_response",
            modal(*(label({**TEXT, "custom_id": str(i)}) for i in range(6))),
            "BASE_TYPE_BAD_LENGTH",
        ),
        (
            "create_interaction_response",
            modal(label(TEXT), label(TEXT)),
            "COMPONENT_CUSTOM_ID_DUPLICATED",
        ),
        (
            "create_interaction_response",
            modal(label(select("s", 2, disabled=True))),
            "MODAL_DISABLED",
        ),
        (
            "create_interaction_response",
            modal(label(select("s", 2, min_values=0, required=True))),
            "BASE_TYPE_MIN_VALUE",
        ),
        (
            "create_interaction_response",
            modal(label({"type": 23, "custom_id": "x" * 101})),
            "BASE_TYPE_BAD_LENGTH",
        ),
        # autocomplete and commands
        (
            "create_interaction_response",
            {"type": 8, "data": {"choices": [{"name": "a", "value": "a"}] * 26}},
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            "bulk_set_guild_application_commands",
            [{"name": "x", "description": ""}],
            "BASE_TYPE_BAD_LENGTH",
        ),
        (
            "bulk_set_guild_application_commands",
            [{"name": "x", "description": "d", "options": [SUBCOMMAND] * 26}],
            "BASE_TYPE_MAX_LENGTH",
        ),
    ],
)
def test_each_documented_rule_rejects_a_bad_body(operation: str, body: Any, code: str) -> None:
    found = rules.problems(operation, body)
    assert code in {p.code for p in found}, found
    with pytest.raises(AssertionError):
        spec.validate(operation, body)


@pytest.mark.parametrize(
    ("operation", "body", "files"),
    [
        ("create_message", GOOD_MESSAGE, 0),
        ("create_message", {"components": [row(*(button(str(i)) for i in range(5)))] * 1}, 0),
        ("create_message", {"attachments": [{"id": 0, "filename": "a.ics"}]}, 1),  # a file only
        ("update_message", {"content": None, "embeds": []}, 0),  # an edit need not restate all
        ("create_interaction_response", {"type": 5, "data": {"flags": 64}}, 0),  # "thinking"
        (
            "create_interaction_response",
            modal(label(TEXT), label(select("s", 25, min_values=0, required=False))),
            0,
        ),
    ],
)
def test_good_bodies_pass_the_rules(operation: str, body: Any, files: int) -> None:
    assert rules.problems(operation, body, files=files) == []


async def test_the_mock_answers_a_broken_rule_with_discords_400(mock: MockDiscord) -> None:
    """Through discord.py, as the bot meets it: 50035 with the field's path, 50006 empty."""
    client = discord.Client(intents=discord.Intents.none())
    await client.login(TOKEN)
    channel = client.get_partial_messageable(1100000000000000400)
    try:
        view = discord.ui.View()
        view.add_item(discord.ui.Button(label="One", custom_id="same"))
        view.add_item(discord.ui.Button(label="Two", custom_id="same"))
        with pytest.raises(discord.HTTPException) as caught:
            await channel.send("hi", view=view)
        assert (caught.value.status, caught.value.code) == (400, 50035)
        assert "components.0.components.1.custom_id" in caught.value.text
        with pytest.raises(discord.HTTPException) as caught:
            route = Route("POST", "/channels/{channel_id}/messages", channel_id=channel.id)
            await client.http.request(route, json={"content": ""})
        assert (caught.value.status, caught.value.code) == (400, 50006)
        await channel.send("fine")
    finally:
        await client.close()
    assert len(mock.rejected) == 2
    mock.rejected.clear()


async def test_the_mock_refuses_files_over_discords_upload_limit(mock: MockDiscord) -> None:
    """Summary PDFs and rosters go as attachments: over 10 MiB together, Discord's 413."""
    client = discord.Client(intents=discord.Intents.none())
    await client.login(TOKEN)
    channel = client.get_partial_messageable(1100000000000000400)
    try:
        big = discord.File(io.BytesIO(b"%" * (rules.UPLOAD_BYTES + 1)), "summary.pdf")
        with pytest.raises(discord.HTTPException) as caught:
            await channel.send("too big", file=big)
        assert (caught.value.status, caught.value.code) == (413, rules.TOO_LARGE)
        await channel.send("fits", file=discord.File(io.BytesIO(b"%PDF"), "summary.pdf"))
    finally:
        await client.close()
    assert len(mock.rejected) == 1
    mock.rejected.clear()
