"""The README documents every command in the catalogue, and its example script runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.routing.routes import ROUTES
from tests.helpers import flat, run_console

ROOT = Path(__file__).resolve().parents[1]


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ROUTES.commands:
        usage = command.usage.replace("|", "\\|")
        row = f"| `{usage}` | {command.summary} |"
        assert row in readme, f"README is missing: {row}"


async def test_the_example_script_runs_cleanly(core: Core, clock: SettableClock) -> None:
    script = (ROOT / "examples" / "first-visit.txt").read_text(encoding="utf-8")
    out = await run_console(core, clock, script)
    assert "you are registered" in out
    assert "You are no longer registered for: Summer." in out
    assert "No session matches 'atlantis'" in out
    assert "not a time zone I know" in out
    assert "Something went wrong" not in out


async def test_the_reminders_example_shows_each_reminder_once_and_the_reschedule(
    core: Core, clock: SettableClock
) -> None:
    script = (ROOT / "examples" / "reminders.txt").read_text(encoding="utf-8")
    out = await run_console(core, clock, script)
    before, _, after = out.partition("session reschedule spring")
    for left in ("in 7 days", "tomorrow at 1:00 p.m. EDT", "in 1 hour"):
        assert before.count(f"Reminder: the Spring session starts {left}.") == 1
    assert "Tuesday, April 29, 2025, 1:00–2:00 p.m. EDT" in before
    assert "The Spring session has moved. Here is the updated invitation." in after
    assert "s4b-spring-2025-05-06.ics" in after
    for left in ("tomorrow at 1:00 p.m. EDT", "in 1 hour"):
        assert after.count(f"Reminder: the Spring session starts {left}.") == 1
    assert "Tuesday, May 6, 2025, 1:00–2:00 p.m. EDT" in after
    assert "starts in" not in after.split("Reminder: the Spring session starts tomorrow")[0]
    assert not re.search(r"\b\d{2,} hours\b", out), "durations in hours"
    assert "0 failed" in after


async def test_the_conversation_example_shows_summary_ideas_moderation_and_digest(
    core: Core, clock: SettableClock
) -> None:
    script = (ROOT / "examples" / "conversation.txt").read_text(encoding="utf-8")
    out = await run_console(core, clock, script)
    assert "[#summaries · thread “Discussion: Spring session summary” opened" in out
    assert "Idea #2 is now merged into #1 (1 vote carried over)." in out
    assert "Idea #4 was hidden by the organizers." in out
    assert "Ideas digest before the Summer session" in out
    assert "1. #1 (▲ 2 · ▼ 0) Libraries could host monthly belonging circles" in out
    assert "roster-spring-2025-04-29.csv" in out
    assert "Jo (console) · idea merge idea #2" in out
    assert "Something went wrong" not in out


async def test_the_organizer_example_adds_sessions_keeps_a_waitlist_and_audits_it_all(
    core: Core, clock: SettableClock
) -> None:
    script = (ROOT / "examples" / "organizer.txt").read_text(encoding="utf-8")
    out = await run_console(core, clock, script)
    assert "Tuesday, October 28, 2025, 1:00–2:00 p.m. EDT (2025-10-28 17:00 UTC)" in out
    assert "There is already a session at that time, so nothing was added" in out
    for tuesday in ("April 28, 2026", "July 28, 2026", "October 27, 2026", "January 26, 2027"):
        assert f"Tuesday, {tuesday}, 1:00–2:00 p.m." in out
    assert "'spring' matches 2 sessions:" in out
    assert "You: Waitlisted, #1 in line" in out
    mary = out.split("now typing as Mary")[1].split("now typing as Jo")[0]
    assert "example.org/call" not in mary  # the waitlist never sees the call link
    assert "1 registrant will get the updated invitation." in out
    assert 'Call details: https://example.org/call/spring — dial-in: +1 555 0100, "S4B"' in out
    assert "already at that time; nothing changed." in out
    assert "was announced just now" in out and out.count("[#announcements") == 1
    audit = out.split("/s4b-admin audit")[-1]
    assert audit.count("Jo (console) ·") == 6 and "example.org/call" not in audit
    assert "Something went wrong" not in out


async def test_the_files_example_imports_an_ics_and_posts_a_markdown_summary(
    core: Core, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the script names its files from the repository's root
    script = (ROOT / "examples" / "files.txt").read_text(encoding="utf-8")
    out = await run_console(core, clock, script)
    assert "“spring-summary.md” is not an .ics file (its name must end in .ics)." in out
    assert "Imported 1 session: • winter · Tuesday, January 27, 2026" in out
    assert "Belonging “at home”: newcomers & neighbours 🏡" in out
    assert "Only organizers can use `/s4b-admin`" in out
    assert "“winter-2026.ics” is not a Markdown file with the four headings" in out
    assert "The Spring summary is posted to the summaries channel" in out
    assert "Open every meeting with a round of “names and neighbourhoods”." in out
    audit = out.split("/s4b-admin audit")[-1]
    assert audit.count("Jo (console) ·") == 2, "the refused files left no entry"
    assert "Cannot read the file" not in out and "Something went wrong" not in out


async def test_the_announcements_example_edits_the_post_and_tells_the_channel(
    core: Core, clock: SettableClock
) -> None:
    script = (ROOT / "examples" / "announcements.txt").read_text(encoding="utf-8")
    out = await run_console(core, clock, script)
    assert out.count("[#announcements · edit of post announcements:1") == 2
    moved, _, cancelled = out.partition("the 31st of Juneuary")
    edit = moved.split("edit of post announcements:1")[1]
    assert "When: Tuesday, June 10, 2025, 3:00–4:00 p.m. EDT" in edit and "[1: Register]" in edit
    assert "moved to Tuesday, June 10, 2025, 3:00–4:00 p.m. EDT" in moved
    assert "is not a date and time" in cancelled and "already at that time" in cancelled
    edit = cancelled.split("edit of post announcements:1")[1].split("└")[0]
    assert 'The Summer session is cancelled: The speaker is ill — "sorry" 🤒.' in edit
    assert "Register" not in edit and "[1: Details]" in edit
    assert "is cancelled; nothing changed." in cancelled
    assert out.count("[#announcements · everyone") == 3  # the announcement, two notices
    assert "0 failed" in out and "Something went wrong" not in out


async def test_the_undo_example_previews_changes_and_restores_a_cancelled_session(
    core: Core, clock: SettableClock
) -> None:
    script = (ROOT / "examples" / "undo.txt").read_text(encoding="utf-8")
    out = await run_console(core, clock, script)
    assert "get a calendar cancellation: Mary O'Brien. Keeping their seats: Ada" in out
    assert "Nothing changed: the Spring session stays as it was." in out
    assert "2 registrants will get a cancellation for their calendars" in out
    ada = out.split("Ada> /press 1")[1].split("now typing as Jo")[0]
    assert "Only organizers can use `/s4b-admin`" in ada and "is cancelled" not in ada
    assert "The Summer session is not cancelled, so there is nothing to restore" in out
    assert "No session matches 'atlantis'" in out
    assert "2 former registrants will get a message with a Register again button" in out
    assert out.count("Good news: the Spring session is back on.") == 2
    assert "is back on: Tuesday, April 29, 2025" in out  # the channel is told
    mary = out.split("now typing as Mary, a member]")[-1]
    assert "Welcome back: you are registered for the Spring session again" in mary
    assert "Your registrations: 1 upcoming" in mary
    audit = out.split("/s4b-admin audit")[-1]
    assert "session restore the Spring" in audit and "session cancel the Spring" in audit
    assert audit.count("Jo (console) ·") == 2


async def test_the_edit_registration_example_changes_answers_email_and_sessions(
    core: Core, clock: SettableClock
) -> None:
    script = (ROOT / "examples" / "edit-registration.txt").read_text(encoding="utf-8")
    out = await run_console(core, clock, script)
    assert "Form: Edit your registration" in out and "now: ada@old.example" in out
    assert "Nothing changed: your registration is as it was." in out
    assert "Your registration is updated, Ada «Lovelace»." in out
    assert "You changed your email: here is your updated invitation" in out
    assert "The Fall session is full, so you are on its waitlist (number 1)." in out
    assert "To cancel all your registrations, use `/s4b unregister all`." in out
    assert "Your registration answers Name: Ada «Lovelace»" in out
    assert "You are no longer registered for: Spring." in out
    assert "[DM to Mary] A seat opened up" in out
    assert "Something went wrong" not in out


def test_every_test_the_readme_names_exists() -> None:
    """The Security section cites the tests that hold the bot to its promises: they exist.
    A bare `::name` belongs to the file named last before it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    cited = re.findall(r"`(tests/[\w/]+\.py)?(?:::(\w+))?`", readme)
    assert len(cited) > 10
    last = ""
    for path, name in cited:
        last = path or last
        if not last:
            continue
        source = (ROOT / last).read_text(encoding="utf-8")
        if name:
            assert f"def {name}(" in source, f"README cites {last}::{name}, which is not there"


async def test_the_waitlist_offers_example_offers_expires_declines_and_closes(
    core: Core, clock: SettableClock
) -> None:
    script = (ROOT / "examples" / "waitlist-offers.txt").read_text(encoding="utf-8")
    out = await run_console(core, clock, script)
    assert "[DM to Ben] A seat opened up in the Spring session, and it is your turn" in out
    assert "[1: Accept the seat] [2: Decline]" in out
    assert "That offer was made to someone else, so nothing changed." in out
    assert "1. Ben O'Brien · offered a seat, until Wednesday, April 2, 2025, 8:00 a.m. EDT" in out
    assert "[DM to Ben] Your offer of a seat in the Spring session expired at" in out
    assert "[DM to Cy] A seat opened up" in out
    assert "You declined the seat in the Spring session: it goes to the next in line" in out
    assert "The seat is yours: you are registered for the Spring session. ✓" in out
    dee = out.split("[DM to Dee] A seat opened up: you are now registered")[-1]
    assert "Call details: https://call.example/spring-room" in dee
    assert "[DM to Ben] The Spring session starts in 2 hours and it is full" in out
    assert "3 offers made from the waitlist: 1 accepted, 1 declined, 1 expired." in out
    audit = out.split("/s4b-admin audit")[-1]
    for step in ("waitlist offer", "offer expired", "offer declined", "offer accepted"):
        assert f"· {step} the Spring session" in audit, step
    assert "waitlist closed the Spring session" in audit and "Ben" not in audit
    assert "Something went wrong" not in out and "Traceback" not in out


async def test_the_follow_up_example_asks_who_came_and_tells_who_missed_it(
    core: Core, clock: SettableClock
) -> None:
    script = (ROOT / "examples" / "follow-up.txt").read_text(encoding="utf-8")
    out = await run_console(core, clock, script)
    assert "its feedback form opens once it has ended" in out
    assert "[DM to Mary] We missed you at the Spring session" in out
    assert "summary is not posted yet; I will send you word when it is" in out
    assert "2 · Summer Session" in out and "[1: Register]" in out
    assert "[DM to Ada] Thank you for coming to the Spring session" in out
    assert "! rating: '7' is not an option here" in out
    assert "Please check the form: Choose how it went with a number from 1" in out
    assert "did not mark you as attending the Spring session" in out
    assert "Your feedback on the Spring session is saved: 5 of 5" in out
    assert "Your feedback on the Spring session is updated: 4 of 5" in out
    assert (
        "Spring · 2025-04-29: 1 answer, average 4.0 of 5 (5★ 0 · 4★ 1 · 3★ 0 · 2★ 0 · 1★ 0), "
        "1 wants to be contacted"
    ) in out
    assert "The Spring feedback (no summary yet) as Markdown." in out
    assert "1 feedback answer" in out


async def test_the_unreachable_example_keeps_what_could_not_reach_a_member(
    core: Core, clock: SettableClock
) -> None:
    script = (ROOT / "examples" / "unreachable.txt").read_text(encoding="utf-8")
    out = await run_console(core, clock, script)
    assert "! /dms takes `off` (close your direct messages) or `on` (open them)." in out
    assert "[DM to Mary O'Brien · not delivered: DMs closed]" in out
    ada = out.split("Ada> /s4b mine")[1].split("now typing as Jo")[0]
    assert "could not reach you" not in ada and "Mary" not in ada
    report = out.split("Jo> /s4b-admin deliveries")[1]
    assert "Unreachable by DM: 1 member" in report
    assert "Mary O'Brien on console: 1 message waiting since" in report
    assert "mary@example.org" not in report
    left = out.split("Mary O'Brien> /s4b unregister summer")[1].split("Mary O'Brien> /s4b mine")[0]
    assert "A message could not reach you: calendar invitation" in left
    assert (
        "https://meet.example/s4b-spring (passcode 4567)" in left and "Summer Session" not in left
    )
    first, second = out.split("Mary O'Brien> /s4b mine")[1:3]
    assert "A message could not reach you: calendar cancellation" in first
    assert "could not reach you" not in second.split("/clock")[0]  # each shown once
    assert "A message could not reach you: reminder" in out.split("/s4b help unregister")[1]
    assert "Bea on console: 1 message waiting" in out
    final = out.split("Jo> /s4b-admin deliveries")[-1]
    assert "0 waiting for members whom DMs do not reach" in final and "Bea" not in final


async def test_the_moderating_threads_example_reports_takes_down_removes_and_slows(
    core: Core, clock: SettableClock
) -> None:
    script = (ROOT / "examples" / "moderating-threads.txt").read_text(encoding="utf-8")
    out = await run_console(core, clock, script)
    assert "[#ideas:1 · message ideas:1/2 · Ben] Only fools want this, Ada's a fraud" in out
    assert out.count("Only messages in my discussion threads") == 1
    assert "That is a bot's post, not a member's message, so nothing was stored." in out
    assert "! There is no message 'ideas:1/9' (any more)." in out
    assert "[form for Mary] ┌ Form: Report to organizers" in out
    assert "You already reported this message" in out
    first_queue = out.split("Jo> /s4b-admin queue")[1]
    assert "(still up; 2 members reported it)" in first_queue
    assert 'Reason (#1): A personal attack on Ada — "fraud"' in first_queue
    assert "Mary" not in first_queue and "Cy" not in first_queue
    assert "[#ideas:1 · message ideas:1/2 deleted by the bot]" in out
    assert "was taken down (deleted): reported by 3 members" in out
    assert "(taken down pending your review; 3 members reported it)" in out
    assert "Report 1 is about a message in a thread" in out
    assert "Slow mode can be at most 6 hours" in out
    assert "There is no report '42'" in out
    assert "Report 2 resolved (remove). With it, 2 other reports of the same message." in out
    assert "[#ideas:1 · slow mode: one message per 10 min per member]" in out
    assert "Report 5 resolved (dismiss). The message stays as it is." in out
    audit = out.split("/s4b-admin audit")[-1]
    assert "a member (not named) (console) · message reported" in audit
    assert "S4B (automatic) (console) · message taken down" in audit
    assert (
        "Jo (console) · report remove report #2 on the message of report #1 in the discussion"
        " of idea #1" in audit
    )
    assert "message already gone the message of report #1" in audit  # taken down before
    assert audit.count("· message deleted") == 1
    assert "thread slowed" in audit and "Ben" not in audit and "Mary" not in audit
    assert "Something went wrong" not in out


async def test_the_stats_chart_example_attaches_charts_with_their_numbers(
    core: Core, clock: SettableClock
) -> None:
    script = (ROOT / "examples" / "stats-chart.txt").read_text(encoding="utf-8")
    out = await run_console(core, clock, script)
    first, marked, refused, rated = out.split("Jo> /s4b-admin stats")[1:]
    assert "📎 stats-attendance.png (" in first and "stats-ideas.png" not in first
    assert (
        "alt text: Registrations and attendance per session: Spring 2025-04-29: 2 confirmed, "
        "1 waitlisted, attendance not marked; Summer 2025-06-24: 0 confirmed" in marked
    )
    assert (
        "alt text: Ideas and votes over time, 2 ideas and 3 votes in all: 2025-04-01: 1 idea, "
        "1 vote; 2025-04-03: 2 ideas, 3 votes." in marked
    )
    assert "`stats` does not take '--chart pie'." in refused and "📎" not in refused
    assert "Spring 2025-04-29: 2 confirmed, 1 waitlisted, 2 attended;" in rated
    assert (
        "alt text: Average feedback rating per session: Spring 2025-04-29: 5.0 of 5 from 1 "
        "answer." in rated
    )
    for name in ("Mary", "Ada", "Ben", "gardener"):
        assert name not in rated.split("📎", 1)[1]  # the charts' texts count, never name
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/stats-chart.png)" in readme and (ROOT / "docs" / "stats-chart.png").is_file()


async def test_the_summary_pages_example_links_the_page_and_exports_a_pdf(
    core: Core, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the script names its files from the repository's root
    core.settings.http_port = 8080
    core.settings.public_url = "http://127.0.0.1:8080"
    script = (ROOT / "examples" / "summary-pages.txt").read_text(encoding="utf-8")
    out = await run_console(core, clock, script)
    secret = re.search(r"http://127\.0\.0\.1:8080/summaries/s4b-2025/1/[\w-]{32}", out)
    assert secret is not None, "the post links to the unlisted page"
    assert "The Spring summary's page is unlisted (secret link)." in out
    assert "'everyone' is not an option here" in out
    assert "The Summer session has not taken place yet" in out
    assert "page is public: anyone with its plain address can read it" in out
    plain = re.findall(r"http://127\.0\.0\.1:8080/summaries/s4b-2025/1(?![/\w])", out)
    assert len(plain) == 3  # the reply, the post's edit, and what the member reads
    assert "[#summaries · edit of post summaries:1" in out
    assert "📎 summary-spring-2025-04-29.pdf (" in out and "application/pdf)" in out
    assert "'docx' is not an option here; use one of `md` or `pdf`." in out
    assert "📎 summary-spring-2025-04-29.md (" in out
    assert "Only organizers can use `/s4b-admin`" in out


async def test_the_session_times_example_refuses_edge_times_and_names_registrants_once(
    core: Core, clock: SettableClock
) -> None:
    script = (ROOT / "examples" / "session-times.txt").read_text(encoding="utf-8")
    out = await run_console(core, clock, script)
    assert "The time '9999-12-31 23:59' is too far ahead; a session must start within 5" in out
    assert "a session must start within 5 years from now (by 2030-04-01). Nothing was" in out
    assert "does not exist in America/Toronto: the clocks go forward 1 hour" in out
    assert "Sunday, November 1, 2026, 1:30 a.m. EDT – 1:30 a.m. EST (2026-11-01 05:30 UTC)" in out
    assert "There is already a session at that time, so nothing was changed: • summer" in out
    assert "Registered: 3 of 3 1. O'Brien, Mary 2. Sam 3. Sam" in out
    assert 'Not marked: Ben "Benny" Okafor was on the waitlist, not registered with a seat.' in out
    assert "Marked 1 registrant as attending the Spring session: O'Brien, Mary." in out
    assert "Matches several registrants, so not marked: Sam." in out
    assert "Marked 2 registrants as attending the Spring session: Sam, Sam." in out
    assert "No registrant has the number 7 in `/s4b-admin roster`" in out
    assert "Attended so far: 3." in out
    assert "Something went wrong" not in out


async def test_the_year_in_review_example_links_the_page_and_attaches_its_pdf(
    core: Core, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the script names its files from the repository's root
    core.settings.http_port = 8080
    core.settings.public_url = "http://127.0.0.1:8080"
    script = (ROOT / "examples" / "year-in-review.txt").read_text(encoding="utf-8")
    out = await run_console(core, clock, script)
    first, missing, by_name, wrong, public, member = out.split("> /s4b-admin review ")[1:]
    assert "S4B Working Group 2025: the year in review, as a PDF of" in first
    secret = re.search(r"http://127\.0\.0\.1:8080/reviews/s4b-2025/([\w-]{32})", first)
    assert secret is not None, "unlisted by default: the secret address"
    assert "📎 review-s4b-2025.pdf (" in first and "application/pdf)" in first
    assert "There is no series 's4b-2024'. The series: `s4b-2025` (S4B Working Group 2025)." in (
        flat(missing)
    )
    assert secret.group(0) in by_name and "📎" not in wrong
    assert "'everyone' is not an option here" in wrong
    assert re.search(r"can read it: http://127\.0\.0\.1:8080/reviews/s4b-2025(?![/\w])", public)
    assert "Only organizers can use `/s4b-admin`" in member and "📎" not in member
    page = await core.review_page("s4b-2025", None)
    assert page is not None and "Carried to the Summer session" in page
    assert "Cultivating Belonging" in page and "4.0 of 5 from 1 answer" in page
    for private in ("Mary", "O&#39;Brien", "gardener", "Small groups", "Less time on slides"):
        assert private not in page, private
    assert "Something went wrong" not in out
