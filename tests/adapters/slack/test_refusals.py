"""The core is the gate on Slack too: the adapter only says the core's refusal of an
organizer route the Slack way, for a typed command and for a forged form alike."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from adapters.slack.app import SlackBot
from adapters.slack.listeners import MSG_NOT_ORGANIZER
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from storage.models import Summary
from tests.adapters.slack.mock_slack import MockSlack
from tests.adapters.slack.slackreq import ADA, JO, block_text, command_body, dispatch
from tests.adapters.slack.slackreq import submission_body as submitted

SECTIONS = {
    "insights": "Taken over.",
    "recommendations": "Taken over.",
    "resources": "Taken over.",
    "collaboration": "Taken over.",
}


async def test_a_members_forged_summary_form_is_refused_by_the_core_in_slacks_words(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core, clock: SettableClock
) -> None:
    clock.set(datetime(2025, 4, 29, 19, tzinfo=UTC))  # the Spring session is over
    organizer = command_body(
        "summary spring", user=JO, command="/s4b-admin", response_url=mock_slack.response_url()
    )
    await dispatch(slack, organizer)
    await slack.settled()
    view = {**mock_slack.to("views.open")[-1].args["view"], "id": "V0FORM"}
    mock_slack.clear()

    called: list[str] = []
    submit = sqlite_core.submit

    async def spy(submission):  # type: ignore[no-untyped-def]
        called.append(submission.form_id)
        return await submit(submission)

    sqlite_core.submit = spy  # type: ignore[method-assign]
    response = await dispatch(slack, submitted(view, SECTIONS, user=ADA))
    await slack.settled()
    assert called, "the adapter left the decision to the core"
    body = json.loads(response.body)
    shown = [body.get("view", {}), *(c.args["view"] for c in mock_slack.to("views.update"))]
    assert MSG_NOT_ORGANIZER in block_text(shown)
    async with sqlite_core.db.transaction() as db:
        assert (await db.scalars(select(Summary))).all() == []


async def test_a_members_organizer_command_reaches_the_core_which_refuses_it(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core
) -> None:
    refused: list[bool] = []
    run_text = sqlite_core.run_text

    async def spy(actor: Actor, root: str, text: str, **kwargs):  # type: ignore[no-untyped-def]
        outcome = await run_text(actor, root, text, **kwargs)
        refused.append(outcome.organizers_only)
        return outcome

    sqlite_core.run_text = spy  # type: ignore[method-assign]
    body = command_body(
        "roster spring", command="/s4b-admin", response_url=mock_slack.response_url()
    )
    await dispatch(slack, body)
    await slack.settled()
    assert refused == [True]
    [reply] = mock_slack.to("respond")
    assert block_text(reply.args["blocks"]).startswith(MSG_NOT_ORGANIZER[:40])
