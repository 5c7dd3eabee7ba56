"""Inbound translation: who is behind an interaction, and what a submitted modal holds."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import discord

from adapters.discord.views import FOLD
from s4b_bot import Actor, FormValue

PLATFORM = "discord"
_EMAIL_TOKEN = re.compile(r"[^\s,;<>()]*@[^\s,;<>()]*")
_SEPARATORS = " ,;/|·–—-"

ModalValue = str | list[str] | bool | None


def is_organizer(interaction: discord.Interaction[Any], organizer_role_id: int | None) -> bool:
    """With a configured organizer role, holding it; otherwise the Manage Events permission
    (the same that shows `/s4b-admin` by default)."""
    user = interaction.user
    if organizer_role_id is not None:
        # The role ids come with the interaction; `Member.roles` would need the role cache.
        roles = getattr(user, "_roles", ())
        return isinstance(user, discord.Member) and organizer_role_id in roles
    return interaction.permissions.manage_events


def actor_of(
    interaction: discord.Interaction[Any], *, guild_id: int, organizer_role_id: int | None
) -> Actor:
    """The core's Actor, a member of the configured server.

    An interaction from that server may carry organizer rights (its role or Manage Events
    there); one in a DM (a button under a reminder) acts as a member only. Interactions
    from other servers never get here (`serves`).
    """
    return Actor(
        platform=PLATFORM,
        community=str(guild_id),
        user_id=str(interaction.user.id),
        display_name=interaction.user.display_name,
        is_organizer=interaction.guild_id == guild_id
        and is_organizer(interaction, organizer_role_id),
    )


def serves(interaction: discord.Interaction[Any], guild_id: int) -> bool:
    """The bot serves one server, and DMs with its members: not any other server it is in."""
    return interaction.guild_id in (None, guild_id)


def modal_values(components: Iterable[Mapping[str, Any]]) -> dict[str, ModalValue]:
    """The values of a MODAL_SUBMIT's components by custom_id, through labels and rows."""
    values: dict[str, ModalValue] = {}
    for component in components:
        kind = component.get("type")
        if kind == 1:  # action row (legacy layout)
            values.update(modal_values(component.get("components", [])))
        elif kind == 18:  # label
            values.update(modal_values([component["component"]]))
        elif "custom_id" in component:
            if kind == 4:  # text input
                values[component["custom_id"]] = str(component.get("value") or "")
            elif kind == 23:  # checkbox
                values[component["custom_id"]] = component.get("value") is True
            elif kind == 21:  # radio group: the one value chosen, or null
                value = component.get("value")
                values[component["custom_id"]] = value if isinstance(value, str) else None
            else:  # selects, checkbox groups
                values[component["custom_id"]] = [str(v) for v in component.get("values", [])]
    return values


def split_text_and_email(text: str) -> tuple[str, str]:
    """ "Community garden lead, ada@example.org" → ("Community garden lead", "ada@…")."""
    match = _EMAIL_TOKEN.search(text)
    if match is None:
        return text.strip(), ""
    rest = (text[: match.start()] + " " + text[match.end() :]).strip(_SEPARATORS + "\n")
    return re.sub(r"\s{2,}", " ", rest), match.group()


def form_values(raw: Mapping[str, ModalValue]) -> dict[str, FormValue]:
    """The core's form values: folded inputs split again, selections as tuples."""
    values: dict[str, FormValue] = {}
    for custom_id, value in raw.items():
        ids = custom_id.split(FOLD)
        if len(ids) == 2 and isinstance(value, str):
            values[ids[0]], values[ids[1]] = split_text_and_email(value)
        elif isinstance(value, list):
            values[custom_id] = tuple(value)
        else:
            values[custom_id] = value
    return values
