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
    """What to call people: their profile's display name, else its real name (users.info,
    https://api.slack.com/methods/users.info), remembered for a while. Payloads carry only
    the handle ("ana"), which people did not choose to be called by."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        limit: int = 10_000,
        ttl: float = 3_600.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._names: dict[str, tuple[str, float]] = {}
        self._limit = limit
        self._ttl = ttl
        self._monotonic = monotonic

    async def of(self, user_id: str) -> str:
        """The profile's name; "" if Slack cannot say (the caller falls back)."""
        now = self._monotonic()
        known = self._names.get(user_id)
        if known is not None and now - known[1] < self._ttl:
            return known[0]
        try:
            response = await self._client.users_info(user=user_id)
        except (SlackClientError, OSError) as exc:
            # Remembered too, so a member Slack cannot describe costs one call an hour.
            _log.warning("cannot look up a member's name: %s", type(exc).__name__)
            response = {}
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        name = str(
            profile.get("display_name")
            or profile.get("real_name")
            or user.get("real_name")
            or user.get("name")
            or (known[0] if known else "")
        ).strip()
        if len(self._names) >= self._limit:
            self._names.clear()
        self._names[user_id] = (name, now)
        return name
