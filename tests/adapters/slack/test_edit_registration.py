"""Editing one's registration on Slack: `/s4b register` again opens the modal filled in
(initial values), and the edited submission answers in the modal; App Home shows the
answers with Edit registration, as `/s4b mine` does."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from adapters.slack.app import SlackBot
from s4b_bot.core import Core
from storage.models import Registration
from tests.adapters.slack.mock_slack import MockSlack
from tests.adapters.slack.slackreq import (
    action_body,
    block_text,
    command_body,
    dispatch,
    event_body,
    submission_body,
    valid_view,
)

ANSWERS = {
    "name": "Ada Lovelace",
    "about": "A neighbour who runs the community garden",
    "organization": "Garden co-op",
    "email": "ada@example.org",
    "sessions": ("1", "2"),
    "consent": True,
}


async def opened(slack: SlackBot, mock: MockSlack) -> dict[str, Any]:
    await dispatch(slack, command_body("register", response_url=mock.response_url()))
    await slack.settled()
    call = mock.to("views.open")[-1]
    mock.clear()
    view: dict[str, Any] = {**call.args["view"], "id": "V0FORM"}
    valid_view(view)
    return view


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}


async def test_register_again_opens_the_filled_in_modal_and_saves_the_changes(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core
) -> None:
    await dispatch(slack, submission_body(await opened(slack, mock_slack), ANSWERS))
    await slack.settled()
    mock_slack.clear()
    view = await opened(slack, mock_slack)
    assert json.loads(view["private_metadata"]) == {"form": "register_edit"}
    assert view["title"]["text"] == "Edit your registration"
    assert view["submit"]["text"] == "Save changes"
    fields = inputs(view)
    assert fields["name"]["initial_value"] == "Ada Lovelace"
    assert fields["about"]["initial_value"] == ANSWERS["about"]
    assert fields["organization"]["initial_value"] == "Garden co-op"
    assert fields["email"]["initial_value"] == "ada@example.org"
    assert [o["value"] for o in fields["sessions"]["initial_options"]] == ["1", "2"]
    assert len(fields["consent"]["initial_options"]) == 1
    edited = {**ANSWERS, "email": "ada@new.example", "sessions": ("2", "3")}
    response = await dispatch(slack, submission_body(view, edited))
    body = json.loads(response.body)
    assert body["response_action"] == "update"
    await slack.settled()
    shown = block_text([body["view"], *(c.args["view"] for c in mock_slack.to("views.update"))])
    assert "no longer registered for: Spring" in shown
    assert "now goes to your new email" in shown and "you are registered" in shown
    async with sqlite_core.db.transaction() as db:
        regs = (await db.scalars(select(Registration).order_by(Registration.session_id))).all()
        assert [(r.session_id, r.email) for r in regs] == [
            (2, "ada@new.example"),
            (3, "ada@new.example"),
        ]


async def test_the_edit_button_opens_the_same_modal(slack: SlackBot, mock_slack: MockSlack) -> None:
    await dispatch(slack, submission_body(await opened(slack, mock_slack), ANSWERS))
    await slack.settled()
    mock_slack.clear()
    await dispatch(slack, command_body("mine", response_url=mock_slack.response_url()))
    await slack.settled()
    [reply] = mock_slack.to("respond")
    actions = [
        e["action_id"]
        for b in reply.args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    edit = next(a for a in actions if a.startswith("s4b:edit_registration:"))
    body = action_body(edit, response_url=mock_slack.response_url("act"))
    await dispatch(slack, body)
    await slack.settled()
    [call] = mock_slack.to("views.open")
    valid_view(call.args["view"])
    assert call.args["view"]["title"]["text"] == "Edit your registration"


async def test_app_home_shows_the_answers_card_and_its_button_opens_the_edit_form(
    slack: SlackBot, mock_slack: MockSlack
) -> None:
    await dispatch(slack, submission_body(await opened(slack, mock_slack), ANSWERS))
    await slack.settled()
    mock_slack.clear()
    await dispatch(slack, event_body(), content_type="application/json")
    await slack.settled()
    [home] = mock_slack.to("views.publish")
    valid_view(home.args["view"])
    shown = block_text(home.args["view"])
    assert "Your registration answers" in shown and "Ada Lovelace" in shown
    assert "ada@example.org" not in shown  # the address is never echoed back
    (edit,) = [
        e
        for b in home.args["view"]["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["text"]["text"] == "Edit registration"
    ]
    mock_slack.clear()
    await dispatch(slack, action_body(edit["action_id"], where="home"))
    await slack.settled()
    [call] = mock_slack.to("views.open")
    assert call.args["trigger_id"] == "13345224609.738474920.8088930838d88f008e2"
    valid_view(call.args["view"])
    assert call.args["view"]["title"]["text"] == "Edit your registration"
    assert inputs(call.args["view"])["name"]["initial_value"] == "Ada Lovelace"
    assert inputs(call.args["view"])["email"]["initial_value"] == "ada@example.org"


async def test_the_mock_refuses_a_view_repeating_an_action_id_in_one_block(
    slack: SlackBot, mock_slack: MockSlack
) -> None:
    def button(action_id: str) -> dict[str, Any]:
        text = {"type": "plain_text", "text": "Edit registration"}
        return {"type": "button", "text": text, "action_id": action_id}

    home = {"type": "home", "blocks": [{"type": "actions", "elements": [button("a")] * 2}]}
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await slack.platform.client.views_publish(user_id="U0ADA", view=home)
    home["blocks"][0]["elements"] = [button("a"), button("b")]
    await slack.platform.client.views_publish(user_id="U0ADA", view=home)
