"""Button action ids: `s4b:verb:entity_id`, built and parsed here only, so they outlive restarts.

This is the wire format alone: which verbs exist is the route table's to say (each
`ButtonRoute` declares one), and an id whose verb it does not know is refused there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from s4b_bot.errors import UserError
from s4b_bot.words import BUTTON_EXPIRED

PREFIX = "s4b"
MAX_ID = 2**31 - 1
VERB = r"[a-z_]{1,20}"
PATTERN = rf"{PREFIX}:(?P<verb>{VERB}):(?P<id>[0-9]{{1,18}})"
"""An action id's shape, as a regular expression (Discord's persistent buttons match it):
loose enough that a forged id still reaches the core, which refuses it politely."""


@dataclass(frozen=True)
class Action:
    verb: str
    entity_id: int

    def encode(self) -> str:
        return f"{PREFIX}:{self.verb}:{self.entity_id}"


def is_entity_id(text: str) -> bool:
    """Digits a database key can be: ASCII ("²" is a digit to `str.isdigit`), 32-bit."""
    return text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_ID


def action_id(verb: str, entity_id: int) -> str:
    if not re.fullmatch(VERB, verb):
        raise ValueError(f"not an action verb: {verb!r}")
    return Action(verb, entity_id).encode()


def parse_action(value: str) -> Action:
    """The verb and entity of a well-formed id; anything else is an expired button."""
    parts = value.split(":")
    if len(parts) != 3 or parts[0] != PREFIX or not re.fullmatch(VERB, parts[1]):
        raise UserError(BUTTON_EXPIRED)
    if not is_entity_id(parts[2]):
        raise UserError(BUTTON_EXPIRED)  # forged: the database's 32-bit key could not hold it
    return Action(parts[1], int(parts[2]))
