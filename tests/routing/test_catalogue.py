"""catalogue: CommandRoute, Option and Catalogue on small hand-built commands."""

import pytest

from s4b_bot.errors import UserError
from s4b_bot.routing.route import CommandRoute, Option
from s4b_bot.routing.routes import ROUTES
from s4b_bot.routing.table import RouteTable


async def _handler(ctx, args):  # never called: the catalogue only stores it
    raise AssertionError("handler must not run")


def make(name: str, *options: Option, audience: str = "member") -> CommandRoute:
    audit = "change" if audience == "organizer" else None
    return CommandRoute(
        name, f"The {name} command.", _handler, options=options, audience=audience, audit=audit
    )


SCOPE = Option("scope", "choice", "Which sessions", choices=("upcoming", "all"))
SESSION = Option("session", "session", "A session", required=True, choices=("all",))
ZONE = Option("zone", "zone", "A zone", max_length=64)
NOTE = Option("note", "text", "A note", max_length=10)


def test_duplicate_names_are_rejected() -> None:
    with pytest.raises(ValueError, match="two commands share a name"):
        RouteTable([make("sessions"), make("about"), make("sessions", SCOPE)])


def test_same_name_under_two_roots_is_fine() -> None:
    catalogue = RouteTable([make("help"), make("help", audience="organizer")])
    assert catalogue.get("s4b", "help").root == "s4b"
    assert catalogue.get("s4b-admin", "help").root == "s4b-admin"


def test_real_catalogue_has_unique_names_per_root() -> None:
    keys = [(c.root, c.name) for c in ROUTES.commands]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    ("command", "usage"),
    [
        (make("mine"), "/s4b mine"),
        (make("sessions", SCOPE), "/s4b sessions [upcoming|all]"),
        (make("unregister", SESSION), "/s4b unregister <session|all>"),
        (make("timezone", ZONE), "/s4b timezone [zone]"),
        (
            make(
                "session call",
                SESSION,
                Option("details", "text", "Details", required=True),
                audience="organizer",
            ),
            "/s4b-admin session call <session|all> <details>",
        ),
    ],
)
def test_usage(command: CommandRoute, usage: str) -> None:
    assert command.usage == usage
    assert command.hint == f"Usage: `{usage}`"


def test_real_usages() -> None:
    assert ROUTES.get("s4b", "register").usage == "/s4b register [session|all]"
    assert (
        ROUTES.get("s4b-admin", "session call").usage
        == "/s4b-admin session call <session> <details>"
    )


def test_check_args_unknown_option() -> None:
    with pytest.raises(UserError) as info:
        make("sessions", SCOPE).check_args({"scope": "all", "colour": "red"})
    message = str(info.value)
    assert "`sessions` has no option 'colour'" in message
    assert "Usage: `/s4b sessions [upcoming|all]`" in message


def test_check_args_fills_missing_optional_with_none() -> None:
    assert make("sessions", SCOPE, NOTE).check_args({}) == {"scope": None, "note": None}


def test_check_args_blank_optional_is_none() -> None:
    assert make("note", NOTE).check_args({"note": "   "}) == {"note": None}


@pytest.mark.parametrize("raw", [{}, {"session": None}, {"session": "  "}])
def test_check_args_missing_required(raw: dict[str, object]) -> None:
    with pytest.raises(UserError, match=r"`unregister` needs a session\. Usage: "):
        make("unregister", SESSION).check_args(raw)


def test_check_args_choice_lowercased() -> None:
    assert make("sessions", SCOPE).check_args({"scope": " Upcoming "}) == {"scope": "upcoming"}


def test_check_args_bad_choice() -> None:
    with pytest.raises(
        UserError, match=r"^'later' is not an option here; use one of `upcoming` or `all`\. Usage"
    ):
        make("sessions", SCOPE).check_args({"scope": "later"})


def test_a_choice_of_one_names_it() -> None:
    reset = Option("action", "choice", "`reset` to replace the link", choices=("reset",))
    with pytest.raises(UserError, match=r"^'nonsense' is not an option here; use `reset`\."):
        make("calendar feed", reset).check_args({"action": "nonsense"})


def test_an_option_is_named_by_its_label() -> None:
    details = Option("details", "text", "The call details", max_length=10, label="Call details")
    with pytest.raises(UserError, match=r"^Call details: 11 characters; the limit is 10\.$"):
        make("session call", details).check_args({"details": "x" * 11})


def test_check_args_zone_is_canonicalised() -> None:
    assert make("timezone", ZONE).check_args({"zone": "europe/paris"}) == {"zone": "Europe/Paris"}


def test_check_args_text_is_cleaned_and_limited() -> None:
    command = make("note", NOTE)
    assert command.check_args({"note": "  hello  "}) == {"note": "hello"}
    with pytest.raises(UserError, match=r"^The note: 11 characters; the limit is 10\.$"):
        command.check_args({"note": "x" * 11})
    with pytest.raises(UserError, match=r"The note cannot contain a control character"):
        command.check_args({"note": "a\u202eb"})


def test_check_args_non_string_values_become_text() -> None:
    assert make("unregister", SESSION).check_args({"session": 2}) == {"session": "2"}


def test_get_unknown_and_find() -> None:
    catalogue = RouteTable([make("sessions", SCOPE), make("session", SESSION)])
    assert catalogue.find("s4b", "nope") is None
    assert catalogue.find("s4b", "session") is not None
    with pytest.raises(
        UserError, match=r"Did you mean `session`, `sessions`|`sessions`, `session`"
    ):
        catalogue.get("s4b", "sesion")


def test_match_prefers_longest_name() -> None:
    catalogue = RouteTable([make("session", SESSION), make("session call", SESSION, NOTE)])
    command, rest = catalogue.match("s4b", ["Session", "CALL", "spring", "x"])
    assert command.name == "session call"
    assert rest == ["spring", "x"]
    command, rest = catalogue.match("s4b", ["session", "spring"])
    assert command.name == "session"
    assert rest == ["spring"]


def test_match_suggests_first_word_of_multiword_commands() -> None:
    catalogue = RouteTable([make("session call", SESSION, NOTE, audience="organizer")])
    with pytest.raises(UserError, match=r"Did you mean `session`"):
        catalogue.match("s4b-admin", ["sesion"])


def test_for_root() -> None:
    members = {c.name for c in ROUTES.for_root("s4b")}
    organizers = {c.name for c in ROUTES.for_root("s4b-admin")}
    assert {"help", "register", "sessions", "timezone"} <= members
    assert {"help", "session call", "session reschedule", "session cancel", "roster"} <= organizers
    assert not members & {"session call", "roster", "audit", "queue"}
