"""Buttons, form submissions and the App Home tab through the real bolt app."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy import select

from adapters.slack.app import SlackBot
from adapters.slack.config import SlackConfig
from s4b_bot.core import Core
from s4b_bot.invocation import FormSubmission
from s4b_bot.output import Outcome
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
    "organization": None,
    "email": "ada@example.org",
    "sessions": ("1", "2"),
    "consent": True,
}


async def open_form(slack: SlackBot, mock: MockSlack) -> dict[str, Any]:
    """/s4b register, and the modal as Slack holds it (with its view id)."""
    await dispatch(slack, command_body("register", response_url=mock.response_url()))
    await slack.settled()
    call = mock.to("views.open")[-1]
    mock.clear()
    return {**call.args["view"], "id": "V0FORM"}


async def registrations(core: Core) -> list[int]:
    """Session ids of every registration in the database."""
    async with core.db.transaction() as db:
        return list((await db.scalars(select(Registration.session_id))).all())


async def test_field_errors_come_back_inline_in_the_ack(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core
) -> None:
    view = await open_form(slack, mock_slack)
    answers = {**ANSWERS, "consent": False, "sessions": ()}
    response = await dispatch(slack, submission_body(view, answers))
    await slack.settled()
    assert response.status == 200
    body = json.loads(response.body)
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"consent", "sessions"}
    assert "Tick the box" in body["errors"]["consent"]
    assert await registrations(sqlite_core) == []
    assert not mock_slack.to("chat.postMessage"), "a refused form sends nothing"


async def test_a_valid_form_shows_the_confirmation_in_the_modal_not_as_a_second_dm(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core
) -> None:
    view = await open_form(slack, mock_slack)
    response = await dispatch(slack, submission_body(view, ANSWERS))
    assert response.status == 200
    body = json.loads(response.body)
    assert body["response_action"] == "update"  # the form becomes the answer…
    await slack.settled()
    # …in the ack, or by views.update when the core took longer than the ack may wait
    shown = [body["view"], *(c.args["view"] for c in mock_slack.to("views.update"))]
    for modal in shown:
        valid_view(modal)
    assert "Thank you, Ada Lovelace" in block_text(shown)
    assert sorted(await registrations(sqlite_core)) == [1, 2]
    # The one "you are registered" DM is the invitation, which the outbox sends.
    assert not mock_slack.to("chat.postMessage")
    [home] = mock_slack.to("views.publish")
    assert "registered for 2 of the 4" in block_text(home.args["view"])


async def test_a_slow_submission_keeps_the_answers_and_shows_errors_later(
    tight_budgets: SlackConfig, slack: SlackBot, mock_slack: MockSlack, monkeypatch: Any
) -> None:
    view = await open_form(slack, mock_slack)
    core = slack.handlers.core
    real = core.submit

    async def slow(submission: FormSubmission) -> Outcome:
        await asyncio.sleep(0.8)
        return await real(submission)

    monkeypatch.setattr(core, "submit", slow)
    answers = {**ANSWERS, "consent": False}
    response = await dispatch(slack, submission_body(view, answers))
    body = json.loads(response.body)
    assert body["response_action"] == "update" and "Saving" in block_text(body["view"])
    valid_view(body["view"])
    await slack.settled()
    [update] = mock_slack.to("views.update")
    again = update.args["view"]
    valid_view(again)
    assert update.args["view_id"] == "V0FORM" and again["callback_id"] == "s4b:form"
    inputs = {b["block_id"]: b["element"] for b in again["blocks"] if b["type"] == "input"}
    assert inputs["name"]["initial_value"] == "Ada Lovelace"
    assert [o["value"] for o in inputs["sessions"]["initial_options"]] == ["1", "2"]
    errors = [b for b in again["blocks"] if b.get("block_id") == "error:consent"]
    assert errors and "Tick the box" in block_text(errors)


async def test_register_button_on_an_announcement_opens_the_form(
    slack: SlackBot, mock_slack: MockSlack
) -> None:
    body = action_body("s4b:register:2", response_url=mock_slack.response_url("act"))
    response = await dispatch(slack, body)
    assert response.status == 200
    await slack.settled()
    [call] = mock_slack.to("views.open")
    assert call.args["trigger_id"] == "13345224609.738474920.8088930838d88f008e1"
    sessions = next(b for b in call.args["view"]["blocks"] if b.get("block_id") == "sessions")
    assert [o["value"] for o in sessions["element"]["initial_options"]] == ["2"]


async def test_buttons_on_the_home_tab_answer_in_a_modal(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core
) -> None:
    view = await open_form(slack, mock_slack)
    await dispatch(slack, submission_body(view, ANSWERS))
    await slack.settled()
    mock_slack.clear()
    await dispatch(slack, action_body("s4b:unregister:1", where="home"))
    await slack.settled()
    assert sorted(await registrations(sqlite_core)) == [2]
    [modal] = mock_slack.to("views.open")
    valid_view(modal.args["view"])
    assert "no longer registered for: Spring" in block_text(modal.args["view"])
    [home] = mock_slack.to("views.publish")
    assert "registered for 1 of the 4" in block_text(home.args["view"])


async def test_a_button_inside_a_modal_pushes_onto_it(
    slack: SlackBot, mock_slack: MockSlack
) -> None:
    await dispatch(slack, action_body("s4b:session:3", where="modal"))
    await slack.settled()
    [push] = mock_slack.to("views.push")
    assert not mock_slack.to("views.open")
    valid_view(push.args["view"])
    assert "Fall" in block_text(push.args["view"])


async def test_a_stale_button_is_told_so(slack: SlackBot, mock_slack: MockSlack) -> None:
    body = action_body("s4b:nope:1", response_url=mock_slack.response_url("act"))
    await dispatch(slack, body)
    await slack.settled()
    [reply] = [c.args for c in mock_slack.to("respond")]
    assert reply["_url"] == "act" and reply["response_type"] == "ephemeral"
    assert "no longer valid" in block_text(reply["blocks"])


async def test_opening_the_home_tab_publishes_it_with_the_members_name(
    slack: SlackBot, mock_slack: MockSlack
) -> None:
    mock_slack.add_user("U0ADA", "ada", real_name="Ada Lovelace")
    # A command first: its payload carries the handle "ada", which must not stick.
    await dispatch(slack, command_body("about", response_url=mock_slack.response_url()))
    await slack.settled()
    mock_slack.clear()
    response = await dispatch(slack, event_body(), content_type="application/json")
    assert response.status == 200
    await slack.settled()
    [home] = mock_slack.to("views.publish")
    assert home.args["user_id"] == "U0ADA"
    assert "Hello Ada Lovelace" in block_text(home.args["view"])
    valid_view(home.args["view"])

    mock_slack.clear()
    await dispatch(slack, event_body(tab="messages"), content_type="application/json")
    await slack.settled()
    assert not mock_slack.to("views.publish"), "the Messages tab is not the Home tab"
