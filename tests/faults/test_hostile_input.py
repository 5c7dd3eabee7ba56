"""Random and hostile input into every command, form and button (hypothesis): no
unhandled exception, a clear reply every time, and the database's invariants intact."""

from __future__ import annotations

import asyncio
import re
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from s4b_bot.calendar.ics_import import parse_events
from s4b_bot.clock import SettableClock
from s4b_bot.conversation.ideas import MAX_IDEA, MIN_IDEA
from s4b_bot.core import Core
from s4b_bot.errors import UserError
from s4b_bot.invocation import Actor, FormSubmission, Invocation
from s4b_bot.output import Outcome
from s4b_bot.programme.recurrence import expand
from s4b_bot.routing.route import CommandRoute, Option
from s4b_bot.routing.routes import ROUTES
from s4b_bot.routing.textparse import parse_command
from s4b_bot.settings import Settings
from s4b_bot.validate import bad_character
from storage.db import Database, sqlite_url
from storage.models import Idea, ProgrammeSession, Registration
from tests.helpers import message_text

HOSTILE = [
    "@everyone",
    "@here",
    "<!channel>",
    "<!here|here>",
    "<@U123>",
    "<#C1>",
    "**bold** _x_ `code`",
    "\x00",
    "\x1b[31mred",
    "\u202eevil",
    "'; DROP TABLE registrations; --",
    "Let's",
    "Mary O'Brien",
    '"library"',
    "“curly” ‘single’ it’s",
    "pros -- cons",
    "../../etc/passwd",
    "2025-02-30",
    "9999-99-99T99:99",
    "America/Nowhere",
    "Etc/GMT+99",
    "#999999999999999999999",
    "s4b:register:99999",
    "spring spring spring",
    "x" * 5000,
    "🙂" * 300,
    "",
    "summer --session",
    "--session",
    "all",
    "none",
    "-1",
    "0",
    "1e309",
    "FREQ=DAILY;INTERVAL=0",
    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
]
ACTORS = [
    Actor("console", "local", "ada", "Ada"),
    Actor("console", "local", "jo", "Jo", is_organizer=True),
    Actor("slack", "T1", "U1", "<!channel>"),
]
words = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))
command_names = st.sampled_from([(c.root, c.name) for c in ROUTES.commands])


class Harness:
    """One core on one SQLite file, reused across examples (hypothesis runs many)."""

    def __init__(self, path: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.clock = SettableClock(datetime(2025, 4, 1, 12, tzinfo=UTC))
        self.core = Core(
            Database(sqlite_url(path)),
            clock=self.clock,
            settings=Settings(data_dir=path.parent, _env_file=None),
        )
        self.loop.run_until_complete(self.core.start())

    def run(self, coro: object) -> Outcome:
        return self.loop.run_until_complete(coro)  # type: ignore[arg-type]

    def close(self) -> None:
        self.loop.run_until_complete(self.core.db.dispose())
        self.loop.close()


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Harness]:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite3"
    shutil.copy(sqlite_template, path)
    instance = Harness(path)
    yield instance
    instance.close()


def assert_clear(outcome: Outcome) -> None:
    assert outcome.reply is not None or outcome.form is not None
    if outcome.reply is not None:
        text = message_text(outcome.reply)
        assert text.strip()
        assert "Something went wrong" not in text, text
        assert "Traceback" not in text


async def invariants(core: Core) -> None:
    async with core.db.transaction() as db:
        no_consent = await db.scalar(select(func.count()).where(Registration.consent.is_(False)))
        assert no_consent == 0
        blank = await db.scalar(select(func.count()).where(Registration.name == ""))
        assert blank == 0


fuzz = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@fuzz
@given(
    actor=st.sampled_from(ACTORS),
    words=st.lists(words, max_size=6),
    root=st.sampled_from(["s4b", "s4b-admin"]),
)
def test_typed_command_lines(harness: Harness, actor: Actor, words: list[str], root: str) -> None:
    assert_clear(harness.run(harness.core.run_text(actor, root, " ".join(words))))
    harness.run(invariants(harness.core))


@fuzz
@given(
    actor=st.sampled_from(ACTORS),
    command=command_names,
    values=st.dictionaries(
        st.sampled_from(
            [
                "session",
                "text",
                "zone",
                "scope",
                "setting",
                "details",
                "when",
                "title",
                "idea",
                "action",
                "detail",
                "reason",
                "report",
                "decision",
                "note",
                "seats",
                "order",
                "command",
                "first",
                "rule",
                "target",
                "bogus",
            ]
        ),
        words,
        max_size=4,
    ),
)
def test_typed_options_as_discord_sends_them(
    harness: Harness, actor: Actor, command: tuple[str, str], values: dict[str, str]
) -> None:
    root, name = command
    outcome = harness.run(harness.core.invoke(Invocation(actor, name, values, root=root)))
    assert_clear(outcome)
    harness.run(invariants(harness.core))


form_values = st.one_of(words, st.booleans(), st.none(), st.tuples(words, words), st.integers())


@fuzz
@given(
    actor=st.sampled_from(ACTORS),
    form_id=st.sampled_from(
        ["register", "summary:1", "summary:999", "report:1", "report:x", "nope", "summary:"]
    ),
    values=st.dictionaries(
        st.sampled_from(
            [
                "name",
                "about",
                "organization",
                "email",
                "sessions",
                "consent",
                "insights",
                "reason",
                "x",
            ]
        ),
        form_values,
        max_size=7,
    ),
)
def test_form_submissions(
    harness: Harness, actor: Actor, form_id: str, values: dict[str, object]
) -> None:
    outcome = harness.run(harness.core.submit(FormSubmission(actor, form_id, values)))  # type: ignore[arg-type]
    assert_clear(outcome)
    harness.run(invariants(harness.core))


@fuzz
@given(
    actor=st.sampled_from(ACTORS),
    action=st.one_of(
        words,
        st.builds(
            lambda v, n: f"s4b:{v}:{n}",
            st.sampled_from(
                [
                    "register",
                    "unregister",
                    "session",
                    "vote_up",
                    "vote_down",
                    "report",
                    "forget",
                    "evil",
                ]
            ),
            st.integers(-5, 10**12),
        ),
    ),
)
def test_buttons(harness: Harness, actor: Actor, action: str) -> None:
    assert_clear(harness.run(harness.core.press(actor, action)))
    harness.run(invariants(harness.core))


def mrkdwn_texts(node: object) -> list[str]:
    """Every mrkdwn text object's text, anywhere in a block tree."""
    if isinstance(node, dict):
        found = (
            [node["text"]]
            if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str)
            else []
        )
        return found + [t for value in node.values() for t in mrkdwn_texts(value)]
    if isinstance(node, list):
        return [t for item in node for t in mrkdwn_texts(item)]
    return []


MASS_MENTIONS = ("<!channel", "<!here", "<!everyone", "<!subteam", "<@U", "<#C")
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.sampled_from(list("@<>!&#|everyonhcaltU ")), max_size=40),
    st.text(max_size=60),
)


@fuzz
@given(
    parts=st.lists(hostile_text, min_size=1, max_size=4),
    title=hostile_text,
)
def test_no_mass_mention_ever_reaches_slack_or_discord(parts: list[str], title: str) -> None:
    """Whatever members type comes back in replies and posts (ideas, names, answers): the
    Slack renderer escapes it, and every Discord send carries allowed_mentions none."""
    from slack_sdk.models.blocks import Block

    from adapters.discord.render import render as discord_render
    from adapters.discord.views import message_kwargs
    from adapters.slack.render import render_message as slack_render
    from s4b_bot.output import Button, Card, Field, Message, Text

    message = Message(
        text=tuple(Text.of(p) for p in parts),
        cards=(
            Card(
                title=title or "x",
                body=(Text.of(*parts),),
                fields=(Field(title or "f", Text.of(parts[0])),),
                buttons=(Button(title or "b", "s4b:register:1"),),
            ),
        ),
    )
    for piece in slack_render(message):
        # Slack parses mentions in mrkdwn and in the notification text; plain_text is
        # shown as written, so a literal "<!channel>" there notifies no one.
        parsed = [
            piece.text,
            *mrkdwn_texts([b.to_dict() if isinstance(b, Block) else b for b in piece.blocks]),
        ]
        for text in parsed:
            for mention in MASS_MENTIONS:
                assert mention not in text, (mention, text)
    for chunk in discord_render(message):
        kwargs = message_kwargs(chunk)
        mentions = kwargs["allowed_mentions"]
        assert not mentions.everyone and not mentions.users and not mentions.roles


# Free text as people type it: apostrophes, straight and typographic quotes, `--`, emoji.
TRICKY_WORDS = [
    "Let's",
    "O'Brien",
    '"library"',
    '"unclosed',
    "“curly”",
    "‘single’",
    "it’s",
    "'",
    '"',
    "--",
    "pros -- cons",
    "--sessions",
    "—",
    "🙂🎉",
    "@everyone",
    "@./README.md",
    "<!here>",
]
free_text = (
    st.lists(
        st.one_of(
            st.sampled_from(TRICKY_WORDS),
            st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=12),
        ),
        min_size=1,
        max_size=10,
    )
    .map(" ".join)
    .filter(lambda text: bad_character(text) is None)
)


def positional(command: CommandRoute) -> list[Option]:
    return [o for o in command.options if o.kind != "file" and not o.keyword_only]


def leading_word(option: Option) -> str:
    """A valid word for an option that comes before the free text."""
    return {"choice": option.choices[0] if option.choices else "", "session": "spring"}.get(
        option.kind, "1"
    )


FREE_TEXT_COMMANDS = [
    (c, " ".join([c.name, *(leading_word(o) for o in positional(c)[:-1])]))
    for c in ROUTES.commands
    if positional(c) and positional(c)[-1].kind == "text"
]


def has_keyword(command: CommandRoute, text: str) -> bool:
    """Whether `text` carries one of the command's `--name` options as a word of its own."""
    return any(
        re.search(rf"(?<!\S)--{o.name}(?!\S)", text) for o in command.options if o.keyword_only
    )


@fuzz
@given(typed=st.sampled_from(FREE_TEXT_COMMANDS), text=free_text)
def test_free_text_round_trips_verbatim_in_every_command(
    typed: tuple[CommandRoute, str], text: str
) -> None:
    """Every command whose last option is free text gets that text exactly as typed."""
    command, prefix = typed
    option = positional(command)[-1]
    text = text[: option.max_length].strip()
    assume(text and not has_keyword(command, text))
    parsed, args = parse_command(ROUTES, command.root, f"{prefix} {text}")
    assert parsed is command
    assert args[option.name] == text


def test_every_free_text_command_is_covered() -> None:
    names = {c.name for c, _ in FREE_TEXT_COMMANDS}
    assert {"idea", "report", "session call", "session cancel", "attendance"} <= names


@fuzz
@given(text=free_text)
def test_idea_and_call_details_are_stored_as_typed(harness: Harness, text: str) -> None:
    """Through the core, as Slack and the console send them: stored verbatim."""
    text = text[:MAX_IDEA].strip()
    assume(len(text) >= MIN_IDEA and not re.search(r"(?<!\S)--session(?!\S)", text))
    ada, jo = ACTORS[0], ACTORS[1]
    assert_clear(harness.run(harness.core.run_text(ada, "s4b", f"idea {text}")))
    assert_clear(harness.run(harness.core.run_text(jo, "s4b-admin", f"session call fall {text}")))
    harness.run(stored_as_typed(harness.core, text))


async def stored_as_typed(core: Core, text: str) -> None:
    async with core.db.transaction() as db:
        idea = await db.scalar(select(Idea.text).order_by(Idea.id.desc()).limit(1))
        call = await db.scalar(
            select(ProgrammeSession.call_details).where(ProgrammeSession.season == "Fall")
        )
    assert (idea, call) == (text, text)


# --- repeat rules and imported times: bounded work, a clear refusal --------------------------

CPU_BOUND = 1.0
"""Seconds of CPU one rule or one file may cost; hostile ones once took 4 to 14 s."""
numbers = st.one_of(
    st.integers(-400, 400).map(str), st.sampled_from(["0", "-0", "99999999999999999999", "x"])
)
rule_parts = st.dictionaries(
    st.sampled_from(
        [
            *("INTERVAL", "COUNT", "UNTIL", "BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO"),
            *("BYSETPOS", "BYDAY", "BYHOUR", "WKST"),
        ]
    ),
    st.one_of(
        numbers,
        st.lists(numbers, min_size=1, max_size=4).map(",".join),
        st.sampled_from(["MO", "-1TU", "5FR,1SA", "20260101", "99991231T235959Z", ""]),
    ),
    max_size=5,
)


@settings(max_examples=60, deadline=None)
@given(
    freq=st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY", ""]),
    parts=rule_parts,
    first_day=st.dates(
        min_value=datetime(2020, 1, 1).date(), max_value=datetime(9999, 1, 1).date()
    ),
)
def test_any_repeat_rule_gives_a_bounded_series_or_a_reason_quickly(
    freq: str, parts: dict[str, str], first_day: object
) -> None:
    first = datetime.fromisoformat(f"{first_day}T13:00").replace(tzinfo=ZoneInfo("Europe/Paris"))
    rule = ";".join(f"{name}={value}" for name, value in {"FREQ": freq, **parts}.items())
    started = time.process_time()
    try:
        starts = expand(first, rule)
    except UserError as refused:
        assert str(refused).strip()
    else:
        assert 1 <= len(starts) <= 12
        assert starts == sorted(set(starts)) and starts[0] == first
        assert starts[-1] <= first + relativedelta(years=5)
        assert {(s.hour, s.minute) for s in starts} <= {(13, 0), (14, 0)}  # 14:00 if DST skips
    assert time.process_time() - started < CPU_BOUND, rule


ics_times = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(
        lambda moment: moment.strftime("%Y%m%dT%H%M%S").zfill(15)
    ),
    st.sampled_from(["99991231T235959Z", "00010101T000000Z", "20260428T170000Z"]),
)
durations = st.one_of(
    st.integers(-(10**12), 10**12).map(
        lambda seconds: f"{'-' if seconds < 0 else ''}PT{abs(seconds)}S"
    ),
    st.sampled_from(["P999999W", "P1D", "PT24H", "PT25H", "P99999999999999999999D", "PT"]),
)


@settings(max_examples=80, deadline=None)
@given(start=ics_times, end=st.one_of(st.none(), ics_times), length=st.one_of(st.none(), durations))
def test_any_imported_start_end_and_duration_give_a_session_or_a_reason(
    start: str, end: str | None, length: str | None
) -> None:
    lines = ["BEGIN:VEVENT", "UID:1", "SUMMARY:Circle", f"DTSTART:{start}"]
    lines += [f"DTEND:{end}"] if end is not None else []
    lines += [f"DURATION:{length}"] if length is not None else []
    data = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", *lines, "END:VEVENT", "END:VCALENDAR"])
    try:
        [event] = parse_events(data.encode(), default_zone="America/Toronto")
    except UserError as refused:
        assert str(refused).strip()
    else:
        assert timedelta(0) < event.ends_at - event.starts_at <= timedelta(hours=24)
