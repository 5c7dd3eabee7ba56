"""Parse a typed command line (`/s4b register spring`) against the catalogue."""

from __future__ import annotations

import shlex

from s4b_bot.catalogue import Catalogue, Command
from s4b_bot.errors import UserError
from s4b_bot.invocation import ArgValue
from s4b_bot.validate import bad_character, is_time_of_day

MAX_LINE = 4_000


def split_words(text: str) -> list[str]:
    if len(text) > MAX_LINE:
        raise UserError(
            f"That command is {len(text):,} characters long; the limit is {MAX_LINE:,}."
        )
    found = bad_character(text)
    if found:
        raise UserError(f"That command contains a control character ({found}); please remove it.")
    try:
        return shlex.split(text)
    except ValueError:
        raise UserError("A quotation mark is not closed; check the quotes and try again.") from None


def parse_command(
    catalogue: Catalogue, root: str, text: str
) -> tuple[Command, dict[str, ArgValue]]:
    """Find the command and bind its options in order.

    The last option takes the rest of the line when it is free text, a session
    reference or a time, so `/s4b session social infrastructure` needs no quotes.
    Elsewhere a time takes its date and the time of day after it: `2026-04-28 13:00`.
    """
    words = split_words(text)
    if not words:
        words = ["help"]
    command, rest = catalogue.match(root, words)
    raw: dict[str, ArgValue] = {}
    for option in command.options:
        if option.keyword_only and f"--{option.name}" in rest:
            at = rest.index(f"--{option.name}")
            if at + 1 >= len(rest):
                raise UserError(f"`--{option.name}` needs a value. {command.hint}")
            raw[option.name] = rest[at + 1]
            del rest[at : at + 2]
    typed = [o for o in command.options if o.kind != "file" and not o.keyword_only]
    for index, option in enumerate(typed):
        if not rest:
            break
        is_last = index == len(typed) - 1
        if is_last and option.kind in ("text", "session", "when"):
            raw[option.name] = " ".join(rest)
            rest = []
        elif option.kind == "when" and len(rest) > 1 and is_time_of_day(rest[1]):
            raw[option.name] = f"{rest.pop(0)} {rest.pop(0)}"  # a date, then its time of day
        else:
            raw[option.name] = rest.pop(0)
    if rest:
        extra = " ".join(rest)
        extra = extra if len(extra) <= 40 else extra[:40] + "…"
        raise UserError(f"`{command.name}` does not take {extra!r}. {command.hint}")
    return command, command.check_args(raw)
