"""Parse a typed command line (`/s4b register spring`) against the route table.

Free text is taken verbatim. Only the words before it are split: the command's name, then
one word for each option that comes before the last one (quotes, straight or typographic,
group several words into one: `"social infrastructure"`). The last option, when it is free
text or a session, takes the rest of the line exactly as typed: apostrophes, quotes, `--`
and all. A keyword option (`--session summer`) is read at the end of the line only, where
its value is everything after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice

from s4b_bot.errors import UserError
from s4b_bot.invocation import ArgValue
from s4b_bot.routing.route import CommandRoute, Option
from s4b_bot.routing.table import RouteTable
from s4b_bot.validate import bad_character_problem, is_time_of_day

MAX_LINE = 4_000
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’"}
"""Opening quote → its closing quote, for grouping the words of one leading argument."""
_WORD = re.compile(r"\S+")
_MERIDIEMS = frozenset({"am", "pm", "a.m.", "p.m."})
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def check_line(text: str) -> None:
    """Refuse a line that is too long or carries control or invisible characters."""
    if len(text) > MAX_LINE:
        raise UserError(
            f"That command is {len(text):,} characters long; the limit is {MAX_LINE:,}."
        )
    problem = bad_character_problem(text)
    if problem:
        raise UserError(f"That command contains {problem}; please remove it.")


def unquote(text: str) -> str:
    """`"social infrastructure"` → `social infrastructure`; anything else as it is."""
    close = _QUOTES.get(text[:1])
    if close is None or len(text) < 2 or not text.endswith(close):
        return text
    inner = text[1:-1]
    return text if re.search(re.escape(close) + r"\s", inner) else inner


@dataclass
class _Rest:
    """What is left of the line, read from the left one argument at a time."""

    text: str

    def take_word(self) -> str | None:
        """The next word, or the next quoted group of words; None at the end of the line."""
        text = self.text.lstrip()
        if not text:
            return None
        close = _QUOTES.get(text[0])
        if close is None:
            word = _WORD.match(text)
            assert word is not None  # text is stripped and not empty
            self.text = text[word.end() :]
            return word.group()
        # The closing quote is the one that ends a word, so `"Mary O'Brien"` stays one.
        end = re.search(re.escape(close) + r"(?=\s|$)", text[1:])
        if end is None:
            raise UserError("A quotation mark is not closed; check the quotes and try again.")
        self.text = text[end.end() + 1 :]
        return text[1 : end.start() + 1]

    def take_plain(self) -> str | None:
        """The next word as it is, quotes and all: a time of day is never quoted, and a
        look-ahead for one must not stumble on the quotes of the free text after it."""
        word = _WORD.match(self.text.lstrip())
        if word is None:
            return None
        self.text = self.text.lstrip()[word.end() :]
        return word.group()

    def take_when(self) -> str | None:
        """A date and, when the next words are one, its time of day: `2026-04-28 1:30 p.m.`."""
        date = self.take_word()
        parts = [date] if date is not None else []
        before = self.text
        hour, half = self.take_plain(), self.take_plain()
        if hour is not None and not is_time_of_day(hour) and hour[:1].isdigit():
            # `1 pm` is one time of day; `13h` stays with the date so its refusal names it.
            if half is not None and half.lower() in _MERIDIEMS:
                return " ".join([*parts, hour, half])
            if date is not None and _DATE.fullmatch(date):
                self.text = before
                self.take_plain()
                return " ".join([*parts, hour])
        self.text = before
        for accepts in (is_time_of_day, lambda word: word.lower() in _MERIDIEMS):
            before = self.text
            word = self.take_plain()
            if word is None or not accepts(word):
                self.text = before
                break
            parts.append(word)
        return " ".join(parts) or None

    def take_all(self) -> str:
        text, self.text = self.text.strip(), ""
        return text

    def take_keyword(self, option: Option, command: CommandRoute) -> str | None:
        """`--name value` at the end of the line: the value, cut off with its keyword."""
        found = list(re.finditer(rf"(?<!\S)--{re.escape(option.name)}(?!\S)", self.text))
        if not found:
            return None
        value = unquote(self.text[found[-1].end() :].strip())
        if not value:
            raise UserError(f"`--{option.name}` needs a value. {command.hint}")
        self.text = self.text[: found[-1].start()]
        return value


def parse_command(
    routes: RouteTable, root: str, text: str
) -> tuple[CommandRoute, dict[str, str | None]]:
    """Find the command and bind its options in order.

    The last option takes the rest of the line when it is free text, a session reference
    or a time, so `/s4b session social infrastructure` and `/s4b idea Let's meet "here"`
    need no quotes, and the idea is stored as typed. Elsewhere a time takes its date and
    the time of day after it: `2026-04-28 13:00 Community circle`.
    """
    check_line(text)
    if not text.strip():
        text = "help"
    words = list(islice(_WORD.finditer(text), 3))  # a command's name has at most three
    command, left = routes.match(root, [w.group() for w in words])
    rest = _Rest(text[words[len(words) - len(left) - 1].end() :])
    raw: dict[str, ArgValue] = {}
    for option in command.options:
        if option.keyword_only:
            raw[option.name] = rest.take_keyword(option, command)
    typed = [o for o in command.options if o.kind != "file" and not o.keyword_only]
    for index, option in enumerate(typed):
        if index == len(typed) - 1 and option.kind in ("text", "session", "when"):
            value = rest.take_all()
            raw[option.name] = unquote(value) if option.kind == "session" else value
        elif option.kind == "when":
            raw[option.name] = rest.take_when()
        else:
            raw[option.name] = rest.take_word()
    extra = rest.take_all()
    if extra:
        extra = extra if len(extra) <= 40 else extra[:40] + "…"
        raise UserError(f"`{command.name}` does not take {extra!r}. {command.hint}")
    return command, command.check_args(raw)
