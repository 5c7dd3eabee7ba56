"""limits: split_text's pieces fit, nothing is lost, order is kept, words are not cut; clip
keeps a short text whole and marks a cut one; each platform's limits are the documented ones."""

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from adapters.discord import limits as discord
from adapters.slack import limits as slack
from s4b_bot.limits import clip, split_text

_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    return _WS.sub("", text)


texts = st.text(alphabet=st.sampled_from("abcdefgh xyz.\n\t-é"), max_size=300)
limits = st.integers(min_value=1, max_value=40)


@given(texts, limits)
@example("aaa \nbbb", 3)
@example("aa\n\n\nbbb", 3)
@example("\t\t\t\t", 2)
def test_every_piece_fits(text: str, limit: int) -> None:
    assert all(len(piece) <= limit for piece in split_text(text, limit))


@given(texts, limits)
def test_no_piece_is_empty(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert all(pieces) or (pieces == [""] and not text.strip())


@given(texts, limits)
@example("aaa \nbbb", 3)
@example("one two three", 1)
def test_nothing_lost_and_order_kept(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert squash("".join(pieces)) == squash(text)


@given(texts, limits)
def test_pieces_appear_in_order(text: str, limit: int) -> None:
    position = 0
    for piece in split_text(text, limit):
        core = piece.strip()
        if not core:
            continue
        found = text.find(core, position)
        assert found >= position
        position = found + len(core)


words = st.text(alphabet="abcdefghij", min_size=1, max_size=12)


@given(
    st.lists(words, min_size=1, max_size=30),
    st.lists(st.integers(1, 3), max_size=30),
    st.integers(min_value=12, max_value=60),
)
def test_words_not_cut_with_space_separators(
    word_list: list[str], gaps: list[int], limit: int
) -> None:
    spaces = [" " * (gaps[i] if i < len(gaps) else 1) for i in range(len(word_list))]
    text = "".join(w + s for w, s in zip(word_list, spaces, strict=True)).rstrip()
    pieces = split_text(text, limit)
    assert [w for piece in pieces for w in piece.split()] == word_list
    assert all(len(p) <= limit for p in pieces)


@given(st.lists(words, min_size=1, max_size=30), st.integers(min_value=12, max_value=60))
def test_words_not_cut_with_single_line_breaks(word_list: list[str], limit: int) -> None:
    text = "\n".join(word_list)
    pieces = split_text(text, limit)
    assert [w for piece in pieces for w in piece.split()] == word_list


@pytest.mark.parametrize(("text", "limit"), [("aaa\n\nbbb", 3), ("aaa \nbbb", 3)])
def test_words_not_cut_after_paragraph_break(text: str, limit: int) -> None:
    assert split_text(text, limit) == ["aaa", "bbb"]


@pytest.mark.parametrize(("text", "limit"), [("aaa\n\n", 3), ("x" * 2000 + "\n\n", 2000)])
def test_no_blank_piece_from_trailing_paragraph_break(text: str, limit: int) -> None:
    assert all(piece.strip() for piece in split_text(text, limit))


def test_short_text_is_one_piece() -> None:
    assert split_text("hello world", 100) == ["hello world"]


def test_empty_text_gives_one_empty_piece() -> None:
    assert split_text("", 10) == [""]


def test_prefers_paragraph_breaks() -> None:
    text = "first para here.\n\nsecond one line\nmore words"
    assert split_text(text, 30) == ["first para here.", "second one line\nmore words"]


def test_prefers_line_break_over_space() -> None:
    assert split_text("alpha beta\ngamma delta", 15) == ["alpha beta", "gamma delta"]


def test_cuts_inside_a_word_only_when_it_is_too_long() -> None:
    assert split_text("abcdefghij xy", 4) == ["abcd", "efgh", "ij", "xy"]


@pytest.mark.parametrize("limit", [0, -1])
def test_limit_must_be_positive(limit: int) -> None:
    with pytest.raises(ValueError, match="limit must be positive"):
        split_text("abc", limit)


def test_platform_limits_are_the_documented_ones() -> None:
    assert (slack.MESSAGE_CHARS, slack.SECTION_CHARS, slack.MODAL_TITLE_CHARS) == (
        40_000,
        3_000,
        24,
    )
    assert (discord.CONTENT, discord.EMBED_DESCRIPTION, discord.MAX_MODAL_COMPONENTS) == (
        2_000,
        4_096,
        5,
    )


@given(texts, limits)
def test_clip_fits_and_keeps_what_fits(text: str, limit: int) -> None:
    clipped = clip(text, limit)
    assert len(clipped) <= limit
    assert clipped == text if len(text) <= limit else clipped.endswith("…")


def test_clip_cuts_at_a_word_in_the_second_half_and_drops_what_dangles() -> None:
    assert clip("Spring", 6) == "Spring"
    assert clip("Spring session notes", 16) == "Spring session…"
    assert clip("Spring, summer and fall", 12) == "Spring…"  # no dangling comma
    assert clip("Circles in public libraries", 25) == "Circles in public…"
    assert clip("Antidisestablishmentarianism", 10) == "Antidises…"  # no word ends: cut it
