"""/s4b and /s4b-admin through the real bolt app: acks, replies, modals, files, organizers."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sqlalchemy import select

from adapters.slack.app import SlackBot
from adapters.slack.config import SlackConfig
from adapters.slack.listeners import MSG_NOT_ORGANIZER
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.output import Outcome
from storage import queries
from storage.models import Idea
from tests.adapters.slack.mock_slack import MockSlack
from tests.adapters.slack.slackreq import (
    BEA,
    JO,
    block_text,
    command_body,
    dispatch,
    valid_blocks,
    valid_view,
)


async def run(
    slack: SlackBot,
    mock: MockSlack,
    text: str,
    *,
    user: tuple[str, str] = ("U0ADA", "ada"),
    command: str = "/s4b",
) -> None:
    body = command_body(text, user=user, command=command, response_url=mock.response_url())
    response = await dispatch(slack, body)
    assert response.status == 200 and response.body == ""  # an empty ack: nothing echoed
    await slack.settled()


def replies(mock: MockSlack) -> list[dict[str, Any]]:
    found = [c.args for c in mock.to("respond")]
    for reply in found:
        valid_blocks(reply["blocks"])
    return found


async def test_help_comes_from_the_catalogue_privately(
    slack: SlackBot, mock_slack: MockSlack
) -> None:
    await run(slack, mock_slack, "help")
    [reply] = replies(mock_slack)
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    text = block_text(reply["blocks"])
    for command in slack.handlers.core.routes.for_root("s4b"):
        assert f"/s4b {command.name}" in text
    assert "/s4b-admin" not in text  # a member is not shown the organizer commands
    assert mock_slack.to("views.publish"), "the App Home tab is refreshed after a command"


async def test_an_unknown_command_gets_the_catalogues_suggestion(
    slack: SlackBot, mock_slack: MockSlack
) -> None:
    await run(slack, mock_slack, "sesions")
    [reply] = replies(mock_slack)
    assert "Did you mean `sessions`" in block_text(reply["blocks"])


async def test_user_text_never_becomes_a_mention(slack: SlackBot, mock_slack: MockSlack) -> None:
    await run(slack, mock_slack, "<!channel>@here")
    [reply] = replies(mock_slack)
    text = block_text(reply["blocks"]) + reply["text"]
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "@here" not in text and "@\u2060here" in text


async def test_typed_text_reaches_the_core_as_typed(slack: SlackBot, mock_slack: MockSlack) -> None:
    typed = 'Q&A <3 -- Let\'s meet at the “library” & talk about "it" &amp; more'
    await run(slack, mock_slack, f"idea {typed}")
    [reply] = replies(mock_slack)
    assert "your idea is #" in block_text(reply["blocks"])
    async with slack.handlers.core.db.transaction() as db:
        assert await db.scalar(select(Idea.text)) == typed


async def test_sessions_say_slack_shows_times_in_the_members_own_zone(
    slack: SlackBot, mock_slack: MockSlack
) -> None:
    await run(slack, mock_slack, "sessions")
    text = "\n".join(block_text(r["blocks"]) for r in replies(mock_slack))
    assert "Times are shown in your own time zone." in text and "<!date^" in text
    assert "Times are Eastern" not in text


async def test_register_opens_the_modal_with_the_trigger_id(
    slack: SlackBot, mock_slack: MockSlack
) -> None:
    mock_slack.add_user("U0ADA", "ada", real_name="Ada Lovelace")
    await run(slack, mock_slack, "register spring")
    [call] = mock_slack.to("views.open")
    assert call.args["trigger_id"].startswith("13345224609.738474920.8088930838d88f008e0.")
    view = call.args["view"]
    valid_view(view)
    assert view["callback_id"] == "s4b:form" and view["private_metadata"] == '{"form": "register"}'
    assert view["title"]["text"] == "Register for S4B", "whole, not cut at Slack's 24"
    assert view["submit"]["text"] == "Register"
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == ["name", "about", "organization", "email", "sessions", "consent"]
    assert inputs["name"]["element"] == {
        "type": "plain_text_input",
        "action_id": "name",
        "max_length": 100,
        "multiline": False,
        "initial_value": "Ada Lovelace",  # the profile's name, not the handle
    }
    assert inputs["about"]["element"]["multiline"] is True
    assert inputs["about"]["element"]["max_length"] == 1_000
    assert inputs["organization"]["optional"] is True
    assert inputs["email"]["element"]["type"] == "email_text_input"
    sessions = inputs["sessions"]["element"]
    assert sessions["type"] == "multi_static_select" and len(sessions["options"]) == 4
    assert [o["value"] for o in sessions["initial_options"]] == ["1"]  # spring, ticked
    assert all(len(o["text"]["text"]) <= 75 for o in sessions["options"])
    consent = inputs["consent"]
    assert consent["element"]["type"] == "checkboxes" and "contacted" in consent["label"]["text"]
    assert not mock_slack.to("respond"), "the modal is the answer"


async def test_members_are_called_by_their_profiles_display_name_else_real_name(
    slack: SlackBot, mock_slack: MockSlack
) -> None:
    mock_slack.add_user("U0ADA", "ada", real_name="Ada Lovelace", display_name="Ada L.")
    mock_slack.add_user("U0BEA", "bea", real_name="Bea Rivera")  # no display name set
    for user, name in ((("U0ADA", "ada"), "Ada L."), (("U0BEA", "bea"), "Bea Rivera")):
        mock_slack.clear()
        await run(slack, mock_slack, "register spring", user=user)
        [call] = mock_slack.to("views.open")
        [field] = [b for b in call.args["view"]["blocks"] if b.get("block_id") == "name"]
        assert field["element"]["initial_value"] == name
        [home] = mock_slack.to("views.publish")
        assert f"Hello {name}." in block_text(home.args["view"])


async def test_the_handle_is_the_name_only_when_slack_cannot_say(
    slack: SlackBot, mock_slack: MockSlack
) -> None:
    await run(slack, mock_slack, "register spring")  # users.info: user_not_found
    [call] = mock_slack.to("views.open")
    [field] = [b for b in call.args["view"]["blocks"] if b.get("block_id") == "name"]
    assert field["element"]["initial_value"] == "ada"


async def test_a_slow_core_never_delays_the_ack(
    tight_budgets: SlackConfig, slack: SlackBot, mock_slack: MockSlack, monkeypatch: Any
) -> None:
    core = slack.handlers.core
    real = core.run_text

    async def slow(*args: Any, **kwargs: Any) -> Outcome:
        await asyncio.sleep(1.0)  # a database under load
        return await real(*args, **kwargs)

    monkeypatch.setattr(core, "run_text", slow)
    started = time.monotonic()
    body = command_body("register", response_url=mock_slack.response_url())
    response = await dispatch(slack, body)
    assert time.monotonic() - started < 0.5 and response.status == 200
    await slack.settled()
    # The trigger_id was used within the budget for a "Loading…" modal, then updated.
    [opened] = mock_slack.to("views.open")
    [updated] = mock_slack.to("views.update")
    assert opened.at - started < 1.0 and "one moment" in block_text(opened.args["view"])
    assert updated.args["view_id"] == "V00001"
    assert updated.args["view"]["callback_id"] == "s4b:form"
    valid_view(updated.args["view"])


async def test_organizer_commands_work_for_organizers_only(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core
) -> None:
    call = "session call spring https://call.example/s4b (passcode 4567)"
    await run(slack, mock_slack, call, command="/s4b-admin")
    [refusal] = replies(mock_slack)
    assert block_text(refusal["blocks"]).startswith(MSG_NOT_ORGANIZER[:40])
    assert "SLACK_" not in block_text(refusal["blocks"]), "setting names are not for members"
    async with sqlite_core.db.transaction() as db:
        assert (await queries.all_sessions(db))[0].call_details is None  # nothing changed

    mock_slack.clear()
    await run(slack, mock_slack, call, user=JO, command="/s4b-admin")
    [done] = replies(mock_slack)
    assert "spring" in block_text(done["blocks"]).lower()
    async with sqlite_core.db.transaction() as db:
        assert "call.example" in str((await queries.all_sessions(db))[0].call_details)


async def test_organizers_can_be_a_user_group_read_once_a_minute(
    sqlite_core: Core, slack_config: Any, mock_slack: MockSlack
) -> None:
    from adapters.slack.app import build_slack

    mock_slack.group_members["S0ORGS"] = ["U0BEA"]
    slack = build_slack(sqlite_core, slack_config.model_copy(update={"organizer_group": "S0ORGS"}))
    await run(slack, mock_slack, "help", user=BEA, command="/s4b-admin")
    await run(slack, mock_slack, "help", user=BEA, command="/s4b-admin")
    assert len(mock_slack.to("usergroups.users.list")) == 1
    first, second = replies(mock_slack)
    assert "Organizer commands" in block_text(first["blocks"]) == block_text(second["blocks"])
    assert await slack.handlers.organizers.contains("U0ADA") is False

    # A group Slack cannot read lets nobody in (fail closed), and is asked again later.
    unknown = build_slack(
        sqlite_core, slack_config.model_copy(update={"organizer_group": "S0GONE"})
    )
    assert await unknown.handlers.organizers.contains("U0BEA") is False


async def test_files_go_to_the_dm_and_the_reply_says_so(
    slack: SlackBot, mock_slack: MockSlack
) -> None:
    await run(slack, mock_slack, "calendar")
    [reply] = replies(mock_slack)
    assert "direct messages" in block_text(reply["blocks"])
    assert mock_slack.to("conversations.open")[0].args["users"] == "U0ADA"
    [url] = mock_slack.to("files.getUploadURLExternal")
    assert url.args["filename"].endswith(".ics")
    [content] = mock_slack.uploads.values()
    assert content.startswith(b"BEGIN:VCALENDAR") and int(url.args["length"]) == len(content)
    [done] = mock_slack.to("files.completeUploadExternal")
    assert done.args["channel_id"] == "D0ADA"
    assert done.args["files"][0]["title"] == url.args["filename"]
    [dm] = mock_slack.to("chat.postMessage")  # the DM says what the file is, not "S4B"
    assert dm.args["channel"] == "D0ADA"
    assert f"{url.args['filename']}: a calendar file" in dm.args["text"]


async def test_every_call_uses_the_bot_token(slack: SlackBot, mock_slack: MockSlack) -> None:
    await run(slack, mock_slack, "calendar")
    api = [c for c in mock_slack.calls if c.method not in ("respond", "upload")]
    assert api and {c.token for c in api} == {slack.config.secret("bot_token")}


async def test_the_home_tab_is_the_members_overview(slack: SlackBot, mock_slack: MockSlack) -> None:
    actor = Actor("slack", "T0S4B", "U0ADA", "ada")
    await slack.handlers.refresh_home(actor)
    [call] = mock_slack.to("views.publish")
    assert call.args["user_id"] == "U0ADA" and call.args["view"]["type"] == "home"
    valid_view(call.args["view"])
    text = block_text(call.args["view"])
    assert "registered for 0 of the 4 upcoming" in text and text.count("Register") >= 4
