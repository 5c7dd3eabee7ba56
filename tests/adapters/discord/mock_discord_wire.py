"""What passes between discord.py and the mock Discord: the requests it records (JSON or
multipart), the failures a test injects, and which OpenAPI operation a request is."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

OPERATIONS = [
    ("POST", r"/interactions/\d+/[^/]+/callback", "create_interaction_response"),
    ("POST", r"/webhooks/\d+/[^/]+", "execute_webhook"),
    ("PATCH", r"/webhooks/\d+/[^/]+/messages/[^/]+", "update_original_webhook_message"),
    ("POST", r"/channels/\d+/messages", "create_message"),
    ("PATCH", r"/channels/\d+/messages/\d+", "update_message"),
    ("POST", r"/channels/\d+/messages/\d+/threads", "create_thread_from_message"),
    ("POST", r"/channels/\d+/threads", "create_thread"),
    ("PATCH", r"/channels/\d+", "update_channel"),
    ("DELETE", r"/channels/\d+/messages/\d+", "delete_message"),
    ("POST", r"/users/@me/channels", "create_dm"),
    ("PUT", r"/applications/\d+/guilds/\d+/commands", "bulk_set_guild_application_commands"),
    ("PUT", r"/applications/\d+/commands", "bulk_set_application_commands"),
    ("POST", r"/guilds/\d+/scheduled-events", "create_guild_scheduled_event"),
    ("PATCH", r"/guilds/\d+/scheduled-events/\d+", "update_guild_scheduled_event"),
]


@dataclass
class Part:
    name: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class Request:
    method: str
    path: str
    """Without the /api/v10 prefix: "/channels/1/messages"."""
    query: dict[str, str]
    json: Any = None
    parts: list[Part] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def body(self) -> Any:
        """The JSON body, or a multipart request's payload_json."""
        if self.json is not None:
            return self.json
        for part in self.parts:
            if part.name == "payload_json":
                return json.loads(part.data)
        return None

    @property
    def files(self) -> list[Part]:
        return [p for p in self.parts if p.filename is not None]


@dataclass
class Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    body: Any
    headers: dict[str, str]
    times: int


def operation_of(request: Request) -> str | None:
    """The OpenAPI operationId of a request the bot sends, if it has a request body."""
    for method, path, operation in OPERATIONS:
        if request.method == method and re.fullmatch(path, request.path):
            return operation
    return None
