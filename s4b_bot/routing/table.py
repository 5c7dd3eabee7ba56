"""The route table: every command, button and form of every feature, looked up by command
name, button verb or form id, and checked when it loads.

Adapters build their surfaces from it (Slack and the console parse text against it;
Discord builds application commands from it), `help` is generated from it, and the core
routes every request through it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from s4b_bot.errors import UserError
from s4b_bot.routing.actions import parse_action
from s4b_bot.routing.route import (
    MEMBER_ROOT,
    ORGANIZER_ROOT,
    AnyButton,
    AnyForm,
    CommandRoute,
    FormRoute,
    MessageRoute,
    Route,
)
from s4b_bot.words import BUTTON_EXPIRED, FORM_EXPIRED


class RouteTable:
    """All routes; refuses to load with two routes of one name, an organizer route that
    does not say what it leaves in the audit log, or a form for another audience than the
    command or button that opens it."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = tuple(routes)
        self.commands = tuple(r for r in self.routes if isinstance(r, CommandRoute))
        self.buttons = tuple(
            r for r in self.routes if not isinstance(r, CommandRoute | AnyForm | MessageRoute)
        )
        self.gestures = tuple(r for r in self.routes if isinstance(r, MessageRoute))
        """Gestures on a message (Discord context menus, Slack message shortcuts)."""
        self._by_gesture = {g.callback_id: g for g in self.gestures}
        if len(self._by_gesture) != len(self.gestures):
            raise ValueError("two message gestures share a callback id")
        self.forms = tuple(r for r in self.routes if isinstance(r, AnyForm))
        self._by_key = {(c.root, c.name): c for c in self.commands}
        if len(self._by_key) != len(self.commands):
            raise ValueError("two commands share a name")
        self._by_verb = {b.verb: b for b in self.buttons}
        if len(self._by_verb) != len(self.buttons):
            raise ValueError("two buttons share a verb")
        self._by_form = {f.key: f for f in self.forms}
        if len(self._by_form) != len(self.forms) or any(":" in key for key in self._by_form):
            raise ValueError("two forms share an id, or one has a colon in it")
        undeclared = [r.name for r in self.routes if r.audience == "organizer" and not r.audit]
        if undeclared:
            raise ValueError(f"organizer routes without an audit policy: {undeclared}")
        for form in self.forms:
            self._check_opened_for_its_audience(form)

    def _check_opened_for_its_audience(self, form: AnyForm) -> None:
        """A form is gated by its own audience, so it must be the audience of whatever opens
        it: an organizer form declared for members would take forged submissions."""
        openers = [
            r
            for r in self.routes
            if not isinstance(r, AnyForm) and r.opens_form and r.name == form.name
        ]
        if not openers:
            raise ValueError(
                f"form {form.key!r}: no command or button named {form.name!r} opens it"
            )
        if any(r.audience != form.audience for r in openers):
            raise ValueError(
                f"form {form.key!r} is for {form.audience}s but opened by routes for others"
            )

    @property
    def verbs(self) -> tuple[str, ...]:
        return tuple(self._by_verb)

    # --- commands ----------------------------------------------------------------------

    def get(self, root: str, name: str) -> CommandRoute:
        try:
            return self._by_key[(root, name)]
        except KeyError:
            raise UserError(self.unknown_message(root, name)) from None

    def find(self, root: str, name: str) -> CommandRoute | None:
        return self._by_key.get((root, name))

    def for_root(self, root: str) -> tuple[CommandRoute, ...]:
        return tuple(c for c in self.commands if c.root == root)

    def match(self, root: str, words: list[str]) -> tuple[CommandRoute, list[str]]:
        """The command named by the longest run of leading words, and the words left over."""
        found = self.named(root, words)
        if found is None:
            raise UserError(self.unknown_message(root, words[0] if words else ""))
        return found

    def named(self, root: str, words: list[str]) -> tuple[CommandRoute, list[str]] | None:
        for size in range(min(3, len(words)), 0, -1):
            name = " ".join(words[:size]).lower()
            if (root, name) in self._by_key:
                return self._by_key[(root, name)], words[size:]
        return None

    def unknown_message(self, root: str, name: str) -> str:
        names = sorted(
            {c.name for c in self.for_root(root)} | {c.name.split()[0] for c in self.for_root(root)}
        )
        close = difflib.get_close_matches(name.lower(), names, n=3, cutoff=0.5)
        shown = name if len(name) <= 40 else name[:40] + "…"
        suggestion = f" Did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
        return f"There is no `/{root} {shown}` command.{suggestion} Try `/{root} help`."

    # --- buttons and forms -------------------------------------------------------------

    def button(self, action: str) -> tuple[AnyButton, int]:
        """The button route of an action id (`s4b:register:12`) and its entity id."""
        parsed = parse_action(action)
        route = self._by_verb.get(parsed.verb)
        if route is None:
            raise UserError(BUTTON_EXPIRED)
        return route, parsed.entity_id

    def form(self, form_id: str) -> AnyForm:
        """The form route of a form id ("register", "summary:3")."""
        route = self._by_form.get(form_id.partition(":")[0])
        if route is None:
            raise UserError(FORM_EXPIRED)
        return route

    def gesture(self, callback_id: str) -> MessageRoute:
        """The message gesture of a Slack callback_id or a Discord command's name."""
        route = self._by_gesture.get(callback_id) or next(
            (g for g in self.gestures if g.name == callback_id), None
        )
        if route is None:
            raise UserError("That message action is no longer offered; nothing was done.")
        return route

    def reopener(self, form_id: str) -> CommandRoute | None:
        """The command that opens a form again as it was, needing no option (the "Open the
        form" button): a form about no one thing is opened by the command it is named by."""
        route = self._by_form.get(form_id)
        if not isinstance(route, FormRoute):
            return None
        root = ORGANIZER_ROOT if route.audience == "organizer" else MEMBER_ROOT
        command = self.find(root, route.name)
        return command if command and not any(o.required for o in command.options) else None
