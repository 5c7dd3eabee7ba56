"""The S4B bot's core: what adapters and bot.py may use of it, and nothing else.

Adapters translate a platform's events into calls on `Core` and its `Outcome`s into the
platform's widgets; they deliver the outbox through a `Platform`. Everything below is that
contract; the rest of the package is the core's own business (docs/architecture.md).
"""

from s4b_bot import logs
from s4b_bot.clock import RunningClock, SettableClock, SystemClock, as_utc
from s4b_bot.core import Core
from s4b_bot.errors import PermanentFailure, RetryLater, UserError
from s4b_bot.invocation import Actor, ChatMessage, FormSubmission, FormValue, Invocation
from s4b_bot.limits import clip, split_text
from s4b_bot.metrics import REGISTRY as METRICS_REGISTRY
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.outbox.pacing import TokenBucket
from s4b_bot.output import (
    Attachment,
    Button,
    Card,
    Choice,
    Field,
    Form,
    FormField,
    Localised,
    Message,
    Moment,
    Outcome,
    Span,
    Text,
)
from s4b_bot.people.privacy import apply_retention
from s4b_bot.ports import (
    Clock,
    ModerationAction,
    Platform,
    Recipient,
    SessionEvent,
    SessionThread,  # messages that always arrive (issue 14, part 5)
)
from s4b_bot.programme.loading import DEFAULT_PROGRAMME, load_programme, read_programme
from s4b_bot.routing.actions import PATTERN as ACTION_PATTERN
from s4b_bot.routing.actions import PREFIX as ACTION_PREFIX
from s4b_bot.routing.route import MEMBER_ROOT, ORGANIZER_ROOT, CommandRoute, MessageRoute, Option
from s4b_bot.routing.table import RouteTable
from s4b_bot.settings import Settings
from s4b_bot.timefmt import format_moment, format_span, format_stamp, plain_span
from s4b_bot.validate import zone_names
from s4b_bot.words import files_caption, not_a_choice, went_wrong

__all__ = [
    "ACTION_PATTERN",
    "ACTION_PREFIX",
    "DEFAULT_PROGRAMME",
    "MEMBER_ROOT",
    "METRICS_REGISTRY",
    "ORGANIZER_ROOT",
    "Actor",
    "Attachment",
    "Button",
    "Card",
    "ChatMessage",
    "Choice",
    "Clock",
    "CommandRoute",
    "Core",
    "Dispatcher",
    "Field",
    "Form",
    "FormField",
    "FormSubmission",
    "FormValue",
    "Invocation",
    "Localised",
    "Message",
    "MessageRoute",
    "ModerationAction",
    "Moment",
    "Option",
    "Outcome",
    "PermanentFailure",
    "Platform",
    "Recipient",
    "RetryLater",
    "RouteTable",
    "RunningClock",
    "SessionEvent",
    "SessionThread",
    "SettableClock",
    "Settings",
    "Span",
    "SystemClock",
    "Text",
    "TokenBucket",
    "UserError",
    "apply_retention",
    "as_utc",
    "clip",
    "files_caption",
    "format_moment",
    "format_span",
    "format_stamp",
    "load_programme",
    "logs",
    "not_a_choice",
    "plain_span",
    "read_programme",
    "split_text",
    "went_wrong",
    "zone_names",
]
