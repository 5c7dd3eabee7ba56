"""The follow-up on Slack, real slack-bolt against the mock with signed requests: the DM's
Give feedback button opens a modal slack_sdk accepts (radio buttons for the rating and for
yes or no), a bad or forged submission changes nothing, and answering again edits."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from adapters.slack.app import SlackBot
from adapters.slack.modal import form_modal
from s4b_bot import Choice, Form, FormField
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.outbox.dispatch import Dispatcher
from storage.feedback import Feedback
from tests.adapters.slack.mock_slack import MockSlack
from tests.adapters.slack.slackreq import (
    ADA,
    BEA,
    action_body,
    block_text,
    dispatch,
    submission_body,
    valid_view,
)
from tests.helpers import register

AFTER = datetime(2025, 4, 29, 19, tzinfo=UTC)
"""An hour after the Spring session ends."""
GOOD = {"rating": "4", "worked": "Small groups", "change": "More time", "contact": "yes"}


@pytest.fixture
def dispatcher(slack: SlackBot, sqlite_core: Core, clock: SettableClock) -> Dispatcher:
    sqlite_core.settings.dispatch_rate = {"slack": 1_000.0}  # the adapter paces
    return Dispatcher(
        sqlite_core.db,
        platforms={"slack": slack.platform},
        clock=clock,
        settings=sqlite_core.settings,
    )


async def feedback_button(
    mock: MockSlack, core: Core, clock: SettableClock, dispatcher: Dispatcher
) -> str:
    """Ada registers, the session ends, the follow-up DM comes: its button's action id."""
    await register(core, Actor("slack", "T0S4B", ADA[0], "Ada"), "spring")
    clock.set(AFTER)
    await dispatcher.drain()
    for post in mock.to("chat.postMessage"):
        for block in post.args.get("blocks") or ():
            for element in block.get("elements") or ():
                if str(element.get("action_id", "")).startswith("s4b:feedback:"):
                    assert "Thank you for coming" in block_text(post.args["blocks"])
                    return str(element["action_id"])
    raise AssertionError("no follow-up DM with a feedback button")


async def open_modal(
    slack: SlackBot, mock: MockSlack, action: str, *, press: int = 1
) -> dict[str, Any]:
    """Ada presses the button (`press`: the how-manieth time: each request is its own)."""
    mock.clear()
    body = action_body(action, response_url=mock.response_url(), value=f"{action}#{press}")
    await dispatch(slack, body)
    await slack.settled()
    [call] = mock.to("views.open")
    view: dict[str, Any] = {**call.args["view"], "id": "V0FORM"}
    valid_view(view)
    return view


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}


async def answers(core: Core) -> list[Feedback]:
    async with core.db.transaction() as db:
        return list((await db.scalars(select(Feedback))).all())


async def test_the_dm_button_opens_the_modal_and_a_bad_rating_changes_nothing(
    slack: SlackBot,
    mock_slack: MockSlack,
    sqlite_core: Core,
    clock: SettableClock,
    dispatcher: Dispatcher,
) -> None:
    action = await feedback_button(mock_slack, sqlite_core, clock, dispatcher)
    view = await open_modal(slack, mock_slack, action)
    assert json.loads(view["private_metadata"]) == {"form": f"feedback:{action.rsplit(':')[-1]}"}
    fields = inputs(view)
    assert list(fields) == ["rating", "worked", "change", "contact"]
    assert fields["rating"]["type"] == "radio_buttons"
    assert [o["value"] for o in fields["rating"]["options"]] == ["1", "2", "3", "4", "5"]
    assert [o["value"] for o in fields["contact"]["options"]] == ["yes", "no"]
    assert fields["worked"]["multiline"] is True

    for rating in ("9", None):  # forged past the radio buttons, or none chosen
        response = await dispatch(slack, submission_body(view, {**GOOD, "rating": rating}))
        body = json.loads(response.body)
        assert body["response_action"] == "errors"
        assert "from 1 (poorly) to 5 (very well)" in body["errors"]["rating"]
    assert await answers(sqlite_core) == []

    response = await dispatch(slack, submission_body(view, GOOD))
    await slack.settled()
    shown = block_text(
        [json.loads(response.body).get("view"), *(c.args for c in mock_slack.to("views.update"))]
    )
    assert "Your feedback on the Spring session is saved: 4 of 5" in shown
    [saved] = await answers(sqlite_core)
    assert (saved.rating, saved.worked, saved.contact) == (4, "Small groups", True)

    again = await open_modal(slack, mock_slack, action, press=2)  # answering again edits
    assert inputs(again)["rating"]["initial_option"]["value"] == "4"
    assert inputs(again)["contact"]["initial_option"]["value"] == "yes"
    await dispatch(slack, submission_body(again, {**GOOD, "rating": "2", "contact": "no"}))
    await slack.settled()
    [edited] = await answers(sqlite_core)
    assert (edited.rating, edited.contact) == (2, False)


async def test_a_submission_forged_by_another_member_is_refused(
    slack: SlackBot,
    mock_slack: MockSlack,
    sqlite_core: Core,
    clock: SettableClock,
    dispatcher: Dispatcher,
) -> None:
    action = await feedback_button(mock_slack, sqlite_core, clock, dispatcher)
    view = await open_modal(slack, mock_slack, action)
    mock_slack.clear()
    response = await dispatch(slack, submission_body(view, GOOD, user=BEA))
    await slack.settled()
    shown = block_text([json.loads(response.body or "{}"), *(c.args for c in mock_slack.calls)])
    assert "for those who registered and came" in shown
    assert await answers(sqlite_core) == []
    mock_slack.clear()
    await dispatch(slack, action_body(action, user=BEA, response_url=mock_slack.response_url()))
    await slack.settled()
    assert mock_slack.to("views.open") == []  # the button opens nothing for Bea


def test_more_than_ten_choices_become_a_static_select() -> None:
    many = tuple(Choice(str(i), f"Option {i}") for i in range(12))
    form = Form("pick", "Pick", (FormField("pick", "Pick one", "single_choice", choices=many),))
    [block] = form_modal(form)["blocks"]
    assert block["element"]["type"] == "static_select"
    valid_view({**form_modal(form), "id": "V1"})


async def test_the_mock_refuses_radio_buttons_with_more_than_ten_options(
    slack: SlackBot, mock_slack: MockSlack
) -> None:
    options = [{"text": {"type": "plain_text", "text": str(i)}, "value": str(i)} for i in range(11)]
    element = {"type": "radio_buttons", "action_id": "r", "options": options}
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Feedback"},
        "blocks": [
            {
                "type": "input",
                "block_id": "r",
                "label": {"type": "plain_text", "text": "R"},
                "element": element,
            }
        ],
    }
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await slack.platform.client.views_open(trigger_id="1.2.3", view=view)
    element["options"] = options[:10]
    await slack.platform.client.views_open(trigger_id="1.2.3", view=view)
