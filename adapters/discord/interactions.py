"""Interactions in, core calls, answers out: slash commands, autocomplete, buttons, modals.

Discord's deadlines (https://discord.com/developers/docs/interactions/receiving-and-responding):
an interaction must be answered or deferred within 3 s, and its token then allows
follow-ups for 15 minutes. So:

- Most interactions are deferred at once (ephemeral "thinking"), then the core runs and
  the reply follows through the interaction webhook.
- A modal can only be the *first* answer. So the interactions whose route may open a form
  (`opens_form`: `/s4b register`, a Register or Report button, "Report to organizers") call
  the core first and answer with the modal or the reply; past `ack_budget` (2 s, less the
  interaction's age) they are deferred, and the reply offers "Open the form" (or says again).
- Interactions older than 15 minutes (a replayed event, a bot back from a pause) are
  skipped without calling the core: their token can no longer answer.

Replies are private (ephemeral) unless the core says `public`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any

import discord
from discord import app_commands

from adapters.discord.config import DiscordConfig
from adapters.discord.drafts import Drafts
from adapters.discord.errors import describe
from adapters.discord.handled import HandledLog
from adapters.discord.limits import CHOICE_TEXT, CHOICES
from adapters.discord.parse import actor_of, form_values, modal_values, serves
from adapters.discord.render import NO_MENTIONS, ButtonSpec, Chunk, render
from adapters.discord.uploads import read_files
from adapters.discord.views import MODAL_PREFIX, FormTooLarge, form_modal, message_kwargs
from s4b_bot import (
    Actor,
    Attachment,
    CommandRoute,
    Core,
    FormSubmission,
    Invocation,
    Message,
    Option,
    Outcome,
    UserError,
    went_wrong,
    zone_names,
)

_log = logging.getLogger(__name__)

TOKEN_LIFETIME = timedelta(minutes=15)
FOLLOW_UP_MARGIN = timedelta(seconds=30)
"""Do not start a follow-up on a token this close to expiring."""
RECENT_MAX = 10_000

MSG_OTHER_SERVER = (
    "This bot runs the S4B working group in its own server only; nothing was done here."
)
MSG_FORM_LATER = (
    "The form took a moment too long to open (Discord gives a bot 3 seconds). "
    "Press the button to open it now."
)
MSG_FORM_AGAIN = "The form took too long to open (Discord allows 3 seconds); please do it again."
MSG_FORM_FIX = "Fix the form"
MSG_FAILED = went_wrong("nothing was sent")
MSG_NOT_SHOWN = (
    "Discord did not take my answer, so I cannot show it here. Your request itself was "
    "handled: try the command again to see the result."
)


def is_expired(interaction: discord.Interaction[Any], margin: timedelta = timedelta()) -> bool:
    return discord.utils.utcnow() >= interaction.created_at + TOKEN_LIFETIME - margin


class InteractionHandler:
    """Turns interactions into core calls and the core's outcomes into answers."""

    def __init__(self, core: Core, config: DiscordConfig, *, names: Mapping[str, str]) -> None:
        self.core = core
        self.config = config
        self.guild_id = config.server_id
        self.names = dict(names)
        self.log = HandledLog()
        self.recent: OrderedDict[tuple[str, str], discord.Interaction[Any]] = OrderedDict()
        """The latest answerable interaction of each member, for DMs that cannot be sent."""
        self.drafts = Drafts()

    # --- entry points ----------------------------------------------------------------

    async def accept(self, interaction: discord.Interaction[Any]) -> bool:
        """The check every interaction passes first (the tree's, and the buttons' and
        forms'): expired ones are skipped, other servers' refused before any core call."""
        if is_expired(interaction):
            _log.info("skipping interaction %s: older than 15 minutes", interaction.id)
            await self.log.mark(interaction.id, "expired")
            return False
        if not serves(interaction, self.guild_id):
            _log.info(
                "refusing interaction %s from server %s", interaction.id, interaction.guild_id
            )
            with contextlib.suppress(discord.HTTPException):
                if interaction.type is discord.InteractionType.autocomplete:
                    await interaction.response.autocomplete([])
                else:
                    await interaction.response.send_message(
                        MSG_OTHER_SERVER, ephemeral=True, allowed_mentions=NO_MENTIONS
                    )
            await self.log.mark(interaction.id, "other server")
            return False
        return True

    async def run_command(
        self, interaction: discord.Interaction[Any], command: CommandRoute, options: dict[str, Any]
    ) -> None:
        actor = self.actor(interaction)

        async def work() -> Outcome:
            args = {o.name: options.get(o.name) for o in command.options if o.kind != "file"}
            files: tuple[Attachment, ...] = ()
            if self.core.allows(actor, command):  # no download for a refused call
                try:
                    files = await read_files(
                        command, options, max_bytes=self.config.max_upload_bytes
                    )
                except UserError as refused:
                    return Outcome(reply=Message.plain(str(refused)))
            invocation = Invocation(actor, command.name, args, root=command.root, files=files)
            return await self.core.invoke(invocation)

        if command.opens_form:
            await self.core_first(interaction, work)
        else:
            await self._defer_first(interaction, work)

    async def complete(
        self,
        interaction: discord.Interaction[Any],
        command: CommandRoute,
        option: Option,
        typed: str,
    ) -> list[app_commands.Choice[str]]:
        """At most `CHOICES` choices for a session or a time zone, filtered by what is typed."""
        typed = (typed or "").strip()
        found: list[app_commands.Choice[str]] = [
            app_commands.Choice(name=word, value=word)
            for word in option.choices
            if typed.lower() in word
        ]
        if option.kind == "zone":
            found += [
                app_commands.Choice(name=zone, value=zone)
                for zone in sorted(zone_names().values())
                if typed.lower() in zone.lower()
            ]
        else:
            try:
                sessions = await self.core.session_choices(typed, limit=CHOICES)
            except Exception as exc:  # no suggestions beats an error while typing
                _log.warning("session choices failed: %s", type(exc).__name__, exc_info=exc)
                sessions = []
            for choice in sessions:
                # The option's value must be something the core resolves to this one session.
                value = choice.aliases[0] if choice.aliases else choice.label
                found.append(
                    app_commands.Choice(name=choice.label[:CHOICE_TEXT], value=value[:CHOICE_TEXT])
                )
        found = found[:CHOICES]
        # Answered here rather than by returning, so the log marks the end of it.
        await interaction.response.autocomplete(found)
        await self.log.mark(interaction.id, "autocomplete")
        return found

    async def press(self, interaction: discord.Interaction[Any], action: str) -> None:
        """A persistent button: the core's action, by its action id as sent."""
        if await self._refused(interaction):
            return
        actor = self.actor(interaction)
        if self._opens_form(action):
            await self.core_first(interaction, lambda: self.core.press(actor, action))
        else:
            await self._defer_first(interaction, lambda: self.core.press(actor, action))

    async def open_form(self, interaction: discord.Interaction[Any], form_id: str) -> None:
        """ "Open the form" / "Fix the form": the form again, with what was typed before."""
        if await self._refused(interaction):
            return
        actor = self.actor(interaction)
        opener = self.core.routes.reopener(form_id)
        if opener is None:
            await self._answer(interaction, Outcome(reply=Message.plain("That form is gone.")))
            return

        async def work() -> Outcome:
            invocation = Invocation(actor, opener.name, {}, root=opener.root)
            outcome = await self.core.invoke(invocation)
            if outcome.form is not None:
                outcome = dataclasses.replace(outcome, form=self.drafts.fill(actor, outcome.form))
            return outcome

        await self.core_first(interaction, work)

    async def submit_modal(self, interaction: discord.Interaction[Any]) -> None:
        """A submitted form, identified by its custom_id (restart-safe)."""
        if await self._refused(interaction):
            return
        actor = self.actor(interaction)
        data: dict[str, Any] = dict(interaction.data or {})
        form_id = str(data.get("custom_id", "")).removeprefix(MODAL_PREFIX)
        values = form_values(modal_values(data.get("components", [])))
        if not await self._defer(interaction):
            return
        outcome = await self.core.submit(FormSubmission(actor, form_id, values))
        extra: list[ButtonSpec] = []
        if outcome.field_errors and self.core.routes.reopener(form_id):
            self.drafts.keep(actor, form_id, values)
            extra = [ButtonSpec(MSG_FORM_FIX, f"{MODAL_PREFIX}open:{form_id}", "primary")]
        else:
            self.drafts.drop(actor, form_id)
        await self._answer(interaction, outcome, extra_row=extra)

    # --- answering --------------------------------------------------------------------

    async def core_first(
        self, interaction: discord.Interaction[Any], work: Callable[[], Awaitable[Outcome]]
    ) -> None:
        task = asyncio.ensure_future(_safely(work))
        try:
            outcome = await asyncio.wait_for(asyncio.shield(task), self._budget(interaction))
        except TimeoutError:
            _log.info("interaction %s: core slower than the ack budget; deferring", interaction.id)
            if not await self._defer(interaction):
                return
            outcome = await task
        await self._answer(interaction, outcome)

    async def _defer_first(
        self, interaction: discord.Interaction[Any], work: Callable[[], Awaitable[Outcome]]
    ) -> None:
        if await self._defer(interaction):
            await self._answer(interaction, await _safely(work))

    async def _defer(self, interaction: discord.Interaction[Any]) -> bool:
        """Acknowledge now ("thinking", private); False if Discord no longer knows the
        interaction (10062: we were later than its 3 seconds)."""
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
        except discord.NotFound as exc:
            _log.warning(
                "interaction %s was not acknowledged in time (%s)", interaction.id, exc.code
            )
            await self.log.mark(interaction.id, "missed")
            return False
        return True

    def _budget(self, interaction: discord.Interaction[Any]) -> float:
        age = (discord.utils.utcnow() - interaction.created_at).total_seconds()
        return max(0.0, min(self.config.ack_budget, 2.5 - max(age, 0.0)))

    async def _answer(
        self,
        interaction: discord.Interaction[Any],
        outcome: Outcome,
        *,
        extra_row: list[ButtonSpec] | None = None,
    ) -> None:
        try:
            how = await self._send_outcome(interaction, outcome, extra_row or [])
        except Exception as exc:
            _log.warning(
                "could not answer interaction %s: %s", interaction.id, _why(exc), exc_info=exc
            )
            how = "failed"
            await self._say_not_shown(interaction)
        else:
            self._remember(interaction)
        await self.log.mark(interaction.id, how)

    async def _say_not_shown(self, interaction: discord.Interaction[Any]) -> None:
        """A short visible end instead of "thinking…" and then "The application did not
        respond": the first answer if none was sent yet, else a follow-up."""
        try:
            if interaction.response.is_done():
                await interaction.followup.send(
                    MSG_NOT_SHOWN, ephemeral=True, allowed_mentions=NO_MENTIONS
                )
            else:
                await interaction.response.send_message(
                    MSG_NOT_SHOWN, ephemeral=True, allowed_mentions=NO_MENTIONS
                )
        except discord.HTTPException as exc:
            _log.warning(
                "could not tell interaction %s its answer failed: %s", interaction.id, _why(exc)
            )

    async def _send_outcome(
        self, interaction: discord.Interaction[Any], outcome: Outcome, extra_row: list[ButtonSpec]
    ) -> str:
        form = outcome.form
        if form is not None and not interaction.response.is_done():
            try:
                modal = form_modal(form)
            except FormTooLarge:
                _log.error("form %r does not fit a Discord modal", form.id)
                outcome = Outcome(reply=Message.plain(MSG_FAILED))
            else:
                await interaction.response.send_modal(modal)
                return "modal"
        elif form is not None:  # deferred already, and a modal can only be the first answer
            reopens = self.core.routes.reopener(form.id) is not None
            outcome = Outcome(reply=Message.plain(MSG_FORM_LATER if reopens else MSG_FORM_AGAIN))
            if reopens:  # a button opens it; a form about one thing is asked for again
                extra_row = [
                    ButtonSpec("Open the form", f"{MODAL_PREFIX}open:{form.id}", "primary")
                ]
        chunks = render(outcome.reply or Message.plain("Done."), self.names)
        if extra_row:
            if chunks[-1].rows and len(chunks[-1].rows) >= 5:
                chunks.append(Chunk(content="\u200b"))
            chunks[-1].rows.append(extra_row)
        ephemeral = not outcome.public
        for index, chunk in enumerate(chunks):
            kwargs = message_kwargs(chunk)
            if index == 0 and not interaction.response.is_done():
                await interaction.response.send_message(ephemeral=ephemeral, **kwargs)
                continue
            if index == 0 and outcome.public:
                # The deferred answer is private; say where the public reply went.
                await interaction.followup.send(
                    "Posted in the channel.", ephemeral=True, allowed_mentions=NO_MENTIONS
                )
            await interaction.followup.send(ephemeral=ephemeral, **kwargs)
        return "public" if outcome.public else "reply"

    # --- helpers ----------------------------------------------------------------------

    def _opens_form(self, action: str) -> bool:
        try:
            return self.core.routes.button(action)[0].opens_form
        except UserError:
            return False  # the core says it is expired

    async def _refused(self, interaction: discord.Interaction[Any]) -> bool:
        return not await self.accept(interaction)

    def actor(self, interaction: discord.Interaction[Any]) -> Actor:
        return actor_of(
            interaction, guild_id=self.guild_id, organizer_role_id=self.config.organizer_role_id
        )

    def _remember(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.type is discord.InteractionType.autocomplete:
            return
        key = (str(self.guild_id), str(interaction.user.id))
        self.recent.pop(key, None)
        self.recent[key] = interaction
        while len(self.recent) > RECENT_MAX:
            self.recent.popitem(last=False)

    def answerable(self, community: str, user_id: str) -> discord.Interaction[Any] | None:
        """The member's latest interaction whose token can still send a follow-up."""
        interaction = self.recent.get((community, user_id))
        if interaction is None or is_expired(interaction, FOLLOW_UP_MARGIN):
            return None
        return interaction


def _why(exc: BaseException) -> str:
    """For the log: Discord's own error (status, code, message), or the exception's type."""
    return describe(exc) if isinstance(exc, discord.HTTPException) else type(exc).__name__


async def _safely(work: Callable[[], Awaitable[Outcome]]) -> Outcome:
    """The work's outcome; a failure around the core (a download, say) becomes a reply,
    so a deferred interaction is never left "thinking"."""
    try:
        return await work()
    except Exception as exc:
        _log.error("interaction work failed", exc_info=exc)
        return Outcome(reply=Message.plain(MSG_FAILED))
