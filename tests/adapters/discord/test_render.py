"""The renderer keeps every Discord limit, splitting in order rather than failing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import discord
import pytest

from adapters.discord import S4BClient
from adapters.discord.render import Chunk, escape, moment_token, render
from adapters.discord.views import button_view, message_kwargs
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.output import Attachment, Button, Card, Field, Localised, Message, Moment, Text
from s4b_bot.ports import Recipient
from tests.adapters.discord import payloads
from tests.adapters.discord.mock_discord import MockDiscord
from tests.helpers import confirmed

ORGANIZER = Actor("discord", str(payloads.GUILD_ID), "9", "Jo", is_organizer=True)
MEMBER = Actor("discord", str(payloads.GUILD_ID), payloads.ADA["id"], "A" * 100)


def assert_within_limits(chunk: Chunk) -> None:
    assert 0 < len(chunk.content) <= 2_000 or chunk.embeds or chunk.files
    assert len(chunk.embeds) <= 10
    assert sum(len(e) for e in chunk.embeds) <= 6_000
    for embed in chunk.embeds:
        data = embed.to_dict()
        assert len(data.get("title", "")) <= 256
        assert len(data.get("description", "")) <= 4_096
        assert len(data.get("fields", [])) <= 25
        for f in data.get("fields", []):
            assert 1 <= len(f["name"]) <= 256 and 1 <= len(f["value"]) <= 1_024
    assert len(chunk.rows) <= 5
    for row in chunk.rows:
        assert 1 <= len(row) <= 5
        assert all(len(b.label) <= 80 and len(b.custom_id) <= 100 for b in row)
    assert len(chunk.files) <= 10
    if chunk.rows:
        view = button_view(chunk.rows)  # discord.py accepts the layout
        assert len(view.to_components()) == len(chunk.rows)


def words_in_order(chunks: list[Chunk]) -> list[str]:
    text = []
    for chunk in chunks:
        text.append(chunk.content)
        for embed in chunk.embeds:
            text += [embed.title or "", embed.description or ""]
            text += [f.value or "" for f in embed.fields]
    return " ".join(text).split()


async def longest_outcomes(core: Core) -> list[Message]:
    """The core driven to its longest: 40 sessions with 200-character titles, 1,000
    characters of call details, 300-character cancellation reasons, a 100-character name."""
    title = "Belonging " * 19 + "X" * 10  # 200 characters
    for year in (2025, 2026, 2027):
        outcome = await core.run_text(
            ORGANIZER,
            "s4b-admin",
            f"session series {year}-05-07T13:00 FREQ=WEEKLY;COUNT=12 {title}",  # Wednesdays: no start of an existing session
        )
        assert outcome.reply is not None
    details = "https://zoom.example/j/123 " + "dial-in +1 555 0100 " * 49
    await core.run_text(ORGANIZER, "s4b-admin", f"session call spring {details[:1000]}")
    await confirmed(core, ORGANIZER, f"session cancel fall {'R' * 300}")
    messages = []
    for root, line in [
        ("s4b", "sessions all"),
        ("s4b", "help"),
        ("s4b-admin", "help"),
        ("s4b", "about"),
        ("s4b", "session spring"),
        ("s4b-admin", "roster spring"),
    ]:
        actor = ORGANIZER if root == "s4b-admin" else MEMBER
        outcome = await core.run_text(actor, root, line)
        assert outcome.reply is not None, line
        messages.append(outcome.reply)
    return messages


async def test_longest_core_output_keeps_every_limit(sqlite_core: Core) -> None:
    messages = await longest_outcomes(sqlite_core)
    assert len(messages[0].cards) >= 40
    for message in messages:
        chunks = render(message)
        assert chunks
        for chunk in chunks:
            assert_within_limits(chunk)
    sessions = render(messages[0])
    assert len(sessions) >= 8  # 40 cards: 5 button rows a message
    cards_shown = [e.title for c in sessions for e in c.embeds if e.title]
    assert cards_shown == [escape(c.title)[:256] for c in messages[0].cards]  # in order


async def test_longest_message_goes_out_as_valid_requests(
    bot: S4BClient, mock: MockDiscord, sqlite_core: Core
) -> None:
    messages = await longest_outcomes(sqlite_core)
    recipient = Recipient(str(payloads.GUILD_ID), payloads.ADA["id"], "Ada")
    await bot.platform.send_dm(recipient, messages[0])
    sent = mock.find("POST", r"/channels/\d+/messages")
    assert len(sent) == len(render(messages[0]))
    for request in sent:  # validated against the OpenAPI spec when the test ends, too
        assert request.body["allowed_mentions"] == {"parse": []}


def test_a_message_far_over_every_limit_is_split_in_order() -> None:
    start = datetime(2025, 4, 29, 17, tzinfo=UTC)
    huge = " ".join(f"w{i}" for i in range(3_000))  # about 17,000 characters
    cards = tuple(
        Card(
            title=f"Card {n} " + "t" * 300,
            body=(Text.of(huge), Text.of(f"end-of-card-{n}")),
            fields=(
                *tuple(
                    Field(f"F{k} " + "n" * 300, Text.of(f"v{n}.{k} " + "x " * 700))
                    for k in range(30)
                ),
                Field("When", Text.of(Moment(start, start + timedelta(hours=1)))),
            ),
            buttons=(
                Button("Register", f"s4b:register:{n}", "primary"),
                Button("Details", f"s4b:session:{n}"),
            ),
        )
        for n in range(12)
    )
    files = tuple(Attachment(f"f{i}.ics", b"BEGIN:VCALENDAR", "text/calendar") for i in range(13))
    message = Message(
        text=(Text.of(huge), Text.of("last-paragraph")), cards=cards, attachments=files
    )
    chunks = render(message)
    for chunk in chunks:
        assert_within_limits(chunk)
    words = words_in_order(chunks)
    expected = huge.split()
    assert words[: len(expected)] == expected  # content first, whole, in order
    ends = [w for w in words if w.startswith("end-of-card-")]
    assert ends == [f"end-of-card-{n}" for n in range(12)]
    assert [
        b.custom_id for c in chunks for row in c.rows for b in row if "register" in b.custom_id
    ] == [f"s4b:register:{n}" for n in range(12)]
    assert sum(len(c.files) for c in chunks) == 13
    assert chunks[-1].files  # files come last, after everything they belong to


def test_times_are_discord_timestamps() -> None:
    start = datetime(2025, 4, 29, 17, tzinfo=UTC)
    moment = Moment(start, start + timedelta(hours=1), zone="America/Toronto")
    unix = int(start.timestamp())
    assert moment_token(moment) == f"<t:{unix}:F>–<t:{unix + 3600}:t> (<t:{unix}:R>)"
    (chunk,) = render(Message(text=(Text.of("Starts ", moment, "."),)))
    assert chunk.content == f"Starts <t:{unix}:F>–<t:{unix + 3600}:t> (<t:{unix}:R>)."


def test_a_relative_time_is_discords_relative_timestamp_alone() -> None:
    start = datetime(2025, 4, 29, 17, tzinfo=UTC)
    soon = Moment(start, zone="America/Toronto", relative_to=start - timedelta(hours=677))
    (chunk,) = render(Message(text=(Text.of("Next session: ", soon, "."),)))
    assert chunk.content == f"Next session: <t:{int(start.timestamp())}:R>."
    assert "hours" not in chunk.content


def test_words_about_times_are_the_localised_ones() -> None:
    note = Localised(localised="Times are in your zone.", fixed="Times are Eastern.")
    (chunk,) = render(Message(text=(Text.of(note),)))
    assert chunk.content == "Times are in your zone."


@pytest.mark.parametrize(
    ("plain", "shown"),
    [
        ("*bold* _it_ ~~s~~ ||spoiler||", r"\*bold\* \_it\_ \~\~s\~\~ \|\|spoiler\|\|"),
        ("`/s4b register` signs you up", "`/s4b register` signs you up"),
        ("# not a heading", r"\# not a heading"),
        ("@everyone come", "@everyone come"),  # shown, but never pings: allowed_mentions
    ],
)
def test_text_is_escaped_but_command_names_stay_code(plain: str, shown: str) -> None:
    (chunk,) = render(Message.plain(plain))
    assert chunk.content == shown
    assert message_kwargs(chunk)["allowed_mentions"].to_dict() == {"parse": []}


def test_buttons_name_their_session_when_cards_share_a_message() -> None:
    def card(n: int) -> Card:
        return Card(
            f"{n} · Spring Session — Title",
            buttons=(
                Button("Unregister", f"s4b:unregister:{n}", "danger"),
                Button("Add to calendar", f"s4b:calendar:{n}"),
            ),
        )

    (one,) = render(Message(cards=(card(1),)))
    assert [b.label for b in one.rows[0]] == ["Unregister", "Add to calendar"]
    (two,) = render(Message(cards=(card(1), card(2))))
    assert [b.label for b in two.rows[1]] == [
        "Unregister · 2 · Spring Session",
        "Add to calendar · 2 · Spring Session",
    ]
    assert two.rows[1][1].custom_id == "s4b:calendar:2"
    assert re.fullmatch(r"s4b:unregister:\d+", two.rows[0][0].custom_id)
    assert isinstance(button_view(two.rows).children[0], discord.ui.DynamicItem)


def test_buttons_are_the_cards_own_and_no_more() -> None:
    """The core's Card.buttons are the one source: the renderer adds none of its own."""
    for buttons in [
        (Button("Register", "s4b:register:1", "primary"), Button("Details", "s4b:session:1")),
        (
            Button("Unregister", "s4b:unregister:1", "danger"),
            Button("Add to calendar", "s4b:calendar:1"),
        ),
    ]:
        (chunk,) = render(Message(cards=(Card("1 · Spring Session — Title", buttons=buttons),)))
        shown = [(b.label, b.custom_id) for row in chunk.rows for b in row]
        assert shown == [(b.label, b.action) for b in buttons]


def test_a_card_with_many_buttons_gets_more_rows_not_fewer_buttons() -> None:
    buttons = tuple(Button(f"B{i}", f"s4b:vote_up:{i}") for i in range(7))
    (chunk,) = render(Message(cards=(Card("Idea", buttons=buttons),)))
    assert [len(row) for row in chunk.rows] == [5, 2]
    assert_within_limits(chunk)
