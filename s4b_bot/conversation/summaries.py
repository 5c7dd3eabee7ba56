"""Session summaries: the facilitator's one page (insights, recommendations, resources,
collaboration opportunities), posted to the summaries channel with a discussion thread,
announced to registrants, shown to anyone, exported as Markdown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.context import Context
from s4b_bot.conversation import audit
from s4b_bot.conversation.threads import plan_moderation
from s4b_bot.errors import FormInvalid, NotFound, UserError
from s4b_bot.feedback import results as feedback_results
from s4b_bot.invocation import FormValue
from s4b_bot.outbox import planning
from s4b_bot.outbox.cache import cached_reference, cached_session
from s4b_bot.outbox.kinds import Change, Draft, Rendering, Withdraw, channel_post, member_dm
from s4b_bot.output import Attachment, Card, Form, FormField, Message, Outcome, Text
from s4b_bot.pages.pdf import page_pdf
from s4b_bot.pages.summary import SECTIONS, ensure_token, page_url, summary_html
from s4b_bot.programme.sessions import is_over
from s4b_bot.routing.route import Args
from s4b_bot.settings import Settings
from s4b_bot.timefmt import format_date, format_span
from s4b_bot.validate import clean_text
from s4b_bot.words import SESSION_GONE
from storage import outbox, queries
from storage.models import Account, ProgrammeSession, Summary

FORM_KEY = "summary"
MAX_SECTION = 3_000
MAX_ATTENDANCE = 500
MAX_FILE = 100_000
"""Bytes of a Markdown summary file, at most."""
SUMMARIES = "summaries"


def summary_form(session: ProgrammeSession, existing: Summary | None) -> Form:
    fields = [
        FormField(
            key,
            label,
            "long_text",
            max_length=MAX_SECTION,
            default=getattr(existing, key) if existing else None,
        )
        for key, label in SECTIONS
    ]
    fields.append(
        FormField(
            "attendance",
            "Attendance",
            "short_text",
            required=False,
            max_length=MAX_ATTENDANCE,
            hint="e.g. 34 participants from 12 communities",
            default=existing.attendance if existing else None,
        )
    )
    return Form(
        id=f"{FORM_KEY}:{session.id}",
        title=f"{session.season} summary",
        fields=tuple(fields),
        submit_label="Post summary" if existing is None else "Update summary",
        intro=f"The one-page summary of the {session.season} session: “{session.title}”.",
    )


async def summary_of(db: AsyncSession, session_id: int) -> Summary | None:
    return await db.scalar(select(Summary).where(Summary.session_id == session_id))


def ensure_held(session: ProgrammeSession, now: datetime) -> None:
    """A summary is of a session that took place: refuse one that is cancelled or not over."""
    if session.status == "cancelled":
        raise UserError(f"The {session.season} session was cancelled; it has no summary.")
    if not is_over(session, now):
        ends = format_span(session.ends_at, None, session.timezone)
        raise UserError(
            f"The {session.season} session has not taken place yet: it ends {ends}. "
            "Its summary comes after that."
        )


async def start_summary(ctx: Context, args: Args) -> Outcome:
    """`/s4b-admin summary <session>`: the form, or a Markdown file with the four headings."""
    session = args.session()
    ensure_held(session, ctx.now)
    existing = await summary_of(ctx.db, session.id)
    if ctx.files:
        values = parse_markdown(ctx.files[0].content)
        return await save_summary(ctx, session.id, values)
    audit.unchanged(ctx)  # only the form: sending it is the change, recorded then
    return Outcome(form=summary_form(session, existing))


def parse_markdown(content: bytes) -> dict[str, FormValue]:
    """The four sections of a Markdown summary, found by their headings (any level).

    One pass over the lines with plain string scans, no regular expression: the work is
    linear in the file, which is at most MAX_FILE bytes.
    """
    if len(content) > MAX_FILE:
        raise UserError("That file is over 100 KB; a one-page summary is a few kilobytes.")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError("The summary file must be UTF-8 Markdown text.") from None
    names = {label.lower(): key for key, label in SECTIONS} | {
        "collaboration": "collaboration",
        "attendance": "attendance",
    }
    values: dict[str, FormValue] = {}
    current: str | None = None
    lines: list[str] = []
    for line in [*text.splitlines(), "# end"]:
        heading = heading_text(line)
        if heading is not None:
            if current is not None:
                values[current] = "\n".join(lines).strip()
            current = names.get(heading.lower().rstrip(":"))
            lines = []
        elif current is not None:
            lines.append(line)
    missing = [label for key, label in SECTIONS if not values.get(key)]
    if missing:
        raise UserError(
            "The file needs a heading and some text for each section: "
            + ", ".join(f"“{m}”" for m in missing)
            + " missing."
        )
    return values


def heading_text(line: str) -> str | None:
    """The text of an ATX heading ("## Insights ##" → "Insights"), or None for another line.

    CommonMark's rule: up to three spaces, one to six "#", then a space, a tab or the end;
    an optional closing run of "#" after a space.
    """
    marks = line.lstrip(" ")
    if len(line) - len(marks) > 3:
        return None
    after = marks.lstrip("#")
    if not 1 <= len(marks) - len(after) <= 6 or after[:1] not in ("", " ", "\t"):
        return None
    text = after.strip(" \t")
    unclosed = text.rstrip("#")
    if unclosed[-1:] in ("", " ", "\t"):  # all "#", or a closing run after a space
        text = unclosed.rstrip(" \t")
    return text


async def save_summary(ctx: Context, session_id: int, values: Mapping[str, FormValue]) -> Outcome:
    """The summary form (`summary:<session>`) or file: checked, saved, posted."""
    session = await queries.session_by_id(ctx.db, session_id)
    if session is None:
        raise NotFound(SESSION_GONE)
    ensure_held(session, ctx.now)  # again: a form opened earlier may be sent any time
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for key, label in (*SECTIONS, ("attendance", "Attendance")):
        raw = values.get(key)
        try:
            cleaned[key] = clean_text(
                label,
                raw if isinstance(raw, str) else "",
                max_length=MAX_ATTENDANCE if key == "attendance" else MAX_SECTION,
                required=key != "attendance",
                multiline=True,
            )
        except UserError as exc:
            errors[key] = str(exc)
    if errors:
        raise FormInvalid(errors)
    summary = await summary_of(ctx.db, session.id)
    first = summary is None
    if summary is None:
        summary = Summary(session_id=session.id, created_at=ctx.now, version=0, author_name="")
        ctx.db.add(summary)
    for key, _ in SECTIONS:
        setattr(summary, key, cleaned[key])
    summary.attendance = cleaned["attendance"] or None
    summary.author_name = ctx.actor.display_name[:200]
    summary.version += 1
    summary.updated_at = ctx.now
    ensure_token(summary)  # the page's secret address, before the post links to it
    await plan_post(ctx, summary, first=first)
    if first:
        for member, community in await planning.confirmed_registrants(ctx.db, session.id):
            await planning.plan_member_message(
                ctx.db,
                kind=SUMMARY_NOTICE,
                dedupe_key=SUMMARY_NOTICE.key(member=member, summary=summary),
                member=member,
                platform=community.platform,
                sessions=[session],
                now=ctx.now,
            )
    audit.record(
        ctx, "summary posted" if first else "summary edited", audit.session_target(session)
    )
    done = (
        "posted to the summaries channel, with a discussion thread; its registrants are told"
        if first
        else "updated: the posted message is edited in place"
    )
    return Outcome(reply=Message.plain(f"The {session.season} summary is {done}."))


async def plan_post(ctx: Context, summary: Summary, *, first: bool = False) -> None:
    """Post the summary, or edit its post in place (each version is its own delivery)."""
    await ctx.db.flush()
    await planning.plan_broadcast(
        ctx.db,
        SUMMARY_POST,
        dedupe_key=SUMMARY_POST.key(summary=summary),
        due_at=ctx.now,
        now=ctx.now,
        session_id=summary.session_id,
        payload={"summary": summary.id, "first": first},
    )


def page_line(summary: Summary, session: ProgrammeSession, settings: Settings) -> str:
    """Where the summary's web page is, or that this bot publishes none (no broken link)."""
    url = page_url(summary, session, settings)
    if url is None:
        return "Its web page is not available here: this bot does not publish web pages."
    return f"As a web page, to share, print or save as PDF: {url}"


def summary_message(summary: Summary, session: ProgrammeSession, settings: Settings) -> Message:
    """The summary as a message: a heading and its page's link, then one card per section."""
    date = format_date(session.starts_at, session.timezone)
    lead = [Text.of(f"Summary of the {session.season} session ({date}): {session.title}")]
    if summary.attendance:
        lead.append(Text.of(f"Attendance: {summary.attendance}"))
    lead.append(Text.of(page_line(summary, session, settings)))
    cards = tuple(
        Card(title=label, body=(Text.of(getattr(summary, key)),)) for key, label in SECTIONS
    )
    return Message(text=tuple(lead), cards=cards)


async def show_summary(ctx: Context, args: Args) -> Outcome:
    """`/s4b summary [<session>]`: anyone may read it; the latest by default."""
    session = args.maybe_session()
    if session is not None:
        ensure_held(session, ctx.now)
        summary = await summary_of(ctx.db, session.id)
        if summary is None:
            return Outcome(reply=Message.plain(f"The {session.season} session has no summary yet."))
        return Outcome(reply=summary_message(summary, session, ctx.settings))
    summaries = await ctx.db.execute(
        select(Summary, ProgrammeSession)
        .join(ProgrammeSession)
        .order_by(ProgrammeSession.starts_at.desc())
    )
    held = ((s, p) for s, p in summaries if p.status != "cancelled" and is_over(p, ctx.now))
    latest = next(held, None)
    if latest is None:
        return Outcome(reply=Message.plain("No session has a summary yet."))
    return Outcome(reply=summary_message(*latest, ctx.settings))


def _heading(session: ProgrammeSession) -> str:
    date = format_date(session.starts_at, session.timezone)
    return f"# {session.season} Session — {session.title}\n\n*{date} · {session.series.name}*"


def summary_markdown(summary: Summary, session: ProgrammeSession) -> str:
    parts = [_heading(session)]
    if summary.attendance:
        parts.append(f"**Attendance:** {summary.attendance}")
    for key, label in SECTIONS:
        parts.append(f"## {label}\n\n{getattr(summary, key)}")
    return "\n\n".join(parts) + "\n"


async def export_summary(ctx: Context, args: Args) -> Outcome:
    """`/s4b-admin summary export <session> [md|pdf]`: Markdown with its feedback, or the
    summary's page as a one-page PDF."""
    session = args.session()
    ensure_held(session, ctx.now)
    summary = await summary_of(ctx.db, session.id)
    if args.get("format") == "pdf":
        return await _pdf_export(summary, session)
    feedback = await feedback_results.export_markdown(ctx.db, session)
    if summary is None and feedback is None:
        raise NotFound(f"The {session.season} session has no summary yet.")
    name = f"summary-{session.season.lower()}-{format_date(session.starts_at, session.timezone)}.md"
    page = summary_markdown(summary, session) if summary else _heading(session) + "\n"
    content = "\n".join(p for p in (page, feedback) if p).encode("utf-8")
    what = "summary" if summary else "feedback (no summary yet)"
    with_feedback = " with its feedback" if summary and feedback else ""
    return Outcome(
        reply=Message(
            text=(Text.of(f"The {session.season} {what}{with_feedback} as Markdown."),),
            attachments=(Attachment(name, content, "text/markdown"),),
        )
    )


async def _pdf_export(summary: Summary | None, session: ProgrammeSession) -> Outcome:
    if summary is None:
        raise NotFound(f"The {session.season} session has no summary yet, so no PDF.")
    name = f"summary-{session.season.lower()}-{format_date(session.starts_at, session.timezone)}"
    pdf, pages = await asyncio.to_thread(page_pdf, summary_html(summary, session))  # CPU
    size = "a one-page PDF" if pages == 1 else f"a PDF of {pages} pages: shorten it for one"
    return Outcome(
        reply=Message(
            text=(Text.of(f"The {session.season} summary as {size}."),),
            attachments=(Attachment(f"{name}.pdf", pdf, "application/pdf"),),
        )
    )


async def pin_summary(ctx: Context, args: Args) -> Outcome:
    session = args.session()
    ensure_held(session, ctx.now)
    summary = await summary_of(ctx.db, session.id)
    if summary is None:
        raise NotFound(f"The {session.season} session has no summary to pin yet.")
    await plan_moderation(
        ctx.db, key=f"summary:{summary.id}", channel=SUMMARIES, action="pin", now=ctx.now
    )
    audit.record(ctx, "summary pinned", audit.session_target(session))
    return Outcome(reply=Message.plain(f"The {session.season} summary is being pinned."))


async def _render_post(r: Rendering) -> Draft:
    summary = await r.db.get(Summary, int(r.row.payload["summary"]))
    if summary is None:
        raise Withdraw("summary gone")
    session = await cached_session(r.db, summary.session_id)
    assert session is not None
    key = f"summary:{summary.id}"
    ref = await outbox.get_ref(r.db, platform=r.platform, community_id=r.community.id, key=key)
    title = None if ref else f"Discussion: {session.season} session summary"
    message = summary_message(summary, session, r.settings)
    return Draft(message, channel=SUMMARIES, ref=ref, ref_key=key, thread_title=title)


async def _render_notice(r: Rendering) -> Draft:
    session = await cached_session(r.db, int(r.row.payload["sessions"][0]))
    if session is None:
        raise Withdraw("session gone")
    summary = await summary_of(r.db, session.id)
    if summary is None:
        raise Withdraw("summary gone")
    return Draft(
        Message.plain(
            f"The summary of the {session.season} session you registered for is posted in the "
            f"summaries channel, with a thread to carry the conversation on. "
            f"`/s4b summary {await cached_reference(r.db, session)}` shows it here. "
            + page_line(summary, session, r.settings)
        )
    )


def _post_key(*, summary: Summary) -> str:
    return f"summary_post:{summary.id}:{summary.version}"


def _notice_key(*, member: Account, summary: Summary) -> str:
    return f"summary_notice:{member.id}:{summary.id}"


SUMMARY_POST = channel_post(
    "summary_post", "summary post", _post_key, _render_post, [Change.CANCEL]
)
SUMMARY_NOTICE = member_dm(
    "summary_notice",
    "summary notice",
    _notice_key,
    _render_notice,
    [Change.CANCEL, Change.UNREGISTER, Change.FORGET_ME],
)
KINDS = (SUMMARY_POST, SUMMARY_NOTICE)
