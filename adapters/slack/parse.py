"""Slack payloads in: who is asking, from where, and what they asked for.

Shapes: slash commands https://api.slack.com/interactivity/slash-commands#app_command_handling,
block_actions and view_submission https://api.slack.com/reference/interaction-payloads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from s4b_bot import Actor

PLATFORM = "slack"


@dataclass(frozen=True)
class Who:
    """The person behind a payload, before the organizer check."""

    team_id: str
    user_id: str
    name: str

    def actor(self, *, is_organizer: bool) -> Actor:
        return Actor(PLATFORM, self.team_id, self.user_id, self.name, is_organizer=is_organizer)


@dataclass(frozen=True)
class Origin:
    """Where an answer can go: the response_url (bolt's respond) and/or a fresh trigger_id."""

    trigger_id: str | None
    has_response_url: bool
    view_type: str | None = None
    """"home" or "modal" for interactions in a view."""

    @property
    def in_modal(self) -> bool:
        return self.view_type == "modal"


def _team(body: Mapping[str, Any]) -> str:
    team = body.get("team") or {}
    user = body.get("user") or {}
    return str(
        body.get("team_id")
        or (team.get("id") if isinstance(team, dict) else None)
        or (user.get("team_id") if isinstance(user, dict) else None)
        or body.get("enterprise_id")
        or ""
    )


def from_command(body: Mapping[str, Any]) -> tuple[Who, Origin]:
    who = Who(_team(body), str(body["user_id"]), str(body.get("user_name") or body["user_id"]))
    origin = Origin(
        trigger_id=body.get("trigger_id"),
        has_response_url=bool(body.get("response_url")),
    )
    return who, origin


def command_text(body: Mapping[str, Any]) -> str:
    """The text typed after a slash command, as typed: Slack sends `&`, `<` and `>` as
    `&amp;`, `&lt;` and `&gt;` (https://api.slack.com/reference/surfaces/formatting#escaping)."""
    text = str(body.get("text") or "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def from_interaction(body: Mapping[str, Any]) -> tuple[Who, Origin]:
    """block_actions and view_submission."""
    user = body["user"]
    name = user.get("name") or user.get("username") or user["id"]
    view = body.get("view") or {}
    origin = Origin(
        trigger_id=body.get("trigger_id"),
        has_response_url=bool(body.get("response_url")),
        view_type=view.get("type"),
    )
    return Who(_team(body), str(user["id"]), str(name)), origin


def from_home_event(body: Mapping[str, Any], event: Mapping[str, Any]) -> Who:
    """app_home_opened carries no name; the caller fills it in."""
    return Who(_team(body), str(event["user"]), "")


def root_of(command: str) -> str:
    """ "/s4b-admin" -> "s4b-admin"."""
    return command.strip().lstrip("/")


def action_id(body: Mapping[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("action_id", ""))
