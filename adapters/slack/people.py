"""Who is an organizer, and what to call people, on a platform without roles.

Organizers are configured user ids and/or the members of one user group. The group is
read with usergroups.users.list and kept for a short while, so adding someone to the
group takes effect within a minute without a restart. If Slack cannot be asked, the last
known list is kept (and nobody new is let in): fail closed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

_log = logging.getLogger(__name__)


class Organizers:
    def __init__(
        self,
        client: AsyncWebClient,
        *,
        user_ids: frozenset[str],
        group: str | None,
        ttl: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._ids = user_ids
        self._group = group
        self._ttl = ttl
        self._monotonic = monotonic
        self._members: frozenset[str] = frozenset()
        self._fetched_at: float | None = None

    async def contains(self, user_id: str) -> bool:
        if user_id in self._ids:
            return True
        if self._group is None:
            return False
        return user_id in await self._group_members()

    async def _group_members(self) -> frozenset[str]:
        assert self._group is not None
        now = self._monotonic()
        if self._fetched_at is not None and now - self._fetched_at < self._ttl:
            return self._members
        try:
            response = await self._client.usergroups_users_list(usergroup=self._group)
            self._members = frozenset(str(u) for u in response.get("users") or ())
        except (SlackClientError, OSError) as exc:
            _log.warning("cannot read the organizer user group: %s", type(exc).__name__)
        self._fetched_at = now
        return self._members


class Names:
    """Display names seen in payloads, and users.info for events that carry none."""

    def __init__(self, client: AsyncWebClient, *, limit: int = 10_000) -> None:
        self._client = client
        self._names: dict[str, str] = {}
        self._limit = limit

    def remember(self, user_id: str, name: str) -> None:
        if name and name != user_id:
            if len(self._names) >= self._limit:
                self._names.clear()
            self._names[user_id] = name

    async def of(self, user_id: str) -> str:
        """A known name, else Slack's; "" if Slack cannot say (the core keeps the old one)."""
        if user_id in self._names:
            return self._names[user_id]
        try:
            response = await self._client.users_info(user=user_id)
        except (SlackClientError, OSError) as exc:
            _log.warning("cannot look up a member's name: %s", type(exc).__name__)
            return ""
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        name = str(
            profile.get("display_name") or profile.get("real_name") or user.get("name") or ""
        )
        self.remember(user_id, name)
        return name
