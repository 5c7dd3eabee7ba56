"""A route: one command, button or form, declared as data with its audience, typed options
and audit policy; running it resolves what it names (a session) before its handler runs.

Each feature declares its routes in its own `routes.py`; `routing/table.py` gathers them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from s4b_bot import validate
from s4b_bot.errors import NotFound, UserError
from s4b_bot.invocation import ArgValue, ChatMessage, FormValue
from s4b_bot.programme.sessions import resolve
from s4b_bot.routing.actions import is_entity_id
from s4b_bot.words import FORM_EXPIRED, SESSION_GONE, not_a_choice
from storage import queries

if TYPE_CHECKING:
    from s4b_bot.context import Context
    from s4b_bot.output import Attachment, Outcome
    from storage.models import ProgrammeSession

MEMBER_ROOT = "s4b"
ORGANIZER_ROOT = "s4b-admin"

OptionKind = Literal["session", "text", "when", "zone", "choice", "file"]
""""when" is a date and time: typed, it is one word or two (`2026-04-28 13:00`)."""
Audience = Literal["member", "organizer"]
AuditPolicy = Literal["change", "export", "none"]
"""What a successful run leaves in the audit log: "change" (it changes state) and "export"
(it hands out personal data) leave one entry, written by the core; "none" (it only shows)."""
FormValues = Mapping[str, FormValue]


@dataclass(frozen=True)
class Option:
    name: str
    kind: OptionKind
    description: str
    required: bool = False
    max_length: int = 100
    choices: tuple[str, ...] = ()
    """For kind "choice": the accepted words. For kinds "session" and "zone": extra words
    like "all" or "off"."""
    keyword_only: bool = False
    """Typed as `--name value` (after free text it could not be told apart otherwise)."""
    label: str = ""
    """What a message calls it, as a sentence starts ("Call details"); "The <name>" if unset."""
    accept: tuple[str, ...] = ()
    """For kind "file": the name endings it takes (".ics"); any file when empty."""

    @property
    def endings(self) -> str:
        """The endings a file option takes, in words: ".md, .markdown or .txt"."""
        *most, last = self.accept or ("",)
        return f"{', '.join(most)} or {last}" if most else last

    def check_file(self, filename: str) -> None:
        """Refuse a file whose name does not end as this option takes (UserError)."""
        if self.accept and not filename.lower().endswith(self.accept):
            wanted = self.description[:1].lower() + self.description[1:]
            raise UserError(
                f"“{filename}” is not {wanted} (its name must end in {self.endings}). "
                "Nothing was changed."
            )

    @property
    def placeholder(self) -> str:
        inner = self.name if not self.choices else "|".join((self.name, *self.choices))
        if self.kind == "choice":
            inner = "|".join(self.choices)
        if self.keyword_only:
            inner = f"--{self.name} {self.name}"
        return f"<{inner}>" if self.required else f"[{inner}]"


SESSION = Option(
    "session", "session", "A session: its season, number, date or part of its title", required=True
)
"""The usual required session option."""


class Args:
    """A command's options as its handler gets them: text checked and cleaned, and each
    `session` option resolved to its session (or left as the extra word it was, `all`)."""

    def __init__(
        self,
        values: Mapping[str, str | None],
        sessions: Mapping[str, ProgrammeSession] | None = None,
    ) -> None:
        self.values = dict(values)
        self.sessions = dict(sessions or {})

    def __getitem__(self, name: str) -> str:
        """A required option's text."""
        value = self.values.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def get(self, name: str) -> str | None:
        """An optional option's text, None when it was not given."""
        return self.values.get(name)

    def session(self, name: str = "session") -> ProgrammeSession:
        """The session a required `session` option names."""
        return self.sessions[name]

    def maybe_session(self, name: str = "session") -> ProgrammeSession | None:
        """The session an optional `session` option names, None if none (or `all`)."""
        return self.sessions.get(name)

    def wants_all(self, name: str = "session") -> bool:
        """Whether the `session` option was the word `all` rather than a session."""
        return (self.values.get(name) or "").strip().lower() == "all"


CommandHandler = Callable[["Context", Args], Awaitable["Outcome"]]


@dataclass(frozen=True)
class CommandRoute:
    name: str
    """One or more words: "sessions", "session call"."""
    summary: str
    handler: CommandHandler
    options: tuple[Option, ...] = ()
    audience: Audience = "member"
    example: str | None = None
    audit: AuditPolicy | None = None
    """Required of organizer routes (the table refuses to load without it)."""
    opens_form: bool = False
    """It may answer with a form (Discord must then answer first, with the modal)."""

    @property
    def audited(self) -> bool:
        """Whether a successful run leaves an audit entry."""
        return audited(self)

    @property
    def root(self) -> str:
        return ORGANIZER_ROOT if self.audience == "organizer" else MEMBER_ROOT

    @property
    def usage(self) -> str:
        parts = [f"/{self.root} {self.name}", *(o.placeholder for o in self.options)]
        return " ".join(parts)

    @property
    def hint(self) -> str:
        return f"Usage: `{self.usage}`"

    def check_args(self, raw: Mapping[str, ArgValue]) -> dict[str, str | None]:
        """Validate typed or parsed arguments; unknown, missing or bad ones raise UserError."""
        unknown = set(raw) - {o.name for o in self.options}
        if unknown:
            raise UserError(f"`{self.name}` has no option {sorted(unknown)[0]!r}. {self.hint}")
        args: dict[str, str | None] = {}
        for option in self.options:
            if option.kind == "file":
                continue  # files travel beside the arguments (Invocation.files)
            value = raw.get(option.name)
            if value is None or (isinstance(value, str) and not value.strip()):
                if option.required:
                    raise UserError(
                        f"`{self.name}` needs {option.description.lower()}. {self.hint}"
                    )
                args[option.name] = None
                continue
            text = str(value)
            label = option.label or f"The {option.name}"
            if option.kind == "zone":
                word = text.strip().lower()
                args[option.name] = word if word in option.choices else validate.clean_zone(text)
            elif option.kind == "choice":
                word = validate.clean_text(label, text, max_length=option.max_length).lower()
                if word not in option.choices:
                    raise UserError(f"{not_a_choice(text, option.choices)} {self.hint}")
                args[option.name] = word
            else:
                args[option.name] = validate.clean_text(label, text, max_length=option.max_length)
        return args

    def check_files(self, files: Sequence[Attachment]) -> None:
        """Refuse files of a kind the command's file option does not take (UserError)."""
        for option in self.options:
            for upload in files if option.kind == "file" else ():
                option.check_file(upload.filename)

    async def resolve(self, ctx: Context, values: Mapping[str, str | None]) -> Args:
        """The handler's arguments: each session option resolved against the programme."""
        sessions: dict[str, ProgrammeSession] = {}
        for option in self.options:
            ref = values.get(option.name)
            if option.kind != "session" or ref is None or ref.strip().lower() in option.choices:
                continue
            every = await queries.all_sessions(ctx.db)
            sessions[option.name] = resolve(every, ref, now=ctx.now)
        return Args(values, sessions)


@dataclass(frozen=True)
class ButtonRoute:
    """A button, by the verb of its action id (`s4b:<verb>:<entity id>`); its handler gets
    the entity id."""

    verb: str
    handler: Callable[[Context, int], Awaitable[Outcome]]
    audience: Audience = "member"
    audit: AuditPolicy | None = None
    opens_form: bool = False

    @property
    def name(self) -> str:
        return self.verb

    async def run(self, ctx: Context, entity_id: int) -> Outcome:
        return await self.handler(ctx, entity_id)


@dataclass(frozen=True)
class SessionButtonRoute:
    """A button on a session: its handler gets the session, or the member is told it is gone."""

    verb: str
    handler: Callable[[Context, ProgrammeSession], Awaitable[Outcome]]
    audience: Audience = "member"
    audit: AuditPolicy | None = None
    opens_form: bool = False

    @property
    def name(self) -> str:
        return self.verb

    async def run(self, ctx: Context, entity_id: int) -> Outcome:
        session = await queries.session_by_id(ctx.db, entity_id)
        if session is None:
            raise NotFound(SESSION_GONE)
        return await self.handler(ctx, session)


@dataclass(frozen=True)
class FormRoute:
    """A form whose id is `key` itself ("register")."""

    key: str
    name: str
    """The command that opens it: a member refused an organizer form is told its name."""
    handler: Callable[[Context, FormValues], Awaitable[Outcome]]
    audience: Audience = "member"
    audit: AuditPolicy | None = None

    def form_id(self) -> str:
        return self.key

    async def run(self, ctx: Context, form_id: str, values: FormValues) -> Outcome:
        if form_id != self.key:
            raise UserError(FORM_EXPIRED)
        return await self.handler(ctx, values)


@dataclass(frozen=True)
class EntityFormRoute:
    """A form about one thing, its id `<key>:<entity id>` ("summary:3"); its handler gets
    the entity id."""

    key: str
    name: str
    """The command that opens it: a member refused an organizer form is told its name."""
    handler: Callable[[Context, int, FormValues], Awaitable[Outcome]]
    audience: Audience = "member"
    audit: AuditPolicy | None = None

    def form_id(self, entity_id: int) -> str:
        return f"{self.key}:{entity_id}"

    async def run(self, ctx: Context, form_id: str, values: FormValues) -> Outcome:
        entity = form_id.removeprefix(f"{self.key}:")
        if entity == form_id or not is_entity_id(entity):
            raise UserError(FORM_EXPIRED)
        return await self.handler(ctx, int(entity), values)


@dataclass(frozen=True)
class MessageRoute:
    """A gesture on someone's message (Discord: a message context-menu command; Slack: a
    message shortcut); its handler gets the message."""

    name: str
    """What the member sees in the message's menu: "Report to organizers"."""
    callback_id: str
    """Its id on the wire (Slack's shortcut callback_id): `[a-z_]{1,20}`, never renamed."""
    handler: Callable[[Context, ChatMessage], Awaitable[Outcome]]
    audience: Audience = "member"
    audit: AuditPolicy | None = None
    opens_form: bool = False

    async def run(self, ctx: Context, message: ChatMessage) -> Outcome:
        return await self.handler(ctx, message)


AnyButton = ButtonRoute | SessionButtonRoute
AnyForm = FormRoute | EntityFormRoute
Route = CommandRoute | AnyButton | AnyForm | MessageRoute


ORGANIZERS_ONLY = "Only organizers can use `{usage}`."


def allows(route: Route, *, is_organizer: bool) -> bool:
    """Whether someone may use the route: the one audience rule, for every kind of route."""
    return route.audience == "member" or is_organizer


def audited(route: Route) -> bool:
    """Whether a successful run leaves an audit entry."""
    return route.audit in ("change", "export")


def refusal(route: Route | None) -> str:
    """What someone outside an organizer route's audience is told, the same for a command,
    a button or a form (named by the command that opens it); `/s4b-admin` alone when the
    words typed name no command."""
    usage = f"/{ORGANIZER_ROOT}" if route is None else f"/{ORGANIZER_ROOT} {route.name}"
    return ORGANIZERS_ONLY.format(usage=usage)
