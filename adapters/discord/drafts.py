"""Drafts of refused forms: what a member typed, kept a while so "Fix the form" opens the
form again with it (Discord's modals cannot show field errors)."""

from __future__ import annotations

import dataclasses
import time

from s4b_bot import Actor, Form, FormValue

DRAFT_LIFETIME = 3_600.0


class Drafts:
    """What each member last typed in each form, for `DRAFT_LIFETIME` seconds."""

    def __init__(self) -> None:
        self._saved: dict[tuple[str, str, str], tuple[float, dict[str, FormValue]]] = {}

    def keep(self, actor: Actor, form_id: str, values: dict[str, FormValue]) -> None:
        now = time.monotonic()
        for stale in [k for k, (at, _) in self._saved.items() if now - at > DRAFT_LIFETIME]:
            del self._saved[stale]
        self._saved[(actor.community, actor.user_id, form_id)] = (now, values)

    def drop(self, actor: Actor, form_id: str) -> None:
        self._saved.pop((actor.community, actor.user_id, form_id), None)

    def fill(self, actor: Actor, form: Form) -> Form:
        """The form with the member's draft as its defaults, if one is still kept."""
        key = (actor.community, actor.user_id, form.id)
        saved = self._saved.get(key)
        if saved is None or time.monotonic() - saved[0] > DRAFT_LIFETIME:
            self._saved.pop(key, None)
            return form
        draft = saved[1]
        return dataclasses.replace(
            form,
            fields=tuple(
                dataclasses.replace(f, default=draft[f.id]) if f.id in draft else f
                for f in form.fields
            ),
        )
