"""The Discord command tree, built from the core's route table: `/s4b` and `/s4b-admin`.

Naming rule (proved by tests/adapters/discord/test_tree.py):

- a one-word command is a subcommand: "sessions" → `/s4b sessions`;
- a multi-word command is a subcommand of a group named by its first word:
  "session call" → `/s4b-admin session call`;
- unless that first word is also a command of the same root (Discord cannot make one name
  both a command and a group): then the words are hyphenated into one subcommand,
  "calendar feed" → `/s4b calendar-feed`. The renderer rewrites the core's usage texts
  accordingly (`discord_names`), so help shows what to type on Discord.

Descriptions are the route table's, made plain text (`command_text`): Discord shows Markdown
in command and option descriptions literally, so a code span becomes a quoted word ("all")
or a bare command (/s4b values), named as on Discord.

Options keep the routes' names, descriptions, order, required flags and max lengths;
`choice` options get Discord choices, `session` and `zone` options autocomplete, `file`
options are attachments. `/s4b-admin` is hidden from members by default_member_permissions
(Manage Events), which only hides it: the core decides, by the organizer role.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Optional, Protocol, cast

import discord
from discord import app_commands

from adapters.discord.limits import DESCRIPTION
from adapters.discord.render import rename_commands
from s4b_bot import MEMBER_ROOT, ORGANIZER_ROOT, CommandRoute, Option, RouteTable, clip

ROOT_DESCRIPTIONS = {
    MEMBER_ROOT: "The S4B working group: sessions, registration, reminders. Start with /s4b help.",
    ORGANIZER_ROOT: "Organizer commands for the S4B working group.",
}
ORGANIZER_PERMISSIONS = discord.Permissions(manage_events=True)
_CODE_SPAN = re.compile(r"`([^`\n]*)`")


class CommandHandler(Protocol):
    async def run_command(
        self, interaction: discord.Interaction[Any], command: CommandRoute, options: dict[str, Any]
    ) -> None: ...

    async def complete(
        self,
        interaction: discord.Interaction[Any],
        command: CommandRoute,
        option: Option,
        typed: str,
    ) -> list[app_commands.Choice[str]]: ...


@dataclass(frozen=True)
class Path:
    """Where a command route lives on Discord."""

    root: str
    words: tuple[str, ...]
    """("sessions",), ("session", "call"), ("calendar-feed",)."""

    @property
    def usage(self) -> str:
        return "/" + " ".join((self.root, *self.words))


def discord_path(routes: RouteTable, command: CommandRoute) -> Path:
    words = command.name.split()
    if len(words) == 1:
        return Path(command.root, (words[0],))
    if routes.find(command.root, words[0]) is not None:
        return Path(command.root, ("-".join(words),))
    return Path(command.root, (words[0], "-".join(words[1:])))


def discord_names(routes: RouteTable) -> dict[str, str]:
    """Core usage → Discord usage, for the commands whose names differ."""
    names = {}
    for command in routes.commands:
        core = f"/{command.root} {command.name}"
        usage = discord_path(routes, command).usage
        if usage != core:
            names[core] = usage
    return names


def command_text(text: str, names: Mapping[str, str]) -> str:
    """A route's text as a command or option description: plain text (Discord does not
    format Markdown there), commands named as on Discord, at most `DESCRIPTION` characters."""

    def plain(span: re.Match[str]) -> str:
        code = span.group(1)
        return code if code.startswith("/") else f"“{code}”"

    return clip(_CODE_SPAN.sub(plain, rename_commands(text, names)).replace("`", ""), DESCRIPTION)


def _annotation(option: Option) -> Any:
    if option.kind == "file":
        base: Any = discord.Attachment
    else:
        base = app_commands.Range[str, None, option.max_length]
    return base if option.required else Optional[base]  # noqa: UP045 (evaluated by discord.py)


def _callback(
    command: CommandRoute, handler: CommandHandler, names: Mapping[str, str]
) -> Callable[..., Awaitable[None]]:
    async def callback(interaction: discord.Interaction[Any], **options: Any) -> None:
        await handler.run_command(interaction, command, options)

    parameters = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        )
    ]
    for option in command.options:
        parameters.append(
            inspect.Parameter(
                option.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=_annotation(option),
                default=inspect.Parameter.empty if option.required else None,
            )
        )
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    callback.__name__ = callback.__qualname__ = command.name.replace(" ", "_").replace("-", "_")
    app_commands.describe(**{o.name: command_text(o.description, names) for o in command.options})(
        callback
    )
    choices = {
        o.name: [app_commands.Choice(name=c, value=c) for c in o.choices]
        for o in command.options
        if o.kind == "choice" and o.choices
    }
    if choices:
        app_commands.choices(**choices)(callback)
    completers: dict[str, Any] = {
        o.name: _completer(command, o, handler)
        for o in command.options
        if o.kind in ("session", "zone")
    }
    if completers:
        app_commands.autocomplete(**completers)(callback)
    return callback


def _completer(
    command: CommandRoute, option: Option, handler: CommandHandler
) -> Callable[[discord.Interaction[Any], str], Awaitable[list[app_commands.Choice[str]]]]:
    async def complete(
        interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await handler.complete(interaction, command, option, current)

    return complete


def build_groups(routes: RouteTable, handler: CommandHandler) -> list[app_commands.Group]:
    """`/s4b` and `/s4b-admin`, with every command of the route table under them."""
    names = discord_names(routes)
    roots: dict[str, app_commands.Group] = {}
    subgroups: dict[tuple[str, str], app_commands.Group] = {}
    for root in (MEMBER_ROOT, ORGANIZER_ROOT):
        organizer = root == ORGANIZER_ROOT
        roots[root] = app_commands.Group(
            name=root,
            description=ROOT_DESCRIPTIONS[root],
            guild_only=True,
            allowed_contexts=app_commands.AppCommandContext(guild=True),
            default_permissions=ORGANIZER_PERMISSIONS if organizer else None,
        )
    for command in routes.commands:
        path = discord_path(routes, command)
        parent = roots[path.root]
        if len(path.words) == 2:
            key = (path.root, path.words[0])
            if key not in subgroups:
                members = [
                    discord_path(routes, c).words[1]
                    for c in routes.for_root(path.root)
                    if discord_path(routes, c).words[0] == path.words[0]
                    and len(discord_path(routes, c).words) == 2
                ]
                subgroups[key] = app_commands.Group(
                    name=path.words[0],
                    description=clip(
                        f"{path.words[0].capitalize()}: {', '.join(members)}.", DESCRIPTION
                    ),
                    parent=parent,  # adds itself to the parent
                )
            parent = subgroups[key]
        parent.add_command(
            app_commands.Command(
                name=path.words[-1],
                description=command_text(command.summary, names),
                callback=cast(Any, _callback(command, handler, names)),
                parent=parent,
                extras={"s4b_command": command},
            )
        )
    return list(roots.values())


def walk_commands(
    groups: list[app_commands.Group],
) -> Mapping[str, app_commands.Command[Any, ..., Any]]:
    """Every leaf command by its full Discord name ("s4b-admin session call")."""
    found: dict[str, app_commands.Command[Any, ..., Any]] = {}
    for group in groups:
        for item in group.walk_commands():
            if isinstance(item, app_commands.Command):
                found[item.qualified_name] = item
    return found


class S4BCommandTree(app_commands.CommandTree[Any]):
    """The tree with one check (expired interactions are skipped) and one error hook."""

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        accept = getattr(self.client, "s4b", None)
        return True if accept is None else bool(await accept.accept(interaction))

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        on_error = getattr(self.client, "on_tree_error", None)
        if on_error is not None:
            await on_error(interaction, error)
        else:  # pragma: no cover - S4BClient always has it
            await super().on_error(interaction, error)
