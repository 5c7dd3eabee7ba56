"""The Markdown summary parser takes time linear in the file: hostile text (long runs of
spaces, "#", "*", brackets) is parsed or refused in well under a second.

The time bounds are wall-clock limits with a wide margin (the parse of 100 KB takes a few
milliseconds), not benchmarks: the quadratic and cubic parsers they guard against took
seconds to hours on the same input.
"""

from __future__ import annotations

import contextlib
import time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from s4b_bot.conversation.summaries import MAX_FILE, SECTIONS, heading_text, parse_markdown
from s4b_bot.errors import UserError

BOUND = 1.0
"""Seconds a whole 100 KB file may take, at most."""

PIECES = st.sampled_from(
    ["#", "######", " ", "  ", "\t", "*", "**", "[", "]", "(", ")", "a", "b", ":", "-", "\n"]
)
HOSTILE_LINE = st.lists(PIECES, max_size=60).map("".join)
RUNS = st.sampled_from([" ", "#", "*", "[", "]", "# ", "\t"])


def timed(content: bytes) -> float:
    start = time.perf_counter()
    with contextlib.suppress(UserError):  # refused is as good as parsed, if it is quick
        parse_markdown(content)
    return time.perf_counter() - start


def full_summary(body: str) -> str:
    return "".join(f"## {label}\n{body}\n" for _, label in SECTIONS)


def test_the_reported_line_is_parsed_at_once() -> None:
    line = "# a" + " " * 2_000 + "b"
    assert heading_text(line) == "a" + " " * 2_000 + "b"
    assert timed(line.encode()) < BOUND


@pytest.mark.parametrize("run", [" ", "#", "*", "[", "# a", "#" * 7 + " ", "   # "])
def test_a_file_of_the_largest_size_made_of_one_run_is_quick(run: str) -> None:
    line = ("# a" + run * (2_000 // len(run)) + "b\n").encode()
    content = line * (MAX_FILE // len(line))
    assert len(content) <= MAX_FILE
    assert timed(content) < BOUND
    single = ("# " + run * ((MAX_FILE - 10) // len(run)) + "b").encode()
    assert timed(single) < BOUND


def test_a_file_over_the_limit_is_refused_before_any_parsing() -> None:
    with pytest.raises(UserError, match="over 100 KB"):
        parse_markdown(b" " * (MAX_FILE + 1))


@settings(max_examples=200, deadline=None)
@given(run=RUNS, length=st.integers(0, 20_000), head=HOSTILE_LINE, tail=HOSTILE_LINE)
def test_hostile_runs_in_a_line_are_parsed_within_the_bound(
    run: str, length: int, head: str, tail: str
) -> None:
    line = head + run * length + tail
    content = (line + "\n") * max(1, (MAX_FILE // 4) // (len(line) + 1))
    assert timed(content.encode()[:MAX_FILE]) < BOUND


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(HOSTILE_LINE, max_size=40), run=RUNS, length=st.integers(0, 5_000))
@example(lines=["# a"], run=" ", length=2_000)
def test_sections_survive_hostile_bodies_and_headings_are_found(
    lines: list[str], run: str, length: int
) -> None:
    # A body line that is itself a heading would end the section: keep those out.
    text_lines = "\n".join(lines).splitlines()
    body = "\n".join(line for line in text_lines if heading_text(line) is None)
    body = f"text{run * length}end\n{body}".strip()
    start = time.perf_counter()
    values = parse_markdown(full_summary(body).encode())
    assert time.perf_counter() - start < BOUND
    assert {key: values[key] for key, _ in SECTIONS} == {key: body for key, _ in SECTIONS}


@pytest.mark.parametrize(
    ("line", "text"),
    [
        ("# Insights", "Insights"),
        ("## Insights ##", "Insights"),
        ("   ### Resources:", "Resources:"),
        ("#\tResources #####  ", "Resources"),
        ("# C#", "C#"),
        ("# a ###b", "a ###b"),
        ("#", ""),
        ("# ##", ""),
    ],
)
def test_headings_follow_commonmark(line: str, text: str) -> None:
    assert heading_text(line) == text


@pytest.mark.parametrize("line", ["#hashtag", "####### seven", "    # code", "text # not", ""])
def test_other_lines_are_not_headings(line: str) -> None:
    assert heading_text(line) is None
