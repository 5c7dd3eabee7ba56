"""Done means, tried as a new member and an organizer would, against the mock Discord:
autocomplete a session, register through the modal, get the .ics by DM, see native
timestamps, unregister with a button after the bot restarted; an organizer reschedules
and the scheduled event follows."""

from __future__ import annotations

import discord

from adapters.discord import S4BClient
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.outbox.dispatch import Dispatcher
from tests.adapters.discord import payloads
from tests.adapters.discord.conftest import MakeClient, callbacks, feed, followups, visible_text
from tests.adapters.discord.mock_discord import MockDiscord
from tests.helpers import reply_text

GUILD = str(payloads.GUILD_ID)


def dispatcher(core: Core, bot: S4BClient, clock: SettableClock) -> Dispatcher:
    return Dispatcher(
        core.db, platforms={"discord": bot.platform}, clock=clock, settings=core.settings
    )


async def test_member_and_organizer_on_discord(
    make_client: MakeClient, mock: MockDiscord, sqlite_core: Core, clock: SettableClock
) -> None:
    bot = await make_client()
    # The bot joins the server: every upcoming session becomes a Scheduled Event.
    await bot.on_guild_join(discord.Object(payloads.GUILD_ID))  # type: ignore[arg-type]
    await dispatcher(sqlite_core, bot, clock).drain()
    created = mock.find("POST", rf"/guilds/{GUILD}/scheduled-events")
    assert sorted(r.body["name"].split(" — ")[0] for r in created) == [
        "Fall Session",
        "Spring Session",
        "Summer Session",
        "Year-End Session",
    ]  # the dispatcher sends them concurrently

    assert all(r.body["entity_type"] == 3 for r in created)
    summer_event = next(e for e in mock.events.values() if e["name"].startswith("Summer"))

    # Ada types /s4b register and picks the spring session from the suggestions.
    typing = payloads.autocomplete("s4b", "register", "session", "spr")
    await feed(bot, typing)
    (suggestion,) = callbacks(mock, typing)[0].body["data"]["choices"]
    assert suggestion["value"] == "spring"

    command = payloads.command("s4b", "register", {"session": suggestion["value"]})
    assert await feed(bot, command) == "modal"
    modal = callbacks(mock, command)[0].body["data"]

    # One form: her details, spring and summer, and consent.
    answers = {
        "about": "I run the community garden.",
        "organization+email": "Garden collective, ada@example.org",
        "sessions": ["1", "2"],
        "consent": True,
    }
    submit = payloads.modal_submit(modal["custom_id"], payloads.answers(modal, answers))
    assert await feed(bot, submit) == "reply"
    confirmation = followups(mock, submit)
    text = visible_text(confirmation)
    assert "you are registered" in text
    assert "<t:1745946000:F>" in text and "<t:1745946000:R>" in text  # spring, in her own zone
    assert "<t:1750784400:F>" in text  # summer

    # The invitation arrives by DM, with the .ics files attached.
    await dispatcher(sqlite_core, bot, clock).drain()
    (opened,) = mock.find("POST", "/users/@me/channels")
    assert opened.body == {"recipient_id": int(payloads.ADA["id"])}
    channel = mock.dm_channels[payloads.ADA["id"]]
    (dm,) = mock.find("POST", rf"/channels/{channel}/messages")
    names = [f.filename for f in dm.files]
    assert names == [
        "s4b-spring-2025-04-29.ics",
        "s4b-summer-2025-06-24.ics",
        "s4b-all-my-sessions.ics",
    ]
    assert b"METHOD:REQUEST" in dm.files[0].data and b"BEGIN:VEVENT" in dm.files[0].data
    assert "<t:1745946000:F>" in visible_text([dm])

    # The bot restarts: a new client, the same database.
    await bot.close()
    bot = await make_client()
    unregister = next(
        c
        for request in confirmation
        for row in request.body.get("components", [])
        for c in row["components"]
        if c["custom_id"] == "s4b:unregister:1"
    )
    message = {
        **mock.messages[max(mock.messages)],
        "components": confirmation[0].body["components"],
        "flags": 64,
    }
    press = payloads.component(message, unregister["custom_id"])
    assert await feed(bot, press) == "reply"
    assert "no longer registered for: Spring" in visible_text(followups(mock, press))
    ada = Actor("discord", GUILD, payloads.ADA["id"], "Ada Lovelace")
    mine = reply_text(await sqlite_core.run_text(ada, "s4b", "mine"))
    assert "Summer" in mine and "Spring" not in mine
    await dispatcher(sqlite_core, bot, clock).drain()
    cancel = mock.find("POST", rf"/channels/{channel}/messages")[-1]
    assert b"METHOD:CANCEL" in cancel.files[0].data

    # An organizer moves the summer session; its Scheduled Event follows.
    reschedule = payloads.command(
        "s4b-admin",
        "session reschedule",
        {"session": "2025-06-24", "when": "2025-07-08 13:00"},
        user=payloads.JO,
        roles=[payloads.ORGANIZER_ROLE],
    )
    assert await feed(bot, reschedule) == "reply"
    preview = followups(mock, reschedule)
    assert "Only organizers" not in visible_text(preview)
    assert "1 registrant will get the updated invitation" in visible_text(preview)
    # Nothing moves until the organizer presses Confirm on the preview.
    confirm = next(
        c["custom_id"]
        for request in preview
        for row in request.body.get("components", [])
        for c in row["components"]
        if c["custom_id"].startswith("s4b:confirm_change:")
    )
    shown = {**mock.messages[max(mock.messages)], "components": preview[0].body["components"]}
    press = payloads.component(
        shown | {"flags": 64}, confirm, user=payloads.JO, roles=[payloads.ORGANIZER_ROLE]
    )
    assert await feed(bot, press) == "reply"
    assert "The Summer session is now" in visible_text(followups(mock, press))
    await dispatcher(sqlite_core, bot, clock).drain()
    (patch,) = mock.find("PATCH", rf"/guilds/{GUILD}/scheduled-events/{summer_event['id']}")
    assert patch.body["scheduled_start_time"] == "2025-07-08T17:00:00+00:00"
    assert patch.body["entity_metadata"]["location"].startswith("Online")
    assert "zoom" not in str(patch.body).lower()
    # Ada, still registered for summer, gets the updated invitation.
    update = mock.find("POST", rf"/channels/{channel}/messages")[-1]
    assert "has moved" in visible_text([update])
    assert b"SEQUENCE:1" in update.files[0].data
