"""The conversation's routes: summaries (command and form), ideas and their vote buttons,
reports (command, button and form; a message's own gesture and form), moderation, and the
audit log."""

from __future__ import annotations

from s4b_bot.conversation import (
    audit,
    ideas,
    message_reports,
    moderation,
    summaries,
    summary_pages,
    year_review,
)
from s4b_bot.routing.route import (
    SESSION,
    ButtonRoute,
    CommandRoute,
    EntityFormRoute,
    MessageRoute,
    Option,
    Route,
)

ROUTES: tuple[Route, ...] = (
    CommandRoute(
        "summary",
        "A session's one-page summary (the latest by default).",
        summaries.show_summary,
        options=(Option("session", "session", "A session"),),
        example="/s4b summary spring",
    ),
    CommandRoute(
        "idea",
        "Share an idea to carry the conversation on between sessions.",
        ideas.submit_idea,
        options=(
            Option(
                "text",
                "text",
                "Your idea",
                required=True,
                max_length=ideas.MAX_IDEA,
                label="Your idea",
            ),
            Option("session", "session", "The session it is about", keyword_only=True),
        ),
        example="/s4b idea A shared map of local belonging projects --session summer",
    ),
    ButtonRoute("vote_up", ideas.vote_up),
    ButtonRoute("vote_down", ideas.vote_down),
    CommandRoute(
        "ideas",
        "The ideas with their votes and status: `top`, `new` or `mine`.",
        ideas.list_ideas,
        options=(
            Option(
                "order", "choice", "Which ideas, in which order", choices=("top", "new", "mine")
            ),
        ),
    ),
    CommandRoute(
        "report",
        "Tell the organizers an idea breaks the guidelines (`/s4b values`).",
        moderation.report,
        options=(
            Option("idea", "text", "The idea's number", required=True, max_length=12),
            Option(
                "reason", "text", "What is wrong", required=True, max_length=moderation.MAX_REASON
            ),
        ),
        example="/s4b report 12 personal attack",
    ),
    ButtonRoute("report", moderation.open_report_form, opens_form=True),
    EntityFormRoute(moderation.FORM_KEY, "report", moderation.submit_report),
    MessageRoute(
        message_reports.GESTURE,
        message_reports.CALLBACK_ID,
        message_reports.open_report,
        opens_form=True,
    ),
    EntityFormRoute(
        message_reports.FORM_KEY, message_reports.GESTURE, message_reports.submit_report
    ),
    CommandRoute(
        "summary",
        "Post or edit a session's summary: a form, or attach a Markdown file.",
        summaries.start_summary,
        options=(
            SESSION,
            Option(
                "file",
                "file",
                "A Markdown file with the four headings",
                accept=(".md", ".markdown", ".txt"),
            ),
        ),
        audience="organizer",
        audit="change",
        example="/s4b-admin summary spring",
        opens_form=True,
    ),
    EntityFormRoute(
        summaries.FORM_KEY,
        "summary",
        summaries.save_summary,
        audience="organizer",
        audit="change",
    ),
    CommandRoute(
        "summary export",
        "A session's summary: `md` (with its feedback, the default) or `pdf` (its one page).",
        summaries.export_summary,
        options=(
            SESSION,
            Option("format", "choice", "The file's format", choices=("md", "pdf")),
        ),
        audience="organizer",
        audit="export",  # its feedback names those who asked to be contacted
        example="/s4b-admin summary export spring pdf",
    ),
    CommandRoute(
        "summary page",
        "A summary's web page: its address, or make it `public`, `unlisted` or `reset` its link.",
        summary_pages.summary_page,
        options=(
            SESSION,
            Option("visibility", "choice", "Who can open the page", choices=summary_pages.CHOICES),
        ),
        audience="organizer",
        audit="change",
        example="/s4b-admin summary page spring public",
    ),
    CommandRoute(
        "review",
        "A series' year in review: its page's address and a PDF (`public`, `unlisted`, `reset`).",
        year_review.review,
        options=(
            Option("series", "text", "The series (its key or name)", required=True, max_length=64),
            Option("visibility", "choice", "Who can open the page", choices=year_review.CHOICES),
        ),
        audience="organizer",
        audit="export",
        example="/s4b-admin review s4b-2025",
    ),
    CommandRoute(
        "summary pin",
        "Pin a session's summary in the summaries channel.",
        summaries.pin_summary,
        options=(SESSION,),
        audience="organizer",
        audit="change",
    ),
    CommandRoute(
        "idea",
        "Move an idea along: open, review, carry <session>, done, hide [reason], merge <idea>.",
        ideas.change_status,
        options=(
            Option("idea", "text", "The idea's number", required=True, max_length=12),
            Option(
                "action",
                "choice",
                "What to do",
                required=True,
                choices=("open", "review", "carry", "done", "hide", "merge"),
            ),
            Option(
                "detail", "text", "The session, the idea it duplicates, or a reason", max_length=300
            ),
        ),
        audience="organizer",
        audit="change",
        example="/s4b-admin idea 12 carry summer",
    ),
    CommandRoute(
        "queue",
        "The moderation queue: open reports.",
        moderation.queue,
        audience="organizer",
        audit="none",
    ),
    CommandRoute(
        "resolve",
        "Resolve a report: `dismiss`, `hide` the idea, `remove` the message or `slow` its thread.",
        moderation.resolve_report,
        options=(
            Option("report", "text", "The report's number", required=True, max_length=12),
            Option(
                "decision",
                "choice",
                "What to do",
                required=True,
                choices=("dismiss", "hide", "remove", "slow"),
            ),
            Option("note", "text", "Why", max_length=300),
            Option(
                "every",
                "text",
                "For slow: time between a member's messages (30s, 10m, 6h, off)",
                keyword_only=True,
                max_length=12,
            ),
        ),
        example="/s4b-admin resolve 4 slow heated thread --every 10m",
        audience="organizer",
        audit="change",
    ),
    CommandRoute(
        "thread",
        "Lock, unlock or archive the discussion of `idea <n>` or `summary <session>`.",
        moderation.thread_action,
        options=(
            Option(
                "action",
                "choice",
                "What to do",
                required=True,
                choices=("lock", "unlock", "archive"),
            ),
            Option("target", "text", "`idea 12` or `summary spring`", required=True, max_length=60),
        ),
        audience="organizer",
        audit="change",
    ),
    CommandRoute(
        "audit",
        "The audit log: who did what, when and why.",
        audit.show_audit,
        audience="organizer",
        audit="none",
    ),
)
