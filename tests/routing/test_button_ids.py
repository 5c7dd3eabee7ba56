"""actions: button action ids survive a round trip; anything else is refused politely (the
wire format by `parse_action`, a verb no route declares by the route table)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from s4b_bot.errors import UserError
from s4b_bot.routing.actions import MAX_ID, Action, action_id, parse_action
from s4b_bot.routing.routes import ROUTES


@given(st.sampled_from(ROUTES.verbs), st.integers(min_value=0, max_value=MAX_ID))
def test_round_trip(verb: str, entity_id: int) -> None:
    encoded = action_id(verb, entity_id)
    assert encoded == f"s4b:{verb}:{entity_id}"
    assert parse_action(encoded) == Action(verb, entity_id)


def test_encode() -> None:
    assert Action("register", 12).encode() == "s4b:register:12"


def test_unknown_verb_is_refused_by_the_route_table() -> None:
    with pytest.raises(UserError, match="That button is no longer valid"):
        ROUTES.button(action_id("delete", 1))
    with pytest.raises(ValueError, match="not an action verb: 'Delete!'"):
        action_id("Delete!", 1)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "s4b",
        "s4b:register",
        "s4b:register:",
        "s4b:register:abc",
        "s4b:register:-1",
        "s4b:register:1.5",
        "s4b:register: 1",
        "s4b:register:1:2",
        "s4b:delete:1",
        "S4B:register:1",
        "other:register:1",
        "register:1",
    ],
)
def test_malformed_ids_are_user_errors(value: str) -> None:
    with pytest.raises(UserError, match="That button is no longer valid"):
        ROUTES.button(value)


@pytest.mark.parametrize("value", ["s4b:register:²", "s4b:session:" + "9" * 5000])
def test_odd_digit_strings_are_user_errors(value: str) -> None:
    with pytest.raises(UserError):
        parse_action(value)


@pytest.mark.parametrize("entity_id", [2**31, 99_999_999_999])
def test_ids_beyond_the_databases_integer_are_user_errors(entity_id: int) -> None:
    """A forged id over PostgreSQL's 32-bit integer would fail in the query (issue 12.11)."""
    with pytest.raises(UserError, match="That button is no longer valid"):
        parse_action(f"s4b:register:{entity_id}")
