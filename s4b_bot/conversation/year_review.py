"""`/s4b-admin review <series>`: the year in review of a series, as a web page (unlisted
behind a secret link by default, or public) and as a PDF of that page, for the Year-End
session. It counts people and never lists them."""

from __future__ import annotations

import asyncio
import re
import secrets

from sqlalchemy import select

from s4b_bot.context import Context
from s4b_bot.conversation import audit
from s4b_bot.errors import NotFound
from s4b_bot.output import Attachment, Message, Outcome, Text
from s4b_bot.pages.pdf import page_pdf
from s4b_bot.pages.review import review_html, review_page_of, review_url
from s4b_bot.routing.route import Args
from s4b_bot.words import plural
from storage.models import Series

CHOICES = ("public", "unlisted", "reset")
_STATE = {
    True: "public: anyone with its plain address can read it",
    False: "unlisted: only its secret link opens it",
}


def _file_name(series: Series) -> str:
    return re.sub(r"[^a-z0-9]+", "-", series.key.lower()).strip("-")[:60] or "series"


async def _series(ctx: Context, typed: str) -> Series:
    """The series by its key or its name (any case), or NotFound listing the series."""
    wanted = typed.strip().casefold()
    every = (await ctx.db.scalars(select(Series).order_by(Series.created_at, Series.id))).all()
    found = next((s for s in every if wanted in (s.key.casefold(), s.name.casefold())), None)
    if found is not None:
        return found
    if not every:
        raise NotFound("There are no series yet, so nothing to review.")
    listed = ", ".join(f"`{s.key}` ({s.name})" for s in every)
    raise NotFound(f"There is no series {typed.strip()[:64]!r}. The series: {listed}.")


async def review(ctx: Context, args: Args) -> Outcome:
    """The review's page address and its PDF; `public`, `unlisted` or `reset` first."""
    series = await _series(ctx, args["series"])
    page = await review_page_of(ctx.db, series)
    action = args.get("visibility")
    if action == "reset":
        page.token = secrets.token_urlsafe(24)
    elif action is not None:
        page.public = action == "public"
    html = await review_html(ctx.db, series, ctx.now, public=page.public)
    pdf, pages = await asyncio.to_thread(page_pdf, html, one_page=False)  # CPU
    what = f"review {action}" if action else "review exported"
    audit.record(ctx, what, f"series:{series.id} ({series.key})"[:100])
    url = review_url(series, page, ctx.settings)
    if url is None:
        where = "Its web page is not available here: this bot does not publish web pages."
    else:
        fresh = " (a new secret link: the old one no longer works)" if action == "reset" else ""
        where = f"Its web page is {_STATE[page.public]}{fresh}: {url}"
    return Outcome(
        reply=Message(
            text=(
                Text.of(f"{series.name}: the year in review, as a PDF of {plural(pages, 'page')}."),
                Text.of(where),
            ),
            attachments=(Attachment(f"review-{_file_name(series)}.pdf", pdf, "application/pdf"),),
        )
    )
