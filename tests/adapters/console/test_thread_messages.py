"""The console's discussion threads: `/say` writes under a post, `/report-message` is the
message gesture, and the organizers' actions show as the console shows posts."""

from __future__ import annotations

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from tests.helpers import run_console


async def test_members_report_a_thread_message_and_an_organizer_removes_it(
    core: Core, clock: SettableClock
) -> None:
    out = await run_console(
        core,
        clock,
        """
        /s4b idea A shared map of local belonging projects
        /say ideas:1 Great idea, count me in! 🌱
        /as Ben
        /say ideas:1 Only fools want this, Ada's a fraud
        /say ideas Hello channel
        /say nowhere!
        /report-message ideas/1 off topic
        /report-message ideas:1 spam
        /report-message ideas:1/9 spam
        /report-message
        /report-message ideas:1/2
        reason: Personal attack on "Ada"

        /report-message ideas:1/2 again
        /as Jo --organizer
        /s4b-admin queue
        /s4b-admin resolve 1 remove
        /say ideas:1 Let's keep it kind
        /s4b-admin resolve 1 dismiss
        """,
    )
    assert "[#ideas:1 · message ideas:1/2 · Ben] Only fools want this, Ada's a fraud" in out
    assert "[#ideas · message ideas/1 · Ben] Hello channel" in out
    assert "! Write in a thread with `/say <post> <text>`" in out
    assert "Only messages in my discussion threads" in out
    assert "That is a bot's post, not a member's message, so nothing was stored." in out
    assert "! There is no message 'ideas:1/9' (any more)." in out
    assert "[form for Ben] ┌ Form: Report to organizers" in out
    assert "Thank you. Your report is with the organizers" in out
    assert "You already reported this message" in out
    queue = out.split("Jo> /s4b-admin queue")[1].split("Jo> /s4b-admin resolve")[0]
    assert "Report #1 on a message" in queue and "“Only fools want this, Ada's a fraud”" in queue
    assert 'Reason (#1): Personal attack on "Ada"' in queue and "Ben" not in queue
    assert "Report 1 resolved (remove)." in out
    assert "[#ideas:1 · message ideas:1/2 deleted by the bot]" in out
    assert "[#ideas:1 · message ideas:1/3 · Jo] Let's keep it kind" in out
    assert "Report 1 is already resolved (remove)." in out


async def test_my_data_gives_the_author_their_reported_message_and_slow_mode_keeps_its_floor(
    core: Core, clock: SettableClock
) -> None:
    out = await run_console(
        core,
        clock,
        """
        /s4b idea A shared map
        /as Ben
        /say ideas:1 Call me on 555-1234 👋
        /as Mary
        /report-message ideas:1/1 doxxing
        /as Ben
        /s4b my-data
        /as Jo --organizer
        /s4b-admin resolve 1 slow --every 0
        /s4b-admin resolve 1 slow --every 10
        /s4b-admin queue
        /s4b-admin resolve 1 slow --every 1h30m
        """,
    )
    mine = out.split("Ben> /s4b my-data")[1].split("Ben> /as Jo")[0]
    assert "1 reported message" in mine
    assert out.count("Slow mode must leave at least 30 seconds (30s)") == 2
    assert "Report #1 on" in out.split("Jo> /s4b-admin queue")[1]
    assert "one message per 90 minutes per member" in out


async def test_reporting_the_bots_own_post_points_to_what_fits_that_post(
    core: Core, clock: SettableClock
) -> None:
    out = await run_console(
        core,
        clock,
        """
        /s4b idea A shared map
        /as Jo --organizer
        /clock 2025-04-29T18:10
        /s4b-admin summary spring
        insights: Belonging starts small
        recommendations: Meet monthly
        resources: None
        collaboration: Libraries

        /as Ben
        /report-message summaries:1
        /report-message ideas:1
        """,
    )
    summary = out.split("Ben> /report-message summaries:1")[1].split("Ben> ")[0]
    assert "That is a bot's post, not a member's message, so nothing was stored." in summary
    assert "Report button" not in summary and "/s4b report" not in summary
    assert "use Report to organizers on that message" in summary
    idea = out.split("Ben> /report-message ideas:1")[1]
    assert "To report an idea, use the Report button on it" in idea


async def test_the_queue_and_audit_name_a_reported_message_the_same_way(
    core: Core, clock: SettableClock
) -> None:
    out = await run_console(
        core,
        clock,
        """
        /s4b idea A shared map of local projects
        /say ideas:1 First message by Ada
        /as Ben
        /say ideas:1 Second message by Ben
        /as Mary
        /report-message ideas:1/2 rude
        /as Jo --organizer
        /s4b-admin queue
        /s4b-admin audit
        """,
    )
    queue = out.split("Jo> /s4b-admin queue")[1].split("Jo> /s4b-admin audit")[0]
    assert "Report #1 on a message in the discussion of idea #1 ·" in queue
    assert "Link: ideas:1/2" in queue  # the console's own name for it
    audit = out.split("Jo> /s4b-admin audit")[1]
    assert "message reported the message of report #1 in the discussion of idea #1" in audit
    assert "message #1" not in audit
