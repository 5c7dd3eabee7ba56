"""The console adapter: a terminal chat that speaks the same commands as Slack and Discord.

Interactive on a terminal; otherwise it reads a script, one command a line, where the
lines after a command that opens a form answer it (`field: value`, up to an empty line).
Console-only lines: `/clock [+7d | 2025-04-22T12:00]`, `/as NAME [--organizer]`,
`/press N` (the Nth button shown last), `/dms off|on` (close or open your direct messages:
DMs to you then fail, as when a member closes them), `/say <post> <text>` (a message in the
thread under a post), `/report-message <message> [reason]` (the message gesture), `/quit`;
`#` starts a comment. A command that takes a file (`/s4b-admin session import`,
`/s4b-admin summary`) takes it as its last word, `@path`; anywhere else `@` is just text
(`@everyone` in an idea stays in the idea).
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from adapters.console.forms import AnswerError, parse_answer
from adapters.console.platform import ConsolePlatform
from adapters.console.render import describe_field, render_form, render_message
from adapters.console.threads import HOW, REPORT
from s4b_bot import (
    MEMBER_ROOT,
    ORGANIZER_ROOT,
    Actor,
    Attachment,
    Core,
    Dispatcher,
    Form,
    FormSubmission,
    FormValue,
    Message,
    Outcome,
    RouteTable,
    SettableClock,
    UserError,
    as_utc,
    format_span,
    format_stamp,
)

PLATFORM = "console"
COMMUNITY = "local"
_STEP = re.compile(r"(\d+)([wdhm])")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}
_CLOCK_HELP = "use +7d, +1d12h, -2h or a time like 2025-04-22T12:00"
MSG_NOT_ORGANIZER = (
    "Only organizers can use `/{root}`. In the console, type as one with "
    "`/as NAME --organizer`, or start the console with `--organizer` "
    "(`bot.py console --as Jo --organizer`)."
)
"""The console's words for the core's refusal of an organizer route (`organizers_only`)."""
Answer = Callable[[Form], Awaitable[dict[str, FormValue]]]
"""Fills in a form: from the script's next lines, or by asking at the terminal."""


def console_actor(name: str, *, organizer: bool) -> Actor:
    user_id = re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-") or "member"
    return Actor(PLATFORM, COMMUNITY, user_id, name.strip() or "member", is_organizer=organizer)


def parse_clock(text: str, now: datetime) -> datetime:
    """`+7d`, `+1d12h`, `-2h`, or an ISO time (UTC unless it carries an offset)."""
    text = text.strip()
    if text[:1] in "+-":
        steps = _STEP.findall(text[1:])
        if not steps or "".join(n + u for n, u in steps) != text[1:]:
            raise ValueError(_CLOCK_HELP)
        try:
            delta = sum((timedelta(**{_UNITS[u]: int(n)}) for n, u in steps), timedelta())
            return now + delta if text[0] == "+" else now - delta
        except OverflowError:
            raise ValueError("that is further than the calendar goes") from None
    try:
        return as_utc(datetime.fromisoformat(text))
    except ValueError:
        raise ValueError(f"{text!r} is not a time; {_CLOCK_HELP}") from None


def split_file(routes: RouteTable, root: str, text: str) -> tuple[str, Path | None]:
    """The command without its `@path` last word, and that path, when the command takes a
    file; otherwise the text as it is (an `@` in free text is never a file)."""
    head, _, last = text.rstrip().rpartition(" ")
    if len(last) < 2 or not last.startswith("@") or not head.strip():
        return text, None
    try:
        command, _ = routes.match(root, head.split()[:3])
    except UserError:
        return text, None
    if not any(option.kind == "file" for option in command.options):
        return text, None
    return head, Path(last[1:]).expanduser()


class Console:
    """Runs lines against the core and prints what each person would see, labelled."""

    def __init__(
        self,
        core: Core,
        clock: SettableClock,
        *,
        out: TextIO = sys.stdout,
        name: str = "you",
        organizer: bool = False,
        echo: bool = False,
        files_dir: Path | None = None,
    ) -> None:
        self.core = core
        self.clock = clock
        self.out = out
        self.actor = console_actor(name, organizer=organizer)
        self.echo = echo
        self.buttons: list[str] = []
        self._ended_form: str | None = None
        """A command line that ended a form's answers in a script: it runs next."""
        self.platform = ConsolePlatform(self.show, files_dir=files_dir)
        self.dispatcher = Dispatcher(
            core.db, platforms={PLATFORM: self.platform}, clock=clock, settings=core.settings
        )

    def show(self, label: str, message: Message) -> None:
        """Print a message under its label; its buttons become the ones `/press` presses."""
        self.buttons = []
        self.say(label, *render_message(message, self.buttons))
        for attachment in message.attachments:
            saved = [p for p in self.platform.saved if p.name == attachment.filename]
            if saved:
                self.say(f"   saved as {saved[-1]}")

    def say(self, *lines: str) -> None:
        for line in lines:
            print(line, file=self.out)

    async def run_script(self, lines: Iterator[str]) -> None:
        """Script mode: form answers come from the lines that follow the command."""

        async def answer(form: Form) -> dict[str, FormValue]:
            return self._answers_from(lines, form)

        for line in lines:
            next_line: str | None = line
            while next_line is not None:
                if not await self.handle(next_line, answer):
                    return
                next_line, self._ended_form = self._ended_form, None

    async def run_interactive(self, read: Callable[[str], str] = input) -> None:
        """Ask at the terminal; `read` runs in a thread, so the event loop (the HTTP
        server's calendar feeds) keeps running while the console waits for a line."""

        async def ask(prompt: str) -> str:
            return await asyncio.to_thread(read, prompt)

        async def answer(form: Form) -> dict[str, FormValue]:
            return await self._prompt_answers(ask, form)

        self.say("S4B console. Type /s4b help to begin, /quit to leave.")
        self._clock("")
        if await self.core.upcoming_count() == 0:
            self.say(
                "Every session in the programme is in the past at this time. To try the bot "
                "as a member would have, move the clock back: /clock 2025-04-01T12:00"
            )
        self.say("")
        while True:
            try:
                line = await ask(f"{self.actor.display_name}> ")
            except EOFError:
                break
            if not await self.handle(line, answer):
                break

    async def handle(self, line: str, answer: Answer) -> bool:
        """One line; False when the person asked to quit."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        if self.echo:
            self.say(f"{self.actor.display_name}> {line}")
        word, _, rest = line.partition(" ")
        if word in ("/quit", "/exit"):
            return False
        if word == "/clock":
            self._clock(rest)
        elif word == "/as":
            self._switch(rest)
        elif word == "/press":
            await self._press(rest, answer)
        elif word == "/dms":
            self._dms(rest)
        elif word == "/say":
            self._say_in_thread(rest)
        elif word == "/report-message":
            await self._report_message(rest, answer)
        elif word in (f"/{MEMBER_ROOT}", f"/{ORGANIZER_ROOT}"):
            await self._command(word[1:], rest, answer)
        else:
            self.say(
                "Commands start with /s4b or /s4b-admin "
                "(console: /clock, /as, /press, /dms, /say, /report-message, /quit)."
            )
        await self.deliver()
        self.say("")
        return True

    async def deliver(self) -> None:
        """Send whatever is due by the console's clock, as the dispatcher would."""
        await self.dispatcher.drain()

    async def _command(self, root: str, text: str, answer: Answer) -> None:
        text, path = split_file(self.core.routes, root, text)
        files: tuple[Attachment, ...] = ()
        if path is not None:
            try:
                files = (Attachment(path.name, path.read_bytes(), "application/octet-stream"),)
            except OSError as exc:
                self.say(f"! Cannot read the file {path}: {exc.strerror}.")
                return
        await self._show(await self.core.run_text(self.actor, root, text, files=files), answer)

    async def _show(self, outcome: Outcome, answer: Answer) -> None:
        if outcome.organizers_only:
            words = MSG_NOT_ORGANIZER.format(root=ORGANIZER_ROOT)
            outcome = replace(outcome, reply=Message.plain(words))
        if outcome.reply is not None:
            audience = "everyone in the channel" if outcome.public else "only you"
            self.platform.save(outcome.reply, self.actor.user_id)
            self.show(f"[reply to {self.actor.display_name} · {audience}]", outcome.reply)
        if outcome.form is not None:
            await self._fill(outcome.form, answer)

    async def _fill(self, form: Form, answer: Answer) -> None:
        self.say(f"[form for {self.actor.display_name}]", *render_form(form))
        values = await answer(form)
        if values.get("_cancelled") is True:
            self.say("Form closed; nothing was sent.")
            return
        stray = values.get("_stray")
        if isinstance(stray, int) and stray:
            self.say(
                f"Form not sent: {stray} {'line was' if stray == 1 else 'lines were'} not an "
                "answer; nothing changed."
            )
            return
        outcome = await self.core.submit(FormSubmission(self.actor, form.id, values))
        await self._show(outcome, answer)

    def _answers_from(self, lines: Iterator[str], form: Form) -> dict[str, FormValue]:
        """`field: value` lines up to an empty one, or up to a command (a line starting with
        `/`, kept to run next); fields not given keep their defaults. `_stray` counts lines
        that are no `field: value`: such a form is not sent."""
        values: dict[str, FormValue] = {f.id: f.default for f in form.fields}
        stray = 0
        for line in lines:
            if not line.strip():
                break
            if line.lstrip().startswith("/"):
                self._ended_form = line
                break
            if self.echo:
                self.say(f"  {line.rstrip()}")
            field_id, sep, text = line.partition(":")
            field_id = field_id.strip().lower()
            fields = {f.id: f for f in form.fields}
            if not sep or field_id not in fields:
                self.say(
                    f"  ! {line.strip()!r} is not `field: value` for one of: {', '.join(fields)}"
                )
                stray += 1
                continue
            try:
                values[field_id] = parse_answer(fields[field_id], text)
            except AnswerError as exc:
                self.say(f"  ! {exc}")
                values[field_id] = None
        return {**values, "_stray": stray} if stray else values

    async def _prompt_answers(
        self, ask: Callable[[str], Awaitable[str]], form: Form
    ) -> dict[str, FormValue]:
        """Ask field by field; Enter keeps what is shown, `.` clears it, `/cancel` closes."""
        values: dict[str, FormValue] = {}
        for field in form.fields:
            self.say(*describe_field(field))
            while True:
                try:
                    text = await ask(f"  {field.id}> ")
                except EOFError:
                    return {"_cancelled": True}
                if text.strip() == "/cancel":
                    return {"_cancelled": True}
                if not text.strip() and field.default not in (None, ""):
                    values[field.id] = field.default
                    break
                try:
                    values[field.id] = parse_answer(field, "" if text.strip() == "." else text)
                    break
                except AnswerError as exc:
                    self.say(f"  ! {exc}")
        return values

    def _say_in_thread(self, arg: str) -> None:
        where, _, text = arg.strip().partition(" ")
        if not where or not text.strip():
            self.say(f"! {HOW}")
            return
        try:
            said = self.platform.threads.write(
                where, self.actor.user_id, self.actor.display_name, text.strip()
            )
        except ValueError as exc:
            self.say(f"! {exc}. {HOW}")
            return
        self.say(f"[#{said.channel} · message {said.ref} · {said.author}] {said.text}")

    async def _report_message(self, arg: str, answer: Answer) -> None:
        """The message gesture; a reason given on the line fills its form at once."""
        ref, _, reason = arg.strip().partition(" ")
        if not ref:
            self.say(f"! {HOW}")
            return
        try:
            message = self.platform.threads.pointed_at(ref)
        except ValueError as exc:
            self.say(f"! {exc}")
            return
        outcome = await self.core.gesture(self.actor, REPORT, message)
        if outcome.form is not None and reason.strip():
            values: dict[str, FormValue] = {"reason": reason.strip()}
            outcome = await self.core.submit(FormSubmission(self.actor, outcome.form.id, values))
        await self._show(outcome, answer)

    def _clock(self, arg: str) -> None:
        if arg.strip():
            try:
                self.clock.set(parse_clock(arg, self.clock.now()))
            except ValueError as exc:
                self.say(f"! Cannot set the clock: {exc}.")
                return
        now = self.clock.now()
        self.say(f"[clock] {format_stamp(now)} · {format_span(now, None, 'America/Toronto')}")

    def _switch(self, arg: str) -> None:
        organizer = "--organizer" in arg.split()
        name = " ".join(w for w in arg.split() if w != "--organizer")
        if not name:
            self.say("! Say who: /as NAME [--organizer]")
            return
        self.actor = console_actor(name, organizer=organizer)
        role = "an organizer" if organizer else "a member"
        self.say(f"[now typing as {self.actor.display_name}, {role}]")

    def _dms(self, arg: str) -> None:
        """`/dms off`: the bot's DMs to the one typing fail (as a closed inbox does); `on`."""
        who, user = self.actor.display_name, self.actor.user_id
        if arg.strip().lower() == "off":
            self.platform.closed.add(user)
            self.say(f"[{who}'s direct messages are closed: DMs to them will fail]")
        elif arg.strip().lower() == "on":
            self.platform.closed.discard(user)
            self.say(f"[{who}'s direct messages are open]")
        else:
            self.say("! /dms takes `off` (close your direct messages) or `on` (open them).")

    async def _press(self, arg: str, answer: Answer) -> None:
        if not self.buttons:
            self.say("! The last message shown has no buttons to press.")
            return
        if not arg.strip().isdigit() or not 1 <= int(arg) <= len(self.buttons):
            self.say(
                f"! /press takes a button number from the last reply (1 to {len(self.buttons)})."
            )
            return
        outcome = await self.core.press(self.actor, self.buttons[int(arg) - 1])
        await self._show(outcome, answer)
