"""The follow-up on Discord, real discord.py against the mock: the DM's Give feedback button
opens a modal of 4 labels (radio groups for the rating and for yes or no, as Discord's
modals allow), real MODAL_SUBMIT payloads save or refuse, answering again edits, and a
submission forged by another member changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import discord
import pytest
from sqlalchemy import select

from adapters.discord import S4BClient
from adapters.discord.views import form_modal
from s4b_bot import Choice, Form, FormField
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.outbox.dispatch import Dispatcher
from storage.feedback import Feedback
from tests.adapters.discord import payloads, spec
from tests.adapters.discord.conftest import MakeClient, callbacks, feed, followups, visible_text
from tests.adapters.discord.mock_discord import MockDiscord
from tests.adapters.discord.rules import MODAL_COMPONENTS
from tests.helpers import register

GUILD = str(payloads.GUILD_ID)
AFTER = datetime(2025, 4, 29, 19, tzinfo=UTC)
"""An hour after the Spring session ends."""
RADIO_GROUP = 21


async def followup_dm(
    make_client: MakeClient, mock: MockDiscord, core: Core, clock: SettableClock
) -> tuple[S4BClient, dict[str, Any], str]:
    """Ada registers, the session ends, the follow-up DM comes: the bot, the stored DM, and
    its button's custom_id."""
    bot = await make_client()
    await bot.on_guild_join(discord.Object(payloads.GUILD_ID))  # type: ignore[arg-type]
    await register(core, Actor("discord", GUILD, payloads.ADA["id"], "Ada Lovelace"), "spring")
    clock.set(AFTER)
    await Dispatcher(
        core.db, platforms={"discord": bot.platform}, clock=clock, settings=core.settings
    ).drain()
    channel = mock.dm_channels[payloads.ADA["id"]]
    dm = mock.find("POST", rf"/channels/{channel}/messages")[-1]
    assert "Thank you for coming" in visible_text([dm])
    custom_id = next(
        c["custom_id"]
        for row in dm.body["components"]
        for c in row["components"]
        if c.get("label") == "Give feedback"
    )
    stored = next(m for m in mock.messages.values() if m.get("components") == dm.body["components"])
    return bot, stored, custom_id


async def open_modal(
    bot: S4BClient, mock: MockDiscord, message: dict[str, Any], custom_id: str
) -> dict[str, Any]:
    """Ada presses the button in her DMs (an interaction from no server)."""
    press = payloads.component(message, custom_id, guild=False)
    assert await feed(bot, press) == "modal"
    (only,) = callbacks(mock, press)
    assert only.body["type"] == 9  # MODAL
    data: dict[str, Any] = only.body["data"]
    return data


def inner(modal: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["component"]["custom_id"]: c["component"] for c in modal["components"]}


async def submit(
    bot: S4BClient, mock: MockDiscord, modal: dict[str, Any], values: dict[str, Any], **kw: Any
) -> str:
    kw.setdefault("guild", False)  # the modal came from a DM
    answer = payloads.modal_submit(modal["custom_id"], payloads.answers(modal, values), **kw)
    assert await feed(bot, answer) == "reply"
    return visible_text(callbacks(mock, answer) + followups(mock, answer))


async def answers(core: Core) -> list[Feedback]:
    async with core.db.transaction() as db:
        return list((await db.scalars(select(Feedback))).all())


GOOD = {"rating": "5", "worked": "Small groups 🌱", "change": 'Less "slides"', "contact": "no"}


async def test_the_dm_button_opens_the_modal_and_a_bad_rating_changes_nothing(
    make_client: MakeClient, mock: MockDiscord, sqlite_core: Core, clock: SettableClock
) -> None:
    bot, message, custom_id = await followup_dm(make_client, mock, sqlite_core, clock)
    modal = await open_modal(bot, mock, message, custom_id)
    assert modal["custom_id"].startswith("s4b-form:feedback:")
    assert len(modal["components"]) == 4 <= MODAL_COMPONENTS
    assert all(c["type"] == 18 for c in modal["components"])  # each input in a Label
    fields = inner(modal)
    assert fields["rating"]["type"] == RADIO_GROUP
    assert [o["value"] for o in fields["rating"]["options"]] == ["1", "2", "3", "4", "5"]
    assert fields["contact"]["type"] == RADIO_GROUP
    assert fields["worked"]["type"] == 4 and fields["worked"]["style"] == 2  # paragraph

    for rating in ("0", None):  # forged past the radio group, or none chosen
        text = await submit(bot, mock, modal, {**GOOD, "rating": rating})
        assert "from 1 (poorly) to 5 (very well)" in text
    assert await answers(sqlite_core) == []

    text = await submit(bot, mock, modal, GOOD)
    assert "Your feedback on the Spring session is saved: 5 of 5" in text
    again = await open_modal(bot, mock, message, custom_id)  # answering again edits
    defaults = {
        key: [o["value"] for o in inner(again)[key]["options"] if o.get("default")]
        for key in ("rating", "contact")
    }
    assert defaults == {"rating": ["5"], "contact": ["no"]}
    assert inner(again)["change"]["value"] == 'Less "slides"'
    assert "is updated: 3 of 5" in await submit(bot, mock, again, {"rating": "3"})
    [answer] = await answers(sqlite_core)
    assert (answer.rating, answer.worked, answer.contact) == (3, "Small groups 🌱", False)


async def test_a_submission_forged_by_another_member_is_refused(
    make_client: MakeClient, mock: MockDiscord, sqlite_core: Core, clock: SettableClock
) -> None:
    bot, message, custom_id = await followup_dm(make_client, mock, sqlite_core, clock)
    modal = await open_modal(bot, mock, message, custom_id)
    text = await submit(bot, mock, modal, GOOD, user=payloads.BEA)
    assert "for those who registered and came" in text
    press = payloads.component(message, custom_id, user=payloads.BEA, guild=False)
    assert await feed(bot, press) == "reply"  # no modal for Bea
    assert await answers(sqlite_core) == []


def test_more_than_ten_choices_become_a_select_of_one() -> None:
    many = tuple(Choice(str(i), f"Option {i}") for i in range(12))
    form = Form("pick", "Pick", (FormField("pick", "Pick one", "single_choice", choices=many),))
    [label] = form_modal(form).to_dict()["components"]
    assert label["component"]["type"] == 3 and label["component"]["max_values"] == 1


def radio_modal(count: int) -> dict[str, Any]:
    options = [{"label": str(i), "value": str(i)} for i in range(count)]
    radio = {"type": RADIO_GROUP, "custom_id": "rating", "options": options}
    label = {"type": 18, "label": "How did it go?", "component": radio}
    return {"type": 9, "data": {"custom_id": "s4b-form:x", "title": "t", "components": [label]}}


def test_the_mock_holds_radio_groups_to_2_to_10_options() -> None:
    spec.validate("create_interaction_response", radio_modal(5))
    for count in (1, 11):
        with pytest.raises(AssertionError):
            spec.validate("create_interaction_response", radio_modal(count))
