"""Editing one's registration on Discord: `/s4b register` again answers with the modal
prefilled (5 components, organization and email folded), and the edited answers are saved."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from adapters.discord import S4BClient
from s4b_bot.core import Core
from storage.models import Registration
from tests.adapters.discord import payloads
from tests.adapters.discord.conftest import callbacks, feed, followups, visible_text
from tests.adapters.discord.mock_discord import MockDiscord
from tests.adapters.discord.rules import MODAL_COMPONENTS


async def open_modal(bot: S4BClient, mock: MockDiscord) -> dict[str, Any]:
    payload = payloads.command("s4b", "register")
    assert await feed(bot, payload) == "modal"
    (only,) = callbacks(mock, payload)  # the modal is the first and only answer
    assert only.body["type"] == 9
    data: dict[str, Any] = only.body["data"]
    return data


def by_id(modal: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["component"]["custom_id"]: c["component"] for c in modal["components"]}


async def submit(bot: S4BClient, mock: MockDiscord, values: dict[str, Any]) -> str:
    modal = await open_modal(bot, mock)
    answer = payloads.modal_submit(modal["custom_id"], payloads.answers(modal, values))
    assert await feed(bot, answer) == "reply"
    return visible_text(followups(mock, answer))


async def test_register_again_opens_the_prefilled_modal_and_saves_the_changes(
    bot: S4BClient, mock: MockDiscord, sqlite_core: Core
) -> None:
    first = {
        "about": 'I\'m the "garden" lead 🌱',
        "organization+email": "Garden co-op, ada@example.org",
        "sessions": ["1", "2"],
        "consent": True,
    }
    assert "you are registered" in await submit(bot, mock, first)
    modal = await open_modal(bot, mock)
    assert modal["custom_id"] == "s4b-form:register_edit"
    assert modal["title"] == "Edit your registration"
    assert len(modal["components"]) <= MODAL_COMPONENTS
    fields = by_id(modal)
    assert fields["about"]["value"] == 'I\'m the "garden" lead 🌱'
    assert fields["organization+email"]["value"] == "Garden co-op, ada@example.org"
    assert [o["value"] for o in fields["sessions"]["options"] if o["default"]] == ["1", "2"]
    assert fields["consent"]["default"] is True
    # Unchanged, it says so; then a new email and Spring dropped for Fall.
    assert "Nothing changed" in await submit(bot, mock, {})
    edited = {"organization+email": "Garden co-op, ada@new.example", "sessions": ["2", "3"]}
    text = await submit(bot, mock, edited)
    assert "no longer registered for: Spring" in text
    assert "now goes to your new email" in text and "you are registered" in text
    async with sqlite_core.db.transaction() as db:
        regs = (await db.scalars(select(Registration).order_by(Registration.session_id))).all()
        assert [(r.session_id, r.email, r.organization) for r in regs] == [
            (2, "ada@new.example", "Garden co-op"),
            (3, "ada@new.example", "Garden co-op"),
        ]
