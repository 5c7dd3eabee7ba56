"""The command catalogue: every command declared once, as data.

Adapters build their surfaces from it (Slack and the console parse text against it;
Discord builds application commands from it) and `help` is generated from it.
"""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from s4b_bot import validate
from s4b_bot.errors import UserError
from s4b_bot.invocation import ArgValue
from s4b_bot.words import not_a_choice

if TYPE_CHECKING:
    from s4b_bot.context import Context
    from s4b_bot.output import Outcome

MEMBER_ROOT = "s4b"
ORGANIZER_ROOT = "s4b-admin"

OptionKind = Literal["session", "text", "when", "zone", "choice", "file"]
""""when" is a date and time: typed, it is one word or two (`2026-04-28 13:00`)."""
Audience = Literal["member", "organizer"]
AuditPolicy = Literal["change", "export", "none"]
"""What a successful run leaves in the audit log: "change" (it changes state) and "export"
(it hands out personal data) leave one entry, written by the core; "none" (it only shows)."""
Args = Mapping[str, ArgValue]
Handler = Callable[["Context", Args], Awaitable["Outcome"]]


@dataclass(frozen=True)
class Option:
    name: str
    kind: OptionKind
    description: str
    required: bool = False
    max_length: int = 100
    choices: tuple[str, ...] = ()
    """For kind "choice": the accepted words. For kinds "session" and "zone": extra words
    like "all" or "off"."""
    keyword_only: bool = False
    """Typed as `--name value` (after free text it could not be told apart otherwise)."""
    label: str = ""
    """What a message calls it, as a sentence starts ("Call details"); "The <name>" if unset."""

    @property
    def placeholder(self) -> str:
        inner = self.name if not self.choices else "|".join((self.name, *self.choices))
        if self.kind == "choice":
            inner = "|".join(self.choices)
        if self.keyword_only:
            inner = f"--{self.name} {self.name}"
        return f"<{inner}>" if self.required else f"[{inner}]"


@dataclass(frozen=True)
class Command:
    name: str
    """One or more words: "sessions", "session call"."""
    summary: str
    handler: Handler
    options: tuple[Option, ...] = ()
    audience: Audience = "member"
    example: str | None = None
    audit: AuditPolicy | None = None
    """Required of organizer commands (the catalogue refuses to load without it)."""

    @property
    def audited(self) -> bool:
        """Whether a successful run leaves an audit entry."""
        return self.audit in ("change", "export")

    @property
    def root(self) -> str:
        return ORGANIZER_ROOT if self.audience == "organizer" else MEMBER_ROOT

    @property
    def usage(self) -> str:
        parts = [f"/{self.root} {self.name}", *(o.placeholder for o in self.options)]
        return " ".join(parts)

    def check_args(self, raw: Mapping[str, ArgValue]) -> dict[str, ArgValue]:
        """Validate typed or parsed arguments; unknown, missing or bad ones raise UserError."""
        unknown = set(raw) - {o.name for o in self.options}
        if unknown:
            raise UserError(f"`{self.name}` has no option {sorted(unknown)[0]!r}. {self.hint}")
        args: dict[str, ArgValue] = {}
        for option in self.options:
            if option.kind == "file":
                continue  # files travel beside the arguments (Invocation.files)
            value = raw.get(option.name)
            if value is None or (isinstance(value, str) and not value.strip()):
                if option.required:
                    raise UserError(
                        f"`{self.name}` needs {option.description.lower()}. {self.hint}"
                    )
                args[option.name] = None
                continue
            text = str(value)
            label = option.label or f"The {option.name}"
            if option.kind == "zone":
                word = text.strip().lower()
                args[option.name] = word if word in option.choices else validate.clean_zone(text)
            elif option.kind == "choice":
                word = validate.clean_text(label, text, max_length=option.max_length).lower()
                if word not in option.choices:
                    raise UserError(f"{not_a_choice(text, option.choices)} {self.hint}")
                args[option.name] = word
            else:
                args[option.name] = validate.clean_text(label, text, max_length=option.max_length)
        return args

    @property
    def hint(self) -> str:
        return f"Usage: `{self.usage}`"


class Catalogue:
    """All commands, looked up by root and name."""

    def __init__(self, commands: Iterable[Command]) -> None:
        self.commands = tuple(commands)
        self._by_key = {(c.root, c.name): c for c in self.commands}
        if len(self._by_key) != len(self.commands):
            raise ValueError("two commands share a name")
        undeclared = [c.name for c in self.commands if c.audience == "organizer" and not c.audit]
        if undeclared:
            raise ValueError(f"organizer commands without an audit policy: {undeclared}")

    def get(self, root: str, name: str) -> Command:
        try:
            return self._by_key[(root, name)]
        except KeyError:
            raise UserError(self.unknown_message(root, name)) from None

    def find(self, root: str, name: str) -> Command | None:
        return self._by_key.get((root, name))

    def for_root(self, root: str) -> tuple[Command, ...]:
        return tuple(c for c in self.commands if c.root == root)

    def match(self, root: str, words: list[str]) -> tuple[Command, list[str]]:
        """The command named by the longest run of leading words, and the words left over."""
        for size in range(min(3, len(words)), 0, -1):
            name = " ".join(words[:size]).lower()
            if (root, name) in self._by_key:
                return self._by_key[(root, name)], words[size:]
        raise UserError(self.unknown_message(root, words[0] if words else ""))

    def unknown_message(self, root: str, name: str) -> str:
        names = sorted(
            {c.name for c in self.for_root(root)} | {c.name.split()[0] for c in self.for_root(root)}
        )
        close = difflib.get_close_matches(name.lower(), names, n=3, cutoff=0.5)
        shown = name if len(name) <= 40 else name[:40] + "…"
        suggestion = f" Did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
        return f"There is no `/{root} {shown}` command.{suggestion} Try `/{root} help`."
