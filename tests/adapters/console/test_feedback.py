"""The follow-up in the console: the DM's button, the form's choices typed by number,
label or alias, a rating outside 1 to 5 refused with nothing saved, and the prompts."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from adapters.console.forms import AnswerError, parse_answer
from adapters.console.repl import Console
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.feedback.form import RATINGS, YES_NO
from s4b_bot.output import FormField
from tests.helpers import flat, run_console

RATING = FormField("rating", "How did it go? (1 to 5)", "single_choice", choices=RATINGS)
CONTACT = FormField("contact", "Contact you?", "single_choice", choices=YES_NO)
SIGNED_UP = """
    /s4b register spring
    name: Ada
    about: Runs the community garden
    consent: yes

    /clock 2025-04-29T19:00
"""


@pytest.mark.parametrize(("text", "value"), [("4", "4"), ("very well", "5"), (" 1 ", "1")])
def test_a_rating_is_typed_by_number_or_words(text: str, value: str) -> None:
    assert parse_answer(RATING, text) == value


@pytest.mark.parametrize(("text", "value"), [("y", "yes"), ("NO", "no"), ("contact me", "yes")])
def test_yes_or_no_by_word_or_alias(text: str, value: str) -> None:
    assert parse_answer(CONTACT, text) == value


@pytest.mark.parametrize("text", ["7", "0", "great"])
def test_a_rating_outside_the_choices_says_which_there_are(text: str) -> None:
    with pytest.raises(AnswerError, match=r"use one of `1`, `2`, `3`, `4` or `5`"):
        parse_answer(RATING, text)


def test_no_answer_is_none() -> None:
    assert parse_answer(RATING, "  ") is None


async def test_the_dm_button_opens_the_form_and_a_bad_rating_saves_nothing(
    core: Core, clock: SettableClock
) -> None:
    out = await run_console(
        core,
        clock,
        SIGNED_UP
        + """
    /press 1
    rating: 9
    contact: y

    /s4b my-data
    /s4b feedback spring
    rating: very well
    contact: no
    """,
    )
    assert "[DM to Ada] Thank you for coming to the Spring session" in out
    assert "[1: Give feedback]" in out
    assert "! rating: '9' is not an option here" in out
    assert "Please check the form: Choose how it went with a number from 1" in out
    assert "0 feedback answers" not in out and "feedback answer" not in out.split("my-data")[1]
    assert "Your feedback on the Spring session is saved: 5 of 5" in out
    assert "will not contact you" in out


async def test_the_prompts_ask_again_until_the_rating_fits(
    core: Core, clock: SettableClock
) -> None:
    script = iter([line.strip() for line in SIGNED_UP.strip().splitlines()])
    out = io.StringIO()
    console = Console(core, clock, out=out, name="Ada", echo=True)
    await console.run_script(script)
    typed: Iterator[str] = iter(["/s4b feedback spring", "6", "3", "", "", "yes", "/quit"])

    def read(prompt: str) -> str:
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    await console.run_interactive(read)
    text = flat(out.getvalue())
    assert "! rating: '6' is not an option here" in text
    assert "Your feedback on the Spring session is saved: 3 of 5" in text
