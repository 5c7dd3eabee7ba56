"""A claimed batch of outbox rows: each drawn as a delivery, or skipped (withdrawn, or
failed to draw), and of several edits of one post only the newest sent."""

from __future__ import annotations

from dataclasses import dataclass

from s4b_bot.outbox.rendering import Delivery


@dataclass(frozen=True)
class Skip:
    """A claimed row not to send: withdrawn (no longer applies) or failed (cannot render)."""

    reason: str
    failed: bool = False


def supersede_older_edits(
    work: list[tuple[int, int, Delivery | Skip]],
) -> list[tuple[int, int, Delivery | Skip]]:
    """Of several rows in one batch that post or edit the same thing (an idea's post after
    a flurry of votes), send only the newest: each is drawn from the current state, so it
    says all the older ones would, and sending them side by side would post twice."""
    newest: dict[tuple[str, int, str], int] = {}
    for row_id, _, delivery in work:
        if isinstance(delivery, Delivery) and delivery.draft.ref_key and delivery.community_id:
            key = (delivery.platform, delivery.community_id, delivery.draft.ref_key)
            newest[key] = max(newest.get(key, 0), row_id)
    result: list[tuple[int, int, Delivery | Skip]] = []
    for row_id, attempts, delivery in work:
        if isinstance(delivery, Delivery) and delivery.draft.ref_key and delivery.community_id:
            key = (delivery.platform, delivery.community_id, delivery.draft.ref_key)
            if newest[key] != row_id:
                result.append((row_id, attempts, Skip("superseded by a newer edit")))
                continue
        result.append((row_id, attempts, delivery))
    return result


Work = list[tuple[int, int, Delivery | Skip]]
