"""Errors the core raises, classed by what the caller should do next.

S4BError
├── UserError      show the message to the person; nothing was changed
│   ├── Forbidden  the person may not do this
│   └── NotFound   what they named does not exist
├── FormInvalid    a form came back with field errors; show them on the fields
└── RetryLater     a passing fault (database, platform); try again after `delay`
"""

from __future__ import annotations


class S4BError(Exception):
    """Base of every error the core raises on purpose."""


class UserError(S4BError):
    """A problem with what the person asked; the message is written for them."""


class Forbidden(UserError):
    """The person is not allowed to do this."""


class NotFound(UserError):
    """The thing named does not exist."""


class FormInvalid(S4BError):
    """A submitted form has field errors, keyed by field id."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class RetryLater(S4BError):
    """A transient failure; the operation may succeed after `delay` seconds."""

    def __init__(self, message: str, *, delay: float = 1.0) -> None:
        super().__init__(message)
        self.delay = delay


class PermanentFailure(S4BError):
    """A delivery that can never succeed (DMs closed, user gone); do not retry it.

    `unreachable`: the member cannot get DMs at all (Discord 50007, a Slack account gone),
    so what was waiting is kept for them to see in the bot; `shown`: the adapter showed it
    to them once anyway (a private follow-up to their latest interaction).
    """

    def __init__(self, message: str, *, unreachable: bool = False, shown: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable
        self.shown = shown
