"""The Discord command tree matches the core's catalogue: same commands, options, help."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from adapters.discord import S4BClient
from adapters.discord.render import render
from adapters.discord.tree import command_text, discord_names, discord_path, walk_commands
from s4b_bot.output import Message
from s4b_bot.routing.route import MEMBER_ROOT, ORGANIZER_ROOT
from s4b_bot.routing.routes import ROUTES
from tests.adapters.discord import payloads, spec
from tests.adapters.discord.conftest import feed, followups, visible_text
from tests.adapters.discord.mock_discord import MockDiscord

OPTION_TYPES = {
    "session": discord.AppCommandOptionType.string,
    "text": discord.AppCommandOptionType.string,
    "when": discord.AppCommandOptionType.string,
    "zone": discord.AppCommandOptionType.string,
    "choice": discord.AppCommandOptionType.string,
    "file": discord.AppCommandOptionType.attachment,
}


def test_command_names_follow_one_rule() -> None:
    paths = {(c.root, c.name): discord_path(ROUTES, c).usage for c in ROUTES.commands}
    assert paths[(MEMBER_ROOT, "sessions")] == "/s4b sessions"
    assert paths[(ORGANIZER_ROOT, "session call")] == "/s4b-admin session call"
    assert paths[(ORGANIZER_ROOT, "session reschedule")] == "/s4b-admin session reschedule"
    # "calendar" is a command itself, so "calendar feed" cannot make it a group.
    assert paths[(MEMBER_ROOT, "calendar")] == "/s4b calendar"
    assert paths[(MEMBER_ROOT, "calendar feed")] == "/s4b calendar-feed"
    assert len(set(paths.values())) == len(paths)  # no two commands collide
    for command in ROUTES.commands:
        words = command.name.split()
        first_is_command = ROUTES.find(command.root, words[0]) is not None
        expected = (
            [command.root, *words]
            if len(words) == 1 or not first_is_command
            else [command.root, "-".join(words)]
        )
        assert paths[(command.root, command.name)] == "/" + " ".join(expected)


def test_tree_matches_the_catalogue(bot: S4BClient) -> None:
    assert bot.tree.get_commands() == []  # no global command: only the configured server's
    server = discord.Object(payloads.GUILD_ID)
    groups = [g for g in bot.tree.get_commands(guild=server) if isinstance(g, app_commands.Group)]
    assert sorted(g.name for g in groups) == [MEMBER_ROOT, ORGANIZER_ROOT]
    leaves = walk_commands(groups)
    expected = {discord_path(ROUTES, c).usage.removeprefix("/"): c for c in ROUTES.commands}
    assert set(leaves) == set(expected)  # same commands, nothing more
    names = discord_names(ROUTES)
    for name, command in expected.items():
        app = leaves[name]
        assert app.description == command_text(command.summary, names)  # the same help
        assert [p.name for p in app.parameters] == [o.name for o in command.options]
        for parameter, option in zip(app.parameters, command.options, strict=True):
            assert parameter.description == command_text(option.description, names)
            assert parameter.required == option.required
            assert parameter.type == OPTION_TYPES[option.kind]
            if option.kind != "file":
                assert parameter.max_value == option.max_length  # max_length for strings
            if option.kind == "choice":
                assert [c.value for c in parameter.choices] == list(option.choices)
            assert parameter.autocomplete == (option.kind in ("session", "zone"))


def test_synced_payload_hides_organizer_commands_and_fits_discord(
    bot: S4BClient, mock: MockDiscord
) -> None:
    (put,) = mock.find("PUT", rf"/applications/\d+/guilds/{payloads.GUILD_ID}/commands")
    spec.validate("bulk_set_guild_application_commands", put.body)
    by_name: dict[str, Any] = {c["name"]: c for c in put.body}
    manage_events = discord.Permissions(manage_events=True).value
    assert by_name["s4b-admin"]["default_member_permissions"] == manage_events
    assert by_name["s4b"]["default_member_permissions"] is None
    assert by_name["s4b"]["contexts"] == [0] == by_name["s4b-admin"]["contexts"]  # guild only
    session = next(o for o in by_name["s4b-admin"]["options"] if o["name"] == "session")
    assert session["type"] == 2  # a subcommand group
    call = next(o for o in session["options"] if o["name"] == "call")
    details = next(o for o in call["options"] if o["name"] == "details")
    assert (details["max_length"], details["required"]) == (1_000, True)
    register = next(o for o in by_name["s4b"]["options"] if o["name"] == "register")
    assert register["options"][0]["autocomplete"] is True


def test_usage_texts_name_the_discord_commands() -> None:
    names = discord_names(ROUTES)
    assert names["/s4b calendar feed"] == "/s4b calendar-feed"
    for core_usage, discord_usage in names.items():  # only ever hyphenated
        root, rest = core_usage.split(" ", 1)
        assert discord_usage == f"{root} {rest.replace(' ', '-')}"
    (chunk,) = render(Message.plain("Try `/s4b calendar feed reset` or `/s4b calendar`."), names)
    assert chunk.content == "Try `/s4b calendar-feed reset` or `/s4b calendar`."


async def test_help_on_discord_lists_what_to_type(bot: S4BClient, mock: MockDiscord) -> None:
    payload = payloads.command("s4b", "help")
    assert await feed(bot, payload) == "reply"
    text = visible_text(followups(mock, payload))
    assert "/s4b calendar-feed" in text
    assert "/s4b calendar feed" not in text
    for command in ROUTES.for_root(MEMBER_ROOT):
        assert command.summary.split("`")[0][:30] in text.replace("\\", "")


def descriptions(item: dict[str, Any]) -> list[str]:
    """Every description in a synced command, its groups' and options' included."""
    found = [item.get("description") or ""]
    for option in item.get("options") or []:
        found += descriptions(option)
    return found


def test_descriptions_are_plain_text_as_discord_shows_them(
    bot: S4BClient, mock: MockDiscord
) -> None:
    """Discord does not format Markdown in command and option descriptions."""
    (put,) = mock.find("PUT", rf"/applications/\d+/guilds/{payloads.GUILD_ID}/commands")
    every = [d for command in put.body for d in descriptions(command)]
    assert len(every) > 60
    assert [d for d in every if "`" in d] == []
    leaves = walk_commands(
        [
            g
            for g in bot.tree.get_commands(guild=discord.Object(payloads.GUILD_ID))
            if isinstance(g, app_commands.Group)
        ]
    )
    assert leaves["s4b sessions"].description == "The upcoming sessions (“all” includes past ones)."
    assert leaves["s4b report"].description.endswith("breaks the guidelines (/s4b values).")
    setting = leaves["s4b reminders"].get_parameter("setting")
    assert setting is not None and setting.description == "“off”, “on”, or times like “7d,1d,1h”"


def test_command_text_names_discord_commands_and_fits_100_characters() -> None:
    names = {"/s4b calendar feed": "/s4b calendar-feed"}
    assert command_text("See `/s4b calendar feed` or `reset`.", names) == (
        "See /s4b calendar-feed or “reset”."
    )
    assert command_text("A stray ` backtick", names) == "A stray  backtick"
    assert len(command_text("`x` " * 40, names)) == 100
