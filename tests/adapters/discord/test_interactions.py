"""Interactions through discord.py's own parsing: deadlines, modals, autocomplete,
organizers, expired tokens, files."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from adapters.discord import S4BClient
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.output import Message, Outcome
from storage import queries
from tests.adapters.discord import payloads
from tests.adapters.discord.conftest import (
    ANNOUNCEMENTS,
    MakeClient,
    callbacks,
    feed,
    followups,
    visible_text,
)
from tests.adapters.discord.mock_discord import MockDiscord, Request

EPHEMERAL = 64
JO = Actor("discord", str(payloads.GUILD_ID), payloads.JO["id"], "Jo", is_organizer=True)


def first_message_with(
    mock: MockDiscord, payload: dict[str, Any], custom_id: str
) -> dict[str, Any]:
    """The message (as Discord stores it) that carries a button, from the bot's answer."""
    for request in [*callbacks(mock, payload), *followups(mock, payload)]:
        body = request.body.get("data", request.body) if "type" in request.body else request.body
        for row in body.get("components") or []:
            if any(c.get("custom_id") == custom_id for c in row.get("components", [])):
                return mock.messages[max(mock.messages)] | {
                    "components": body["components"],
                    "flags": EPHEMERAL,
                    "content": body.get("content", ""),
                }
    raise AssertionError(f"no message with {custom_id}")


async def test_a_command_is_deferred_at_once_then_answered_privately(
    bot: S4BClient, mock: MockDiscord
) -> None:
    payload = payloads.command("s4b", "sessions")
    assert await feed(bot, payload) == "reply"
    (ack,) = callbacks(mock, payload)
    assert ack.body == {"type": 5, "data": {"flags": EPHEMERAL}}  # deferred, "thinking"
    assert mock.requests.index(ack) < mock.requests.index(followups(mock, payload)[0])
    (reply,) = followups(mock, payload)
    assert reply.body["flags"] == EPHEMERAL
    assert reply.body["allowed_mentions"] == {"parse": []}
    when = reply.body["embeds"][0]["fields"][0]
    assert when["name"] == "When"
    assert when["value"].startswith("<t:1745946000:F>–<t:1745949600:t>")
    assert "(<t:1745946000:R>)" in when["value"]
    ids = [c["custom_id"] for row in reply.body["components"] for c in row["components"]]
    assert "s4b:register:1" in ids and "s4b:session:1" in ids
    assert "s4b:calendar:1" not in ids  # the core offers it to registrants only


async def test_a_public_reply_is_posted_for_the_channel(
    bot: S4BClient, mock: MockDiscord, sqlite_core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def public(invocation: Any) -> Outcome:
        return Outcome(reply=Message.plain("For everyone"), public=True)

    monkeypatch.setattr(sqlite_core, "invoke", public)
    payload = payloads.command("s4b", "about")
    assert await feed(bot, payload) == "public"
    private, shown = followups(mock, payload)
    assert (private.body["flags"], private.body["content"]) == (EPHEMERAL, "Posted in the channel.")
    assert (shown.body.get("flags", 0), shown.body["content"]) == (0, "For everyone")


async def test_register_answers_with_the_modal_itself(bot: S4BClient, mock: MockDiscord) -> None:
    payload = payloads.command("s4b", "register", {"session": "2025-06-24"})
    assert await feed(bot, payload) == "modal"
    (only,) = callbacks(mock, payload)  # no defer: a modal must be the first answer
    assert only.body["type"] == 9
    sessions = only.body["data"]["components"][3]["component"]["options"]
    assert [o["value"] for o in sessions if o["default"]] == ["2"]
    assert followups(mock, payload) == []


@pytest.mark.parametrize(
    ("nick", "user", "name"),
    [
        ("Ada (S4B team)", payloads.ADA, "Ada (S4B team)"),  # the server nickname first
        (None, payloads.ADA, "Ada Lovelace"),  # else the global display name
        (None, {**payloads.ADA, "global_name": None}, "ada"),  # else the username
    ],
)
async def test_the_form_is_prefilled_with_the_name_members_see(
    bot: S4BClient, mock: MockDiscord, nick: str | None, user: dict[str, Any], name: str
) -> None:
    payload = payloads.command("s4b", "register", {"session": "spring"}, user=user)
    payload["member"]["nick"] = nick
    assert await feed(bot, payload) == "modal"
    (only,) = callbacks(mock, payload)
    field = only.body["data"]["components"][0]["component"]
    assert (field["custom_id"], field["value"]) == ("name", name)


async def test_sessions_say_times_are_in_the_members_own_zone(
    bot: S4BClient, mock: MockDiscord
) -> None:
    payload = payloads.command("s4b", "sessions")
    await feed(bot, payload)
    text = visible_text(followups(mock, payload))
    assert "Times are shown in your own time zone." in text
    assert "Times are Eastern" not in text and "adds your own" not in text


async def test_a_slow_core_is_deferred_in_time_and_offers_the_form_by_button(
    make_client: MakeClient, mock: MockDiscord, sqlite_core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = await make_client(ack_budget=0.05)
    invoke = sqlite_core.invoke

    async def slow_invoke(invocation: Any) -> Any:
        await asyncio.sleep(0.3)
        return await invoke(invocation)

    monkeypatch.setattr(sqlite_core, "invoke", slow_invoke)
    payload = payloads.command("s4b", "register")
    assert await feed(bot, payload) == "reply"
    (ack,) = callbacks(mock, payload)
    assert ack.body == {"type": 5, "data": {"flags": EPHEMERAL}}
    (reply,) = followups(mock, payload)
    assert "took a moment too long" in reply.body["content"]
    button = reply.body["components"][0]["components"][0]
    assert button["custom_id"] == "s4b-form:open:register"
    monkeypatch.setattr(sqlite_core, "invoke", invoke)
    # The core is fast again, and the ack budget back to normal (50 ms flakes on a busy CPU).
    bot.s4b.config = bot.s4b.config.model_copy(update={"ack_budget": 2.0})
    press = payloads.component(
        first_message_with(mock, payload, button["custom_id"]), button["custom_id"]
    )
    assert await feed(bot, press) == "modal"
    assert callbacks(mock, press)[0].body["type"] == 9


@pytest.mark.parametrize(
    "make_payload",
    [
        lambda: payloads.command("s4b", "sessions", age=timedelta(minutes=16)),
        lambda: payloads.autocomplete(
            "s4b", "session", "session", "spr", age=timedelta(minutes=16)
        ),
        lambda: payloads.modal_submit("s4b-form:register", [], age=timedelta(minutes=16)),
        lambda: payloads.component(
            payloads.message_with("s4b:unregister:1"),
            "s4b:unregister:1",
            age=timedelta(minutes=16),
        ),
    ],
    ids=["command", "autocomplete", "modal", "button"],
)
async def test_interactions_older_than_15_minutes_are_skipped(
    bot: S4BClient,
    mock: MockDiscord,
    sqlite_core: Core,
    monkeypatch: pytest.MonkeyPatch,
    make_payload: Any,
) -> None:
    async def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the core must not be called")

    for name in ("invoke", "press", "submit", "session_choices"):
        monkeypatch.setattr(sqlite_core, name, never)
    mock.clear()
    payload = make_payload()
    assert await feed(bot, payload) == "expired"
    await asyncio.sleep(0.05)
    assert mock.requests == []  # not even an attempt with the dead token


async def test_session_autocomplete_gives_at_most_25_matching_choices(
    bot: S4BClient, mock: MockDiscord, sqlite_core: Core
) -> None:
    payload = payloads.autocomplete("s4b", "register", "session", "")
    assert await feed(bot, payload) == "autocomplete"
    choices = callbacks(mock, payload)[0].body["data"]["choices"]
    assert choices[0] == {"name": "all", "value": "all"}  # the option's own word first
    # Each value is the session's reference, which the core resolves to it alone.
    assert [c["value"] for c in choices[1:]] == ["spring", "summer", "fall", "year-end"]
    assert choices[1]["name"].startswith("Spring · 2025-04-29 · ")

    payload = payloads.autocomplete("s4b", "register", "session", "summ")
    await feed(bot, payload)
    (summer,) = callbacks(mock, payload)[0].body["data"]["choices"]
    assert summer["value"] == "summer"

    organizer = payloads.ORGANIZER_ROLE
    for year in (2026, 2027, 2028):
        add = payloads.command(
            "s4b-admin",
            "session series",
            {"first": f"{year}-01-27T13:00", "rule": "FREQ=MONTHLY;COUNT=12", "title": "More"},
            roles=[organizer],
            user=payloads.JO,
        )
        await feed(bot, add)
    payload = payloads.autocomplete("s4b", "session", "session", "")
    await feed(bot, payload)
    choices = callbacks(mock, payload)[0].body["data"]["choices"]
    assert len(choices) == 25
    assert choices[0]["value"] == "spring-2025"  # springs of 2026-2028 are there too
    assert len({c["value"] for c in choices}) == 25


async def test_zone_autocomplete(bot: S4BClient, mock: MockDiscord) -> None:
    payload = payloads.autocomplete("s4b", "timezone", "zone", "vancou")
    await feed(bot, payload)
    assert callbacks(mock, payload)[0].body["data"]["choices"] == [
        {"name": "America/Vancouver", "value": "America/Vancouver"}
    ]


async def test_a_refused_form_can_be_fixed_without_typing_it_again(
    bot: S4BClient, mock: MockDiscord
) -> None:
    opened = payloads.command("s4b", "register", {"session": "2025-04-29"})
    await feed(bot, opened)
    modal = callbacks(mock, opened)[0].body["data"]
    answers = {
        "about": "Neighbour",
        "organization+email": "Garden, not-an-email@",
        "consent": False,
    }
    submit = payloads.modal_submit(modal["custom_id"], payloads.answers(modal, answers))
    assert await feed(bot, submit) == "reply"
    (reply,) = followups(mock, submit)
    assert "Please check the form" in reply.body["content"]
    assert "Tick the box" in reply.body["content"]
    fix = reply.body["components"][-1]["components"][0]
    assert (fix["label"], fix["custom_id"]) == ("Fix the form", "s4b-form:open:register")
    press = payloads.component(first_message_with(mock, submit, fix["custom_id"]), fix["custom_id"])
    assert await feed(bot, press) == "modal"
    again = {
        c["component"]["custom_id"]: c["component"]
        for c in callbacks(mock, press)[0].body["data"]["components"]
    }
    assert again["about"]["value"] == "Neighbour"
    assert again["organization+email"]["value"] == "Garden, not-an-email@"
    assert [o["value"] for o in again["sessions"]["options"] if o["default"]] == ["1"]


async def test_an_attached_ics_is_imported(bot: S4BClient, mock: MockDiscord) -> None:
    ics = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        b"UID:a@test\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20260310T180000Z\r\n"
        b"DTEND:20260310T190000Z\r\nSUMMARY:Imported gathering\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    url = mock.add_file("s.ics", ics)
    attachment = {
        "id": "1100000000000000900",
        "filename": "s.ics",
        "size": len(ics),
        "url": url,
        "proxy_url": url,
        "content_type": "text/calendar",
    }
    payload = payloads.command(
        "s4b-admin",
        "session import",
        {"file": attachment["id"]},
        types={"file": 11},
        resolved={"attachments": {attachment["id"]: attachment}},
        roles=[payloads.ORGANIZER_ROLE],
    )
    assert await feed(bot, payload) == "reply"
    assert "Imported 1 session:" in visible_text(followups(mock, payload))
    assert "Imported gathering" in visible_text(followups(mock, payload))
    assert mock.downloads == ["s.ics"]


async def test_an_attached_file_of_the_wrong_kind_is_refused(
    bot: S4BClient, mock: MockDiscord, sqlite_core: Core
) -> None:
    url = mock.add_file("programme.pdf", b"%PDF-1.7")
    attachment = {
        "id": "1100000000000000902",
        "filename": "programme.pdf",
        "size": 8,
        "url": url,
        "proxy_url": url,
        "content_type": "application/pdf",
    }
    payload = payloads.command(
        "s4b-admin",
        "session import",
        {"file": attachment["id"]},
        types={"file": 11},
        resolved={"attachments": {attachment["id"]: attachment}},
        roles=[payloads.ORGANIZER_ROLE],
    )
    async with sqlite_core.db.transaction() as db:
        before = len(await queries.all_sessions(db))
    assert await feed(bot, payload) == "reply"
    shown = visible_text(followups(mock, payload))
    assert "“programme.pdf” is not an .ics file" in shown and ".ics" in shown
    assert mock.downloads == []  # refused by its name, never fetched
    async with sqlite_core.db.transaction() as db:
        assert len(await queries.all_sessions(db)) == before


async def test_a_rate_limited_follow_up_is_retried_by_discord_py(
    bot: S4BClient, mock: MockDiscord
) -> None:
    mock.rate_limit("POST", r"/webhooks/\d+/.+", retry_after=0.05)
    payload = payloads.command("s4b", "mine")
    assert await feed(bot, payload) == "reply"
    assert len(followups(mock, payload)) == 2  # the 429, then the same message again


async def test_a_failure_around_the_core_still_answers(bot: S4BClient, mock: MockDiscord) -> None:
    url = f"{mock.root}/attachments/missing.ics"  # the download fails
    attachment = {
        "id": "1100000000000000901",
        "filename": "s.ics",
        "size": 10,
        "url": url,
        "proxy_url": url,
        "content_type": "text/calendar",
    }
    payload = payloads.command(
        "s4b-admin",
        "session import",
        {"file": attachment["id"]},
        types={"file": 11},
        resolved={"attachments": {attachment["id"]: attachment}},
        roles=[payloads.ORGANIZER_ROLE],
    )
    assert await feed(bot, payload) == "reply"
    assert "Something went wrong" in visible_text(followups(mock, payload))


async def test_a_failed_command_sync_does_not_stop_the_bot(
    make_client: MakeClient, mock: MockDiscord
) -> None:
    mock.fail("PUT", r"/applications/\d+/guilds/\d+/commands", status=400, code=50035)
    bot = await make_client()
    payload = payloads.command("s4b", "values")
    assert await feed(bot, payload) == "reply"


async def test_an_interaction_discord_has_forgotten_is_dropped_quietly(
    bot: S4BClient, mock: MockDiscord, sqlite_core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("no work for an interaction that cannot be answered")

    monkeypatch.setattr(sqlite_core, "invoke", never)
    mock.fail("POST", r"/interactions/\d+/[^/]+/callback", status=404, code=10062)
    payload = payloads.command("s4b", "mine", age=timedelta(seconds=5))
    assert await feed(bot, payload) == "missed"
    assert followups(mock, payload) == []


# --- a registrant's buttons ---------------------------------------------------------------


def button_ids(request: Request) -> list[str]:
    """The custom_ids of one message's buttons, in order."""
    body = request.body.get("data", request.body) if "type" in request.body else request.body
    return [c["custom_id"] for row in body.get("components") or [] for c in row["components"]]


def assert_registrant_buttons(requests: list[Request], session_id: int) -> None:
    """Each message accepted, each button in it once; Unregister and Add to calendar shown."""
    shown = [button_ids(r) for r in requests]
    for ids in shown:
        assert len(ids) == len(set(ids)), ids
    every = [i for ids in shown for i in ids]
    assert f"s4b:unregister:{session_id}" in every
    assert every.count(f"s4b:calendar:{session_id}") == 1


async def register_ada(bot: S4BClient, mock: MockDiscord) -> list[Request]:
    """Ada registers for spring through the modal; the confirmation's follow-ups."""
    command = payloads.command("s4b", "register", {"session": "2025-04-29"})
    assert await feed(bot, command) == "modal"
    modal = callbacks(mock, command)[0].body["data"]
    answers = {"about": 'I\'m the "garden" lead 🌱', "sessions": ["1"], "consent": True}
    submit = payloads.modal_submit(modal["custom_id"], payloads.answers(modal, answers))
    assert await feed(bot, submit) == "reply"
    return followups(mock, submit)


async def test_the_registration_confirmation_carries_each_button_once(
    bot: S4BClient, mock: MockDiscord
) -> None:
    confirmation = await register_ada(bot, mock)
    assert "you are registered" in visible_text(confirmation)
    assert_registrant_buttons(confirmation, 1)


@pytest.mark.parametrize(
    ("path", "options"),
    [("mine", {}), ("session", {"session": "2025-04-29"})],
)
async def test_a_registrants_commands_carry_each_button_once(
    bot: S4BClient, mock: MockDiscord, sqlite_core: Core, path: str, options: dict[str, str]
) -> None:
    await sqlite_core.run_text(JO, "s4b-admin", "session call spring https://zoom.example/j/42")
    await register_ada(bot, mock)
    payload = payloads.command("s4b", path, options)
    assert await feed(bot, payload) == "reply"
    answer = followups(mock, payload)
    assert_registrant_buttons(answer, 1)
    if path == "session":
        assert "https://zoom.example/j/42" in visible_text(answer)  # the call details


async def test_registering_from_the_announcement_confirms_with_each_button_once(
    bot: S4BClient, mock: MockDiscord, sqlite_core: Core, clock: SettableClock
) -> None:
    await sqlite_core.run_text(JO, "s4b-admin", "announce spring")
    await Dispatcher(
        sqlite_core.db,
        platforms={"discord": bot.platform},
        clock=clock,
        settings=sqlite_core.settings,
    ).drain()
    (post,) = mock.find("POST", rf"/channels/{ANNOUNCEMENTS}/messages")
    assert "s4b:register:1" in button_ids(post)
    message = mock.messages[max(mock.messages)]
    press = payloads.component(message, "s4b:register:1")
    assert await feed(bot, press) == "modal"
    modal = callbacks(mock, press)[0].body["data"]
    answers = {"about": "Neighbour", "sessions": ["1"], "consent": True}
    submit = payloads.modal_submit(modal["custom_id"], payloads.answers(modal, answers))
    assert await feed(bot, submit) == "reply"
    confirmation = followups(mock, submit)
    assert "you are registered" in visible_text(confirmation)
    assert_registrant_buttons(confirmation, 1)


# --- a follow-up Discord refuses ----------------------------------------------------------------


async def test_a_refused_follow_up_ends_in_a_short_message_and_a_log_line(
    bot: S4BClient, mock: MockDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    mock.fail("POST", r"/webhooks/\d+/[^/]+", status=400, code=50035, message="Invalid Form Body")
    payload = payloads.command("s4b", "sessions")
    assert await feed(bot, payload) == "failed"
    refused, shown = followups(mock, payload)
    assert refused.body["embeds"]  # the answer Discord refused
    assert shown.body["flags"] == EPHEMERAL
    assert shown.body["content"].startswith("Discord did not take my answer")
    (line,) = [r.getMessage() for r in caplog.records if "could not answer" in r.getMessage()]
    assert "Discord 400 (code 50035): Invalid Form Body" in line


async def test_when_even_the_short_message_fails_it_is_logged(
    bot: S4BClient, mock: MockDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    mock.fail(
        "POST", r"/webhooks/\d+/[^/]+", status=404, code=10015, message="Unknown Webhook", times=2
    )
    payload = payloads.command("s4b", "mine")
    assert await feed(bot, payload) == "failed"
    assert len(followups(mock, payload)) == 2
    assert "could not tell interaction" in caplog.text and "10015" in caplog.text
