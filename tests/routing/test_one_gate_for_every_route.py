"""The route table is the one gate and the one audit: every command, button and form has its
audience checked and its audit entry written by the core, in the same words and the same
place; a `session` option reaches its handler resolved."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import pkgutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

import s4b_bot
from s4b_bot.clock import SettableClock
from s4b_bot.context import Context
from s4b_bot.conversation import summaries
from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission, Invocation
from s4b_bot.output import Message, Outcome
from s4b_bot.routing.route import (
    ORGANIZER_ROOT,
    Args,
    CommandRoute,
    EntityFormRoute,
    FormRoute,
    Route,
)
from s4b_bot.routing.routes import ROUTES
from s4b_bot.routing.table import RouteTable
from s4b_bot.words import FORM_EXPIRED
from storage.models import AuditEntry, ProgrammeSession
from tests.helpers import register, reply_text

ADA = Actor("console", "local", "ada", "Ada")
JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
AFTER_SPRING = datetime(2025, 4, 29, 19, tzinfo=UTC)
SECTIONS = {
    "insights": "Belonging starts with being asked.",
    "recommendations": "Open with a round of names.",
    "resources": "The belonging toolkit.",
    "collaboration": "Libraries want to co-host.",
}


async def spring_id(core: Core) -> int:
    async with core.db.transaction() as db:
        found = await db.scalar(
            select(ProgrammeSession.id).where(ProgrammeSession.season == "Spring")
        )
    assert found is not None
    return found


def test_every_route_has_an_audience_and_every_organizer_route_an_audit_policy() -> None:
    kinds = {type(r).__name__ for r in ROUTES.routes}
    assert {"CommandRoute", "ButtonRoute", "SessionButtonRoute", "FormRoute"} <= kinds
    assert "EntityFormRoute" in kinds
    for route in ROUTES.routes:
        assert route.audience in ("member", "organizer"), route
        if route.audience == "organizer":
            assert route.audit in ("change", "export", "none"), route
    assert ROUTES.form("summary:1").audience == "organizer"
    assert ROUTES.form("summary:1").audit == "change"


def test_the_table_refuses_an_organizer_form_without_an_audit_policy() -> None:
    form = EntityFormRoute("purge", "purge", summaries.save_summary, audience="organizer")
    with pytest.raises(ValueError, match=r"without an audit policy: \['purge'\]"):
        RouteTable([form])


def test_the_table_refuses_two_buttons_with_one_verb_and_two_forms_with_one_id() -> None:
    button = ROUTES.button("s4b:register:1")[0]
    with pytest.raises(ValueError, match="two buttons share a verb"):
        RouteTable([button, dataclasses.replace(button)])
    form = ROUTES.form("register")
    with pytest.raises(ValueError, match="two forms share an id"):
        RouteTable([form, dataclasses.replace(form)])


def _produced_verbs() -> set[str]:
    """Every verb the core puts in a button: the first argument of each `action_id` call."""
    verbs: set[str] = set()
    root = Path(s4b_bot.__file__).parent
    for info in pkgutil.walk_packages([str(root)], "s4b_bot."):
        module = importlib.import_module(info.name)
        if module.__file__ is None or not module.__file__.endswith(".py"):
            continue
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("action_id"):
                # A literal, or a name the module can evaluate (`VERB`, `notices.VERB`).
                verb = node.args[0]
                verbs.add(str(eval(ast.unparse(verb), vars(module))))
    return verbs


def test_every_button_verb_the_core_produces_is_in_the_table() -> None:
    produced = _produced_verbs()
    assert {"register", "unregister", "calendar", "session", "vote_up", "forget"} <= produced
    assert produced <= set(ROUTES.verbs)


async def test_an_organizer_form_sent_by_a_member_is_refused_like_an_organizer_command(
    core: Core, clock: SettableClock
) -> None:
    clock.set(AFTER_SPRING)
    spring = await spring_id(core)
    command = await core.run_text(ADA, ORGANIZER_ROOT, "summary spring")
    form = await core.submit(FormSubmission(ADA, f"summary:{spring}", SECTIONS))
    refusal = "Only organizers can use `/s4b-admin summary`."
    assert reply_text(command) == reply_text(form) == refusal
    assert command.organizers_only and form.organizers_only
    assert "no summary yet" in reply_text(await core.run_text(ADA, "s4b", "summary spring"))


def _spied(route: Route, ran: list[str]) -> Route:
    """The route, with a handler that notes it ran."""

    async def spy(ctx: Context, *args: object) -> Outcome:
        ran.append(route.name)
        return Outcome(reply=Message.plain("ran"))

    return dataclasses.replace(route, handler=spy)  # type: ignore[arg-type]


async def test_no_organizer_route_runs_its_handler_for_a_member(core: Core) -> None:
    """A forged summary form (or any organizer route a member reaches) is refused by the
    core before any handler runs; an organizer's goes through."""
    ran: list[str] = []
    spied = Core(
        core.db,
        clock=core.clock,
        settings=core.settings,
        routes=RouteTable(_spied(r, ran) for r in ROUTES.routes),
    )
    spring = await spring_id(core)
    organizer_routes = [r for r in spied.routes.routes if r.audience == "organizer"]
    assert any(isinstance(r, EntityFormRoute | FormRoute) for r in organizer_routes)
    for route in organizer_routes:
        if isinstance(route, CommandRoute):
            outcomes = [
                await spied.run_text(ADA, ORGANIZER_ROOT, route.name),
                await spied.invoke(Invocation(ADA, route.name, {}, root=ORGANIZER_ROOT)),
            ]
        elif isinstance(route, EntityFormRoute):
            outcomes = [await spied.submit(FormSubmission(ADA, route.form_id(spring), SECTIONS))]
        elif isinstance(route, FormRoute):
            outcomes = [await spied.submit(FormSubmission(ADA, route.form_id(), {}))]
        else:
            outcomes = [await spied.press(ADA, f"s4b:{route.verb}:{spring}")]
        for outcome in outcomes:
            assert reply_text(outcome) == f"Only organizers can use `/s4b-admin {route.name}`."
    assert ran == []
    summary = await spied.submit(FormSubmission(JO, f"summary:{spring}", SECTIONS))
    assert reply_text(summary) == "ran" and ran == ["summary"]


async def test_an_audited_form_leaves_its_entry_written_by_the_core(
    core: Core, clock: SettableClock
) -> None:
    """The entry comes from the route's audit policy: a handler that records nothing still
    leaves one, named after the route."""
    ran: list[str] = []
    spied = Core(
        core.db,
        clock=core.clock,
        settings=core.settings,
        routes=RouteTable(
            _spied(r, ran) if r.name == "summary" and not isinstance(r, CommandRoute) else r
            for r in ROUTES.routes
        ),
    )
    clock.set(AFTER_SPRING)
    await spied.submit(FormSubmission(JO, f"summary:{await spring_id(core)}", SECTIONS))
    async with core.db.transaction() as db:
        entries = (await db.scalars(select(AuditEntry))).all()
    assert ran == ["summary"]
    assert [(e.action, e.actor_name) for e in entries] == [("summary", "Jo")]


@pytest.mark.parametrize("form_id", ["summary:²", "summary:", "summary:99999999999", "report:x"])
async def test_a_malformed_form_id_is_an_expired_form(
    core: Core, clock: SettableClock, form_id: str
) -> None:
    clock.set(AFTER_SPRING)
    outcome = await core.submit(FormSubmission(JO, form_id, {"reason": "spam"}))
    assert reply_text(outcome) == FORM_EXPIRED


async def test_a_session_option_reaches_its_handler_resolved(core: Core) -> None:
    seen: list[object] = []

    async def handler(ctx: Context, args: Args) -> Outcome:
        seen.append(args.maybe_session())
        seen.append(args.wants_all())
        return Outcome(reply=Message.plain("ok"))

    routes = RouteTable(
        dataclasses.replace(r, handler=handler)
        if isinstance(r, CommandRoute) and r.name == "unregister"
        else r
        for r in ROUTES.routes
    )
    spied = Core(core.db, clock=core.clock, settings=core.settings, routes=routes)
    await spied.run_text(ADA, "s4b", "unregister spring")
    await spied.run_text(ADA, "s4b", "unregister ALL")
    session, every, none, every_again = seen
    assert isinstance(session, ProgrammeSession) and session.season == "Spring"
    assert every is False and none is None and every_again is True
    atlantis = await spied.run_text(ADA, "s4b", "unregister atlantis")
    assert "No session matches 'atlantis'" in reply_text(atlantis) and len(seen) == 4


async def test_register_and_unregister_all_keep_their_words(core: Core) -> None:
    await register(core, ADA, "spring")
    opened = await core.run_text(ADA, "s4b", "register all")
    assert opened.form is not None
    chosen = next(f for f in opened.form.fields if f.id == "sessions").default
    assert isinstance(chosen, tuple) and len(chosen) == 3  # every open one but Spring
    done = reply_text(await core.run_text(ADA, "s4b", "unregister all"))
    assert done.startswith("You are no longer registered for: Spring.")
    again = reply_text(await core.run_text(ADA, "s4b", "unregister all"))
    assert again == "You have no upcoming registrations; nothing changed."


def test_the_table_refuses_an_organizer_form_declared_for_members() -> None:
    # Forgetting `audience="organizer"` on the summary form would let members submit it.
    form = dataclasses.replace(ROUTES.form("summary:1"), audience="member", audit=None)
    opener = ROUTES.get(ORGANIZER_ROOT, "summary")
    with pytest.raises(ValueError, match="'summary' is for members but opened by routes for"):
        RouteTable([opener, form])


def test_the_table_refuses_a_form_nothing_opens() -> None:
    form = dataclasses.replace(ROUTES.form("register"), name="no such command")
    with pytest.raises(ValueError, match="no command or button named 'no such command' opens it"):
        RouteTable([form])
