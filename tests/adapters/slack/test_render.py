"""The renderer within Block Kit's limits, on the longest content the core can produce."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.slack.modal import error_response, form_modal, submitted_values
from adapters.slack.mrkdwn import date_token, escape, split_mrkdwn
from adapters.slack.render import MORE_NOTE, home_view, render_message
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission
from s4b_bot.output import (
    Button,
    Card,
    Choice,
    Field,
    Form,
    FormField,
    Localised,
    Message,
    Moment,
    Text,
)
from tests.adapters.slack.slackreq import block_text, state_for, valid_blocks, valid_view

JO = Actor("slack", "T0S4B", "U0JO", "Jo", is_organizer=True)
SPRING = Moment(
    datetime(2025, 4, 29, 17, tzinfo=UTC), datetime(2025, 4, 29, 18, tzinfo=UTC), "America/Toronto"
)


def check_limits(blocks: list[dict[str, Any]], *, max_blocks: int = 50) -> None:
    """Every limit the issue names, and slack_sdk's own models on top."""
    assert 0 < len(blocks) <= max_blocks
    valid_blocks(blocks)
    for block in blocks:
        if block["type"] == "section":
            assert len(block.get("text", {}).get("text", "")) <= 3_000
            assert len(block.get("fields", ())) <= 10
            assert all(len(f["text"]) <= 2_000 for f in block.get("fields", ()))
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "actions":
            assert all(len(e["text"]["text"]) <= 75 for e in block["elements"])


def words(text: str) -> list[str]:
    return re.sub(r"[*_`]", "", text).split()


def test_escaping_keeps_text_and_stops_mentions() -> None:
    assert escape("Tom & Jerry <3 > <@U123> <!here>") == (
        "Tom &amp; Jerry &lt;3 &gt; &lt;@U123&gt; &lt;!here&gt;"
    )
    assert escape("ping @channel and @Everyone, not @channels") == (
        "ping @\u2060channel and @\u2060Everyone, not @channels"
    )
    assert escape("a\ue000b") == "ab"  # the splitter's placeholders cannot be smuggled in


def test_times_are_slack_date_tokens_with_the_eastern_fallback() -> None:
    assert date_token(SPRING) == (
        "<!date^1745946000^{date_long} {time}|Tuesday, April 29, 2025, 1:00 p.m. EDT>"
        "–<!date^1745949600^{time}|2:00 p.m. EDT>"
    )
    overnight = Moment(SPRING.start, datetime(2025, 4, 30, 17, tzinfo=UTC), "America/Toronto")
    assert "^{date_long} {time}|Wednesday, April 30, 2025, 1:00 p.m. EDT>" in date_token(overnight)


def test_a_relative_time_is_a_pretty_date_token_with_words_as_fallback() -> None:
    start = datetime(2025, 4, 29, 17, tzinfo=UTC)
    soon = Moment(start, zone="America/Toronto", relative_to=start - timedelta(days=1))
    [message] = render_message(Message(text=(Text.of("Starts ", soon, "."),)))
    unix = int(start.timestamp())
    expected = f"<!date^{unix}^{{date_short_pretty}} at {{time}}|tomorrow at 1:00 p.m. EDT>"
    assert message.blocks[0]["text"]["text"] == f"Starts {expected}."
    assert message.text == "Starts tomorrow at 1:00 p.m. EDT."  # the notification


def test_words_about_times_are_localised_in_blocks_and_fixed_in_notifications() -> None:
    note = Localised(localised="Times are in your zone.", fixed="Times are Eastern.")
    [message] = render_message(Message(text=(Text.of(note),)))
    assert message.blocks[0]["text"]["text"] == "Times are in your zone."
    assert message.text == "Times are Eastern."


def test_a_paragraph_is_cut_between_words_and_never_inside_a_time() -> None:
    text = Text.of("x " * 1_490, SPRING, " after & " + "y " * 2_000)
    pieces = split_mrkdwn(text, 3_000)
    assert all(len(p) <= 3_000 for p in pieces) and len(pieces) == 3
    joined = " ".join(pieces)
    assert date_token(SPRING) in joined and "&amp;" in joined
    assert (
        joined.split()
        == " ".join(["x"] * 1_490 + [date_token(SPRING), "after", "&amp;"] + ["y"] * 2_000).split()
    )


def test_a_long_title_keeps_every_word() -> None:
    title = "A very long session title " * 8
    [message] = render_message(Message(cards=(Card(title=title.strip()),)))
    check_limits(message.blocks)
    assert message.blocks[0]["type"] == "section"
    assert words(block_text(message.blocks)) == title.split()


def test_many_cards_split_into_messages_in_order_without_splitting_a_card() -> None:
    cards = tuple(
        Card(
            title=f"Card {i}",
            body=(Text.of("body " * 50),),
            fields=(Field("When", Text.of(SPRING)),),
            buttons=(Button("Register", f"s4b:register:{i}", "primary"),),
        )
        for i in range(30)
    )
    messages = render_message(Message(text=(Text.of("Lead"),), cards=cards))
    assert len(messages) == 3
    seen = []
    for message in messages:
        check_limits(message.blocks)
        headers = [b["text"]["text"] for b in message.blocks if b["type"] == "header"]
        assert message.blocks[-1]["type"] == "actions"  # the last card ends in this message
        seen += headers
    assert seen == [f"Card {i}" for i in range(30)]


def test_too_many_fields_and_buttons_still_fit() -> None:
    card = Card(
        title="Busy",
        fields=(
            *tuple(Field(f"F{i}", Text.of("v")) for i in range(12)),
            Field("Long", Text.of("z " * 1500)),
        ),
        buttons=tuple(Button("Press me " * 12, f"s4b:session:{i}") for i in range(30)),
    )
    [message] = render_message(Message(cards=(card,)))
    check_limits(message.blocks)
    assert sum(len(b.get("fields", ())) for b in message.blocks) == 12
    assert sum(len(b.get("elements", ())) for b in message.blocks if b["type"] == "actions") == 30


async def test_the_longest_core_content_fits(sqlite_core: Core, clock: SettableClock) -> None:
    """A full session description, and a summary at its maximum (4 sections of 3,000)."""
    detail = await sqlite_core.run_text(JO, "s4b", "session spring")
    assert detail.reply is not None
    description = detail.reply.cards[0].body[0]
    for message in render_message(detail.reply):
        check_limits(message.blocks)
    assert words(block_text(render_message(detail.reply)[0].blocks)).count("Register") == 1

    # Escaping makes each "&" five characters: 3,000 typed become more than a section holds.
    section = ("Belonging & growth, where people meet. " * 90)[:3_000].rsplit(" ", 1)[0]
    values = {k: section for k in ("insights", "recommendations", "resources", "collaboration")}
    clock.set(datetime(2025, 4, 29, 19, tzinfo=UTC))  # summaries come after the session
    saved = await sqlite_core.submit(FormSubmission(JO, "summary:1", values))
    assert not saved.field_errors, saved
    summary = await sqlite_core.run_text(JO, "s4b", "summary spring")
    assert summary.reply is not None
    rendered = render_message(summary.reply)
    sections = [b for m in rendered for b in m.blocks if b["type"] == "section"]
    assert len(sections) == 2 + 4 * 2  # the lead, its page line, each section in two pieces
    for message in rendered:
        check_limits(message.blocks)
    shown = " ".join(" ".join(block_text(m.blocks).split()) for m in rendered)
    assert shown.count(" ".join(escape(section).split())) == 4
    assert description.spans


def test_a_4000_character_paragraph_is_two_sections_of_whole_words() -> None:
    text = " ".join(f"w{i}" for i in range(1_000))
    assert len(text) > 4_000
    [message] = render_message(Message.plain(text))
    check_limits(message.blocks)
    assert len(message.blocks) == 2
    assert block_text(message.blocks).split() == text.split()


def test_a_home_tab_keeps_whole_cards_and_says_where_the_rest_is() -> None:
    cards = tuple(
        Card(title=f"S{i}", body=(Text.of("b"),), buttons=(Button("Go", f"s4b:session:{i}"),))
        for i in range(40)
    )
    view = home_view(Message(text=(Text.of("Hello"),), cards=cards))
    valid_view(view)
    assert len(view["blocks"]) <= 100 and view["blocks"][-1]["elements"][0]["text"] == MORE_NOTE
    assert view["blocks"][-2]["type"] == "actions"


FORM = Form(
    id="register",
    title="Join the S4B Working Group",
    fields=(
        FormField("name", "Your name", "short_text", max_length=100, default="Ada"),
        FormField("about", "About", "long_text", max_length=5_000),
        FormField("email", "Email", "email", required=False, default="ada@example.org"),
        FormField(
            "sessions",
            "Which sessions",
            "multi_select",
            choices=tuple(Choice(str(i), f"Session {i} · " + "long label " * 10) for i in range(3)),
            default=("2",),
        ),
        FormField("consent", "I agree to be contacted " + "about things " * 200, "checkbox"),
    ),
    intro="Tell us <b>about</b> yourself & more.",
)


def test_a_form_becomes_a_valid_modal_within_limits() -> None:
    view = form_modal(FORM)
    valid_view(view)
    assert view["title"]["text"] == "Join the S4B Working…"
    assert "*Join the S4B Working Group*" in block_text(view["blocks"][0])  # whole, in the body
    assert "&lt;b&gt;about&lt;/b&gt; yourself &amp; more" in block_text(view["blocks"][1])
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert inputs["about"]["element"]["max_length"] == 3_000  # Slack's own ceiling
    options = inputs["sessions"]["element"]["options"]
    assert all(len(o["text"]["text"]) <= 75 and o["text"]["text"].endswith("…") for o in options)
    assert len(inputs["consent"]["label"]["text"]) <= 2_000


def test_submitted_values_become_the_cores_values() -> None:
    view = form_modal(FORM)
    answers = {
        "name": "Ada",
        "about": None,
        "email": "a@b.c",
        "sessions": ("0", "2"),
        "consent": True,
    }
    values = submitted_values({**view, "state": state_for(view, answers)})
    assert values == {**answers, "sessions": ("0", "2")}
    assert submitted_values({**view, "state": state_for(view, {})})["consent"] is False


@pytest.mark.parametrize(
    ("errors", "shown"),
    [
        ({"name": "Too long."}, {"name": "Too long."}),
        ({"nonsense": "No such field.", "name": "Empty."}, {"name": "No such field. Empty."}),
    ],
)
def test_errors_go_on_their_fields(errors: dict[str, str], shown: dict[str, str]) -> None:
    assert error_response(form_modal(FORM), errors) == {
        "response_action": "errors",
        "errors": shown,
    }
