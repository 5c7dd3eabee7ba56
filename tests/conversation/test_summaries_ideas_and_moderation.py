"""Summaries, ideas, votes, moderation and the audit log, through the core and the real
dispatcher, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.output import Attachment
from s4b_bot.routing.actions import action_id
from storage.models import AuditEntry, Idea, ProgrammeSession, Report, Summary, Vote
from tests.fakes import RecordingPlatform
from tests.helpers import confirmed, flat, reply_text

ADA = Actor("console", "local", "ada", "Ada")
BEN = Actor("console", "local", "ben", "Ben")
JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
AFTER_SPRING = datetime(2025, 4, 29, 19, tzinfo=UTC)
AFTER_SUMMER = datetime(2025, 6, 24, 19, tzinfo=UTC)
SECTIONS = {
    "insights": "Belonging starts with being asked.",
    "recommendations": "Open with a round of names.",
    "resources": "The belonging toolkit.",
    "collaboration": "Libraries want to co-host.",
}


async def say(core: Core, actor: Actor, text: str) -> str:
    root, _, rest = text.partition(" ")
    return flat(reply_text(await core.run_text(actor, root.lstrip("/"), rest)))


async def post_summary(core: Core, **overrides: str) -> str:
    opened = await core.run_text(JO, "s4b-admin", "summary spring")
    assert opened.form is not None and opened.form.id.startswith("summary:")
    outcome = await core.submit(FormSubmission(JO, opened.form.id, {**SECTIONS, **overrides}))
    return flat(reply_text(outcome))


async def test_a_summary_is_posted_with_a_thread_told_to_registrants_and_edited_in_place(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    values = {"name": "Ada", "about": "x", "sessions": ("1",), "consent": True}
    await core.submit(FormSubmission(ADA, "register", values))
    await dispatcher.drain()
    clock.set(AFTER_SPRING)
    assert "posted to the summaries channel" in await post_summary(core)
    await dispatcher.drain()
    [post] = [p for p in platform.posts() if p.to == "summaries"]
    assert post.thread == "Discussion: Spring session summary" and post.ref is None
    assert "Belonging starts with being asked." in post.text
    assert any("summary of the Spring session" in d.text for d in platform.dms_to("ada"))
    assert "edited in place" in await post_summary(core, insights="Revised insight.")
    await dispatcher.drain()
    edit = [p for p in platform.posts() if p.to == "summaries"][-1]
    assert edit.ref is not None and edit.thread is None and "Revised insight." in edit.text
    assert len([d for d in platform.dms_to("ada") if "summary" in d.text]) == 1  # told once
    shown = await say(core, BEN, "/s4b summary")
    assert "Revised insight." in shown and "Collaboration opportunities" in shown
    export = await core.run_text(JO, "s4b-admin", "summary export spring")
    assert export.reply is not None
    [markdown] = export.reply.attachments
    assert markdown.content.decode().startswith("# Spring Session — Cultivating Belonging")
    assert "## Recommendations\n\nOpen with a round of names." in markdown.content.decode()


async def test_the_summary_notice_names_the_session_alone_when_two_share_its_season(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    values = {"name": "Ada", "about": "x", "sessions": ("1",), "consent": True}
    await core.submit(FormSubmission(ADA, "register", values))
    await core.run_text(JO, "s4b-admin", "session add 2026-04-28 13:00 Spring again")
    await dispatcher.drain()
    clock.set(AFTER_SPRING)
    opened = await core.run_text(JO, "s4b-admin", "summary spring-2025")
    assert opened.form is not None
    await core.submit(FormSubmission(JO, opened.form.id, SECTIONS))
    await dispatcher.drain()
    [notice] = [d.text for d in platform.dms_to("ada") if "summary of the Spring" in d.text]
    assert "`/s4b summary spring-2025` shows it here" in flat(notice)
    assert SECTIONS["insights"] in await say(core, ADA, "/s4b summary spring-2025")


async def test_a_summary_from_a_markdown_file_and_bad_summaries(
    core: Core, clock: SettableClock
) -> None:
    clock.set(AFTER_SPRING)
    text = (
        "# Spring\n\n## Insights\nOne.\n\n## Recommendations\nTwo.\n\n"
        "## Resources\nThree.\n\n## Collaboration opportunities\nFour.\n"
    )
    upload = Attachment("summary.md", text.encode(), "text/markdown")
    reply = reply_text(await core.run_text(JO, "s4b-admin", "summary spring", files=(upload,)))
    assert "posted" in reply
    async with core.db.transaction() as db:
        summary = await db.scalar(select(Summary))
        assert summary is not None and (summary.insights, summary.collaboration) == (
            "One.",
            "Four.",
        )
    partial = Attachment("s.md", b"## Insights\nOnly this.\n", "text/markdown")
    clock.set(AFTER_SUMMER)
    reply = flat(
        reply_text(await core.run_text(JO, "s4b-admin", "summary summer", files=(partial,)))
    )
    assert "“Recommendations”, “Resources”, “Collaboration opportunities” missing" in reply
    opened = await core.run_text(JO, "s4b-admin", "summary summer")
    assert opened.form is not None
    outcome = await core.submit(FormSubmission(JO, opened.form.id, {**SECTIONS, "insights": "  "}))
    assert "insights" in outcome.field_errors
    forged = await core.submit(FormSubmission(ADA, opened.form.id, SECTIONS))
    assert "Only organizers" in reply_text(forged)
    assert "no summary yet" in reply_text(await core.run_text(ADA, "s4b", "summary summer"))


async def test_a_summary_waits_for_its_session_to_end_and_the_latest_is_of_a_past_one(
    core: Core, clock: SettableClock
) -> None:
    clock.set(datetime(2025, 4, 29, 17, 30, tzinfo=UTC))  # Spring is under way
    not_yet = "The Spring session has not taken place yet: it ends Tuesday, April 29, 2025, 2:00"
    assert not_yet in await say(core, JO, "/s4b-admin summary spring")
    markdown = "".join(f"## {key}\nText.\n" for key in SECTIONS).encode()
    upload = Attachment("summary.md", markdown, "text/markdown")
    assert not_yet in flat(
        reply_text(await core.run_text(JO, "s4b-admin", "summary spring", files=(upload,)))
    )
    async with core.db.transaction() as db:
        summer = await db.scalar(
            select(ProgrammeSession).where(ProgrammeSession.season == "Summer")
        )
        assert summer is not None
        assert await db.scalar(select(func.count()).select_from(Summary)) == 0
    clock.set(AFTER_SPRING)
    # A form opened earlier (or forged) for a session still to come is refused when sent.
    early = await core.submit(FormSubmission(JO, f"summary:{summer.id}", SECTIONS))
    assert "The Summer session has not taken place yet: it ends Tuesday, June 24, 2025" in flat(
        reply_text(early)
    )
    assert "posted to the summaries channel" in await post_summary(core)
    async with core.db.transaction() as db:  # one posted before the fix, for a future session
        db.add(
            Summary(
                session_id=summer.id,
                created_at=AFTER_SPRING,
                updated_at=AFTER_SPRING,
                version=1,
                author_name="Jo",
                **SECTIONS,
            )
        )
    assert "Summary of the Spring session" in await say(core, BEN, "/s4b summary")
    for command in (
        "/s4b summary summer",
        "/s4b-admin summary export summer",
        "/s4b-admin summary pin summer",
    ):
        assert "The Summer session has not taken place yet" in await say(core, JO, command)
    await confirmed(core, JO, "session cancel fall")
    assert "The Fall session was cancelled; it has no summary." in await say(
        core, JO, "/s4b-admin summary fall"
    )


async def test_ideas_votes_are_one_per_member_and_changeable(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    assert "your idea is #1" in await say(
        core, ADA, "/s4b idea Monthly circles in libraries --session summer"
    )
    await dispatcher.drain()
    [post] = [p for p in platform.posts() if p.to == "ideas"]
    assert post.thread and post.thread.startswith("Idea #1")
    assert "About: the Summer session" in post.text
    up, down = action_id("vote_up", 1), action_id("vote_down", 1)
    assert "counted" in reply_text(await core.press(BEN, up))
    assert "▲ 2 · ▼ 0" in reply_text(await core.press(ADA, up))
    assert "changed" in reply_text(await core.press(BEN, down))
    assert "taken back" in reply_text(await core.press(ADA, up))
    async with core.db.transaction() as db:
        assert await db.scalar(select(func.count()).select_from(Vote)) == 1
    await dispatcher.drain()
    assert "▲ 0 · ▼ 1" in [p for p in platform.posts() if p.to == "ideas"][-1].text
    assert "Say a little more" in await say(core, ADA, "/s4b idea hi")
    assert "--session` needs a value" in await say(
        core, ADA, "/s4b idea Something longer --session"
    )
    mine = await say(core, ADA, "/s4b ideas mine")
    assert "Idea #1" in mine


async def test_report_hide_merge_carry_and_the_audit_log(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    for actor, text in [
        (ADA, "Circles in libraries"),
        (BEN, "Library belonging circles"),
        (BEN, "Buy my product now!!"),
    ]:
        await say(core, actor, f"/s4b idea {text}")
    await core.press(ADA, action_id("vote_up", 1))
    await core.press(BEN, action_id("vote_up", 1))
    await core.press(BEN, action_id("vote_up", 2))
    await core.press(JO, action_id("vote_up", 2))
    form = await core.press(ADA, action_id("report", 3))
    assert form.form is not None
    assert "with the organizers" in reply_text(
        await core.submit(FormSubmission(ADA, form.form.id, {"reason": "Advertising"}))
    )
    assert "already reported" in await say(core, ADA, "/s4b report 3 again")
    queue = await say(core, JO, "/s4b-admin queue")
    assert "Report #1 on idea #3 · " in queue and "Advertising" in queue
    assert "idea:3" not in queue
    assert "resolved (hide)" in await say(core, JO, "/s4b-admin resolve 1 hide advertising")
    assert "merged into #1 (1 vote carried over)" in await say(
        core, JO, "/s4b-admin idea 2 merge 1"
    )
    assert "carried to the Summer session" in await say(core, JO, "/s4b-admin idea 1 carry summer")
    async with core.db.transaction() as db:
        votes_on_1 = await db.scalar(select(func.count()).where(Vote.idea_id == 1))
        statuses = dict((await db.execute(select(Idea.id, Idea.status))).all())
        reports = await db.scalar(select(func.count()).where(Report.status == "open"))
        actions = [
            a
            for (a,) in (await db.execute(select(AuditEntry.action).order_by(AuditEntry.id))).all()
        ]
    assert votes_on_1 == 3  # Ada, Ben (once), Jo
    assert statuses == {1: "carried", 2: "merged", 3: "hidden"}
    assert reports == 0
    assert actions == ["report hide", "idea merge", "idea carry"]  # one entry per command
    audit = await say(core, JO, "/s4b-admin audit")
    assert "Jo (console) · idea merge idea #2" in audit
    assert "report dismiss report #1" in audit or "report #1" in audit
    assert "a.m. EDT · Jo (console)" in audit  # Eastern, the programme's zone, not UTC
    assert "idea:" not in audit and "UTC" not in audit
    await dispatcher.drain()
    notices = [d.text for d in platform.dms_to("ben")]
    assert any("#3 is now hidden by the organizers. Reason: advertising" in n for n in notices)
    assert "The queue" not in await say(core, JO, "/s4b-admin queue")
    assert "no idea #99" in await say(core, JO, "/s4b-admin idea 99 done")
    assert "not an idea number" in await say(core, JO, "/s4b-admin idea abc done")
    assert "cannot be merged into itself" in await say(core, JO, "/s4b-admin idea 1 merge 1")


async def test_thread_moderation_reaches_platforms_and_says_when_one_cannot(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await say(core, ADA, "/s4b idea Circles in public libraries")
    await dispatcher.drain()
    platform.cannot_lock = True
    await say(core, JO, "/s4b-admin thread lock idea 1")
    await say(core, JO, "/s4b-admin thread archive idea 1")
    await dispatcher.drain()
    assert (
        platform.moderated == [("ideas", platform.posts()[0].to and "ideas:1", "archive")]
        or platform.moderated[-1][2] == "archive"
    )
    report = await say(core, JO, "/s4b-admin deliveries")
    assert "1 failed" in report and "no API to lock a thread" in report
    assert "Name the thread" in await say(core, JO, "/s4b-admin thread lock everything")


async def test_the_digest_reaches_organizers_and_the_ideas_channel_before_a_session(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await core.run_text(ADA, "s4b", "help")
    clock.set(AFTER_SPRING)
    await dispatcher.drain()
    await say(core, ADA, "/s4b idea Circles in public libraries")
    await say(core, BEN, "/s4b idea A map of belonging projects")
    await core.press(BEN, action_id("vote_up", 2))
    clock.set(datetime(2025, 6, 17, 17, tzinfo=UTC))
    await dispatcher.drain()
    digests = [p for p in platform.posts() if "Ideas digest before the Summer session" in p.text]
    assert sorted(p.to for p in digests) == ["ideas", "organizers"]
    assert digests[0].text.index("#2") < digests[0].text.index("#1")  # most supported first


async def test_a_digest_of_one_idea_says_idea_not_ideas(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await core.run_text(ADA, "s4b", "help")
    clock.set(AFTER_SPRING)
    await dispatcher.drain()
    await say(core, ADA, "/s4b idea Circles in public libraries")
    clock.set(datetime(2025, 6, 17, 17, tzinfo=UTC))
    await dispatcher.drain()
    [digest, *_] = [p for p in platform.posts() if "Ideas digest" in p.text]
    assert "Top 1 idea" in digest.text and "Top 1 ideas" not in digest.text
