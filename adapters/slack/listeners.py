"""Bolt listeners: ack first, then ask the core, then answer (`answer.Answer`).

Slash commands and buttons are acked before any database work, so Slack's 3 s
deadline holds whatever the database is doing; bolt runs the rest of the listener
after the ack (its asyncio runner). A view_submission is the exception: field errors
can only travel in the ack, so the core gets until `submit_budget` and, if it is
slower, the modal turns into "Saving…" and is updated when the core answers.

Every budget counts from the request's arrival in the process (`deadline.Deadline`,
stamped by `serve.py`), not from the listener's start: under load a listener may
start seconds late, and then it acks with the fallback at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from contextlib import suppress
from dataclasses import replace
from functools import partial
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackClientError

from adapters.slack import parse
from adapters.slack.answer import Answer
from adapters.slack.config import SlackConfig
from adapters.slack.deadline import MIN_WAIT, Deadline
from adapters.slack.files import (
    MSG_COMMAND_GONE,
    FileCommand,
    Uploads,
    button_request,
    file_command,
    from_request,
    with_upload_button,
)
from adapters.slack.inflight import Inflight
from adapters.slack.modal import (
    busy_modal,
    error_response,
    form_again,
    form_id,
    form_modal,
    submitted_values,
)
from adapters.slack.people import Names, Organizers
from adapters.slack.platform import SlackPlatform
from adapters.slack.render import home_view, message_modal
from adapters.slack.shortcuts import pointed_at, with_link
from s4b_bot import Actor, Core, Form, FormSubmission, FormValue, Message, Outcome, went_wrong

_log = logging.getLogger(__name__)

MSG_NOT_ORGANIZER = (
    "`/s4b-admin` is for the working group's organizers (Slack has no roles: the people "
    "who run the bot name them). Nothing was changed. `/s4b help` lists what every member "
    "can do."
)
"""How Slack words the core's refusal of an organizer route (`Outcome.organizers_only`)."""
HOME_PATIENCE = 30.0
"""Seconds an App Home refresh waits for a burst to pass before it goes anyway."""
MSG_SAVING = "Saving your answers, one moment…"
MSG_READING = "Reading your file, one moment…"
MSG_BROKEN = went_wrong("nothing more was done")

Values = Mapping[str, FormValue]
"""A submitted modal's values, by field id (`modal.submitted_values`)."""


def slack_words(outcome: Outcome) -> Outcome:
    """The core's outcome, its refusal of an organizer route said the Slack way."""
    if outcome.organizers_only:
        return replace(outcome, reply=Message.plain(MSG_NOT_ORGANIZER))
    return outcome


class Handlers:
    def __init__(self, core: Core, platform: SlackPlatform, config: SlackConfig) -> None:
        self.core = core
        self.platform = platform
        self.config = config
        self.client = platform.client
        self.organizers = Organizers(
            self.client,
            user_ids=config.organizer_ids,
            group=config.organizer_group,
            ttl=config.organizer_cache_seconds,
        )
        self.names = Names(self.client)
        self.uploads = Uploads(core, self.client, config)
        self.inflight = Inflight()
        self._homes_due: set[tuple[str, str]] = set()

    async def _actor(self, who: parse.Who) -> Actor:
        """The member, called by their profile's name (the handle only if Slack cannot say)."""
        named = replace(who, name=await self.names.of(who.user_id) or who.name)
        return named.actor(is_organizer=await self.organizers.contains(who.user_id))

    def _answer(
        self,
        who: parse.Who,
        origin: parse.Origin,
        respond: AsyncRespond | None,
        *,
        deadline: Deadline,
    ) -> Answer:
        """Where to answer; its actor is provisional until the organizer check is done."""
        return Answer(
            self.platform,
            who.actor(is_organizer=False),
            origin,
            respond if origin.has_response_url else None,
            deadline=deadline,
            trigger_budget=self.config.trigger_budget,
        )

    def _deadline(self, context: AsyncBoltContext) -> Deadline:
        return Deadline.of(context)

    async def on_command(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        respond: AsyncRespond,
        context: AsyncBoltContext,
    ) -> None:
        """/s4b and /s4b-admin: the text is parsed by the core against the route table.

        A slash command carries no file: one whose route takes a file asks for it in a
        modal (`files`), before running when the file is required.
        """
        root = parse.root_of(str(body.get("command", "")))
        text = parse.command_text(body)
        wanted = file_command(self.core.routes, root, text)

        async def run(actor: Actor) -> Outcome:
            if wanted and wanted.option.required and self.core.allows(actor, wanted.command):
                return Outcome()  # nothing to run without the file: the modal asks for it
            return await self.core.run_text(actor, root, text)

        show = None if wanted is None else partial(self._ask_for_file, wanted)
        source = partial(parse.from_command, body)
        await self._serve(ack, respond, context, source, run, "command", show=show)

    async def _ask_for_file(self, wanted: FileCommand, answer: Answer, outcome: Outcome) -> None:
        """The upload modal for a required file; a form gets a button to send one instead."""
        if not self.core.allows(answer.actor, wanted.command):
            await answer.present(outcome)
        elif wanted.option.required:
            await answer.show_view(self.uploads.modal(wanted))
        else:

            def draw(form: Form) -> dict[str, Any]:
                return with_upload_button(form_modal(form), wanted)

            await answer.present(outcome, draw=draw)

    async def on_action(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        respond: AsyncRespond,
        context: AsyncBoltContext,
    ) -> None:
        """Buttons `s4b:<verb>:<id>`: the same core action wherever the button was."""

        def run(actor: Actor) -> Awaitable[Outcome]:
            return self.core.press(actor, parse.action_id(body))

        source = partial(parse.from_interaction, body)
        await self._serve(ack, respond, context, source, run, "button")

    async def on_message_shortcut(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        respond: AsyncRespond,
        context: AsyncBoltContext,
    ) -> None:
        """A message shortcut (`message_action`): its gesture route, on the message."""
        callback_id = str(body.get("callback_id", ""))

        async def run(actor: Actor) -> Outcome:
            message = await with_link(self.client, pointed_at(body))
            return await self.core.gesture(actor, callback_id, message)

        source = partial(parse.from_interaction, body)
        await self._serve(ack, respond, context, source, run, "shortcut")

    async def _serve(
        self,
        ack: AsyncAck,
        respond: AsyncRespond,
        context: AsyncBoltContext,
        source: Callable[[], tuple[parse.Who, parse.Origin]],
        run: Callable[[Actor], Awaitable[Outcome]],
        what: str,
        *,
        show: Callable[[Answer, Outcome], Awaitable[None]] | None = None,
    ) -> None:
        """Acknowledge, run the core for the member, answer them and redraw their App Home;
        any failure becomes a short apology and a log line."""
        async with self.inflight.track():
            deadline = self._deadline(context)
            await ack()
            who, origin = source()  # after the ack: Slack's 3 seconds come first
            answer = self._answer(who, origin, respond, deadline=deadline)
            try:
                actor = await self._actor(who)
                answer.actor = actor
                outcome = slack_words(await answer.run(run(actor)))
                await (answer.present(outcome) if show is None else show(answer, outcome))
                self.refresh_home_soon(actor)
            except Exception as exc:
                await self._broken(answer, what, exc)

    async def on_submission(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """A submitted form."""

        def submit(actor: Actor, view: Mapping[str, Any], values: Values) -> Awaitable[Outcome]:
            return self.core.submit(FormSubmission(actor, form_id(view), values))

        await self._on_view(ack, body, context, submit, "form", busy=MSG_SAVING)

    async def on_upload(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """A submitted upload modal: the file is fetched, then its command runs with it."""

        def upload(actor: Actor, view: Mapping[str, Any], values: Values) -> Awaitable[Outcome]:
            return self.uploads.run(actor, view)

        await self._on_view(ack, body, context, upload, "upload", busy=MSG_READING)

    async def on_upload_button(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """ "Send a file instead" in a form: the form's modal becomes the upload modal."""
        async with self.inflight.track():
            deadline = self._deadline(context)
            await ack()
            who, origin = parse.from_interaction(body)
            answer = self._answer(who, origin, None, deadline=deadline)
            view: Mapping[str, Any] = body.get("view") or {}
            wanted = from_request(self.core.routes, button_request(body))
            try:
                answer.actor = await self._actor(who)
                if wanted is None:
                    shown = message_modal(Message.plain(MSG_COMMAND_GONE))
                elif not self.core.allows(answer.actor, wanted.command):
                    shown = message_modal(Message.plain(MSG_NOT_ORGANIZER))
                else:
                    title = (view.get("title") or {}).get("text")
                    shown = self.uploads.modal(wanted, title=title)
                await self.client.views_update(
                    view_id=view["id"], hash=view.get("hash"), view=shown
                )
            except Exception as exc:
                await self._broken(answer, "upload button", exc)

    async def _on_view(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        run: Callable[[Actor, Mapping[str, Any], Values], Awaitable[Outcome]],
        what: str,
        *,
        busy: str,
    ) -> None:
        """A submitted modal: field errors inline, else the modal closes and a DM confirms.

        The core gets what is left of `submit_budget` since the request arrived; if that
        is (nearly) nothing, the ack is the `busy` modal before the core even starts.
        """
        async with self.inflight.track():
            deadline = self._deadline(context)
            who, origin = parse.from_interaction(body)
            view: Mapping[str, Any] = body["view"]
            values = submitted_values(view)
            work = asyncio.ensure_future(self._submit(who, lambda actor: run(actor, view, values)))
            done = False
            wait = deadline.left(self.config.submit_budget)
            if self.core.writes.expected_wait() > wait:
                wait = 0.0  # a burst's queue: "Saving…" now rather than at the deadline's edge
            if wait >= MIN_WAIT:
                finished, _ = await asyncio.wait({work}, timeout=wait)
                done = bool(finished)
            if not done:  # no time left, or the core is slower: "Saving…" now, the rest later
                await ack(response_action="update", view=busy_modal(busy))
            actor, outcome = await work
            answer = self._answer(who, origin, None, deadline=deadline)
            answer.actor = actor
            if done and outcome.field_errors:
                await ack(**error_response(view, outcome.field_errors))
                return
            if done and outcome.reply is not None:
                # The answer replaces the form: as a DM it would be a second "you are
                # registered" beside the invitation DM.
                await ack(response_action="update", view=message_modal(outcome.reply))
            elif done:
                await ack()  # closes the modal
            try:
                if not done:
                    answer.loading_view = str(view["id"])
                    if outcome.field_errors:
                        await self.client.views_update(
                            view_id=view["id"], view=form_again(view, values, outcome.field_errors)
                        )
                        return
                    await answer.present(outcome)
                elif outcome.reply is not None:
                    await answer.send_files(outcome.reply)
                self.refresh_home_soon(actor)
            except Exception as exc:
                await self._broken(answer, what, exc)

    async def _submit(
        self, who: parse.Who, run: Callable[[Actor], Awaitable[Outcome]]
    ) -> tuple[Actor, Outcome]:
        actor = who.actor(is_organizer=False)
        try:
            actor = await self._actor(who)
            return actor, slack_words(await run(actor))
        except Exception as exc:  # the ack must still go out, with something to show
            _log.error("Slack form submission failed", exc_info=exc)
            return actor, Outcome(reply=Message.plain(MSG_BROKEN))

    async def on_home_opened(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """The App Home tab: the member's registrations, then the upcoming sessions."""
        if event.get("tab", "home") != "home":
            return
        async with self.inflight.track():
            actor = await self._actor(parse.from_home_event(body, event))
            await self.refresh_home(actor)

    def refresh_home_soon(self, actor: Actor) -> None:
        """Republish the member's App Home after their answer, once the core's queue is
        empty (for HOME_PATIENCE seconds at most): in a burst, nobody's confirmation waits
        behind someone's App Home, which they only see when they open it. One pending
        refresh per member: it reads their registrations when it runs."""
        key = (actor.community, actor.user_id)
        if key not in self._homes_due:
            self._homes_due.add(key)
            self.inflight.spawn(self._refresh_when_quiet(key, actor))

    async def _refresh_when_quiet(self, key: tuple[str, str], actor: Actor) -> None:
        with suppress(TimeoutError):
            await asyncio.wait_for(self.core.writes.idle(), HOME_PATIENCE)
        self._homes_due.discard(key)
        await self.refresh_home(actor)

    async def refresh_home(self, actor: Actor) -> None:
        """Republish the member's App Home tab; a failure here must not spoil the answer."""
        try:
            outcome = await self.core.home(actor)
            if outcome.reply is not None:
                await self.client.views_publish(
                    user_id=actor.user_id, view=home_view(outcome.reply)
                )
        except (SlackClientError, OSError) as exc:
            _log.warning("cannot publish the App Home tab: %s", type(exc).__name__)

    async def _broken(self, answer: Answer, what: str, exc: Exception) -> None:
        _log.error("Slack %s failed after its ack", what, exc_info=exc)
        try:
            await answer.say(Message.plain(MSG_BROKEN), in_view=False)
        except Exception as again:  # the member cannot be told either: the log has it
            _log.warning("cannot report the failure: %s", type(again).__name__)
