"""`/s4b-admin summary page`: whether a summary's web page is public or unlisted (behind a
secret link, the default), a fresh secret link, and where the page is."""

from __future__ import annotations

import secrets

from s4b_bot.context import Context
from s4b_bot.conversation import audit
from s4b_bot.conversation.summaries import ensure_held, page_line, plan_post, summary_of
from s4b_bot.errors import NotFound
from s4b_bot.output import Message, Outcome
from s4b_bot.pages.summary import ensure_token
from s4b_bot.routing.route import Args

CHOICES = ("public", "unlisted", "reset")

_DONE = {
    "public": "is public: anyone with its plain address can read it (the secret link works too)",
    "unlisted": (
        "is unlisted: only its secret link opens it; its plain address answers “not found”"
    ),
    "reset": "has a new secret link: the old one no longer works",
}


async def summary_page(ctx: Context, args: Args) -> Outcome:
    """Show the page's state and address, or make it public, unlisted, or re-linked."""
    session = args.session()
    ensure_held(session, ctx.now)
    summary = await summary_of(ctx.db, session.id)
    if summary is None:
        raise NotFound(f"The {session.season} session has no summary yet, so no page.")
    action = args.get("visibility")
    ensure_token(summary)
    if action is None:
        audit.unchanged(ctx)
        state = "public" if summary.page_public else "unlisted (secret link)"
        return Outcome(
            reply=Message.plain(
                f"The {session.season} summary's page is {state}. "
                + page_line(summary, session, ctx.settings)
            )
        )
    if action == "reset":
        summary.page_token = secrets.token_urlsafe(24)
    else:
        summary.page_public = action == "public"
    summary.version += 1  # the post links to the page: edit it to the address that works
    await plan_post(ctx, summary)
    audit.record(ctx, f"summary page {action}", audit.session_target(session))
    return Outcome(
        reply=Message.plain(
            f"The {session.season} summary's page {_DONE[action]}. "
            + page_line(summary, session, ctx.settings)
        )
    )
