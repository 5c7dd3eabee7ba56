"""Button action ids: `s4b:verb:entity_id`, built and parsed here only, so they outlive restarts."""

from __future__ import annotations

from dataclasses import dataclass

from s4b_bot.errors import UserError
from s4b_bot.words import BUTTON_EXPIRED

PREFIX = "s4b"
MAX_ID = 2**31 - 1
VERBS = (
    "register",
    "unregister",
    "session",
    "calendar",
    "vote_up",
    "vote_down",
    "report",
    "forget",
)


@dataclass(frozen=True)
class Action:
    verb: str
    entity_id: int

    def encode(self) -> str:
        return f"{PREFIX}:{self.verb}:{self.entity_id}"


def action_id(verb: str, entity_id: int) -> str:
    if verb not in VERBS:
        raise ValueError(f"unknown action verb {verb!r}")
    return Action(verb, entity_id).encode()


def parse_action(value: str) -> Action:
    parts = value.split(":")
    valid_id = parts[-1].isascii() and parts[-1].isdigit() and len(parts[-1]) <= 10
    if valid_id and int(parts[-1]) > MAX_ID:
        valid_id = False  # a forged id the database's 32-bit key could not even look up
    if len(parts) != 3 or parts[0] != PREFIX or parts[1] not in VERBS or not valid_id:
        raise UserError(BUTTON_EXPIRED)
    return Action(parts[1], int(parts[2]))
