"""Discord's documented rules for request bodies that its OpenAPI description cannot
express, checked by the mock Discord on every request (a body that breaks one gets a 400,
as from Discord) and by `spec.validate`.

From discord/discord-api-docs (developers/components/reference.mdx,
interactions/receiving-and-responding.mdx, resources/message.mdx, resources/webhook.mdx,
interactions/application-commands.mdx):

- custom_id: 1–100 characters, unique among the components of a message or a modal;
  a component `id` is unique within the message too.
- A message without the IS_COMPONENTS_V2 flag has at most 5 action rows at the top, and
  nothing else there; with the flag, no content, embeds, stickers or poll, and at most 40
  components in all.
- An action row holds 1–5 buttons or a single select, never both.
- A non-link, non-premium button has a custom_id and no url or sku_id; a link button has a
  url and no custom_id; a premium button has a sku_id and no custom_id, label, url or emoji.
- A string select has 1–25 options.
- A modal has 1–5 components; none of them disabled; a select, checkbox group or file
  upload that is required (the default) has min_values omitted or at least 1.
- A new message has at least one of content, embeds, sticker_ids, components, files or
  poll (Discord: 50006 "Cannot send an empty message"); content is at most 2,000
  characters; at most 10 embeds and 6,000 characters over all of them.
- Autocomplete: at most 25 choices, name and value 100 characters each.
- Command names match ^[-_a-z0-9]{1,32}$ (ASCII); descriptions 1–100 characters; a command,
  subcommand group or subcommand has at most 25 options (so at most 25 subcommands).
- allowed_mentions: `parse` naming users (roles) and a `users` (`roles`) list are
  mutually exclusive, a validation error; each list holds at most 100 ids.
- A context-menu command (type 2 USER, 3 MESSAGE) has a name of 1–32 characters, spaces
  and capitals allowed, and no description ("empty string for USER and MESSAGE commands")
  and no options; at most 5 of each type per scope.
- A channel's (a thread's) slow mode, `rate_limit_per_user`, is 0–21600 seconds.
- Uploaded files (resources/message.mdx, "Uploading Files"): at most 10 a message, and
  together at most 10 MiB (the limit without a boosted server); a larger request gets 413
  with code 40005 "Request entity too large".
- A Guild Scheduled Event's status, once COMPLETED or CANCELED, "can no longer be updated"
  (resources/guild-scheduled-event.mdx); the mock refuses such a change of status.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

INVALID_FORM_BODY = 50035
EVENT_FINAL = {3, 4}
"""Scheduled event statuses COMPLETED and CANCELED: final."""
EMPTY_MESSAGE = 50006

IS_COMPONENTS_V2 = 1 << 15
CONTENT = 2_000
EMBEDS = 10
EMBED_TOTAL = 6_000
CUSTOM_ID = 100
LEGACY_ROWS = 5
V2_COMPONENTS = 40
ROW_BUTTONS = 5
SELECT_OPTIONS = 25
MODAL_COMPONENTS = 5
CHOICES = 25
CHOICE_TEXT = 100
COMMAND_DESCRIPTION = 100
COMMAND_NAME = re.compile(r"^[-_a-z0-9]{1,32}$")  # the documented pattern, for ASCII names
COMMAND_OPTIONS = 25
MENTION_IDS = 100
CHAT_INPUT, USER_COMMAND, MESSAGE_COMMAND = 1, 2, 3
CONTEXT_MENU_NAME = 32
CONTEXT_MENUS = 5
"""At most this many USER, and this many MESSAGE, commands per scope."""
SLOW_MODE = 21_600
UPLOAD_BYTES = 10 * 1024 * 1024
TOO_LARGE = 40005

ACTION_ROW, BUTTON, STRING_SELECT, LABEL = 1, 2, 3, 18
SELECTS = {3, 5, 6, 7, 8}
LINK, PREMIUM = 5, 6
MIN_VALUES_TYPES = {*SELECTS, 19, 22}
"""Components whose min_values must be at least 1 when they are required."""

MESSAGE_CREATES = {"create_message", "execute_webhook"}
MESSAGE_EDITS = {"update_message", "update_original_webhook_message"}
CHANNEL_MESSAGE, UPDATE_MESSAGE, AUTOCOMPLETE, MODAL = 4, 7, 8, 9

Path = tuple[str | int, ...]
"""Where in the body: ("data", "components", 0, "custom_id")."""


@dataclass(frozen=True)
class Problem:
    path: Path
    code: str
    message: str

    def __str__(self) -> str:
        return f"{'.'.join(map(str, self.path)) or 'body'}: {self.message} ({self.code})"


def problems(operation: str, body: Any, *, files: int = 0) -> list[Problem]:
    """Every documented rule `body` breaks, for the request `operation` (its operationId),
    sent with `files` uploaded files."""
    if operation in ("bulk_set_application_commands", "bulk_set_guild_application_commands"):
        found = [p for i, command in enumerate(body) for p in _command(command, (i,))]
        for kind in (USER_COMMAND, MESSAGE_COMMAND):
            if sum(c.get("type") == kind for c in body) > CONTEXT_MENUS:
                found.append(_too_long((), CONTEXT_MENUS))
        return found
    if operation == "update_channel" and isinstance(body, dict):
        slow = body.get("rate_limit_per_user")
        if slow is not None and not 0 <= slow <= SLOW_MODE:
            return [Problem(("rate_limit_per_user",), "NUMBER_TYPE_MAX", f"0 to {SLOW_MODE}")]
    if not isinstance(body, dict):
        return []
    if operation == "create_interaction_response":
        data = body.get("data") or {}
        kind = body.get("type")
        if kind == MODAL:
            return _modal(data, ("data",))
        if kind == AUTOCOMPLETE:
            return _choices(data.get("choices") or [], ("data", "choices"))
        if kind == CHANNEL_MESSAGE:
            return _message(data, ("data",), files=files, new=True)
        if kind == UPDATE_MESSAGE:
            return _message(data, ("data",), files=files, new=False)
        return []
    if operation == "create_thread" and isinstance(body.get("message"), dict):
        return _message(body["message"], ("message",), files=files, new=True)
    if operation in MESSAGE_CREATES | MESSAGE_EDITS:
        return _message(body, (), files=files, new=operation in MESSAGE_CREATES)
    return []


def is_empty_message(found: list[Problem]) -> bool:
    return any(p.code == "EMPTY_MESSAGE" for p in found)


# --- messages ------------------------------------------------------------------------


def _message(message: dict[str, Any], at: Path, *, files: int, new: bool) -> list[Problem]:
    found: list[Problem] = []
    content = message.get("content") or ""
    embeds = message.get("embeds") or []
    components = message.get("components") or []
    if new and not (
        content.strip()
        or embeds
        or components
        or files
        or message.get("sticker_ids")
        or message.get("poll")
    ):
        found.append(Problem(at, "EMPTY_MESSAGE", "Cannot send an empty message"))
    if len(content) > CONTENT:
        found.append(_too_long((*at, "content"), CONTENT))
    if len(embeds) > EMBEDS:
        found.append(_too_long((*at, "embeds"), EMBEDS))
    if sum(embed_length(e) for e in embeds) > EMBED_TOTAL:
        found.append(
            Problem((*at, "embeds"), "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size")
        )
    flags = message.get("flags") or 0
    if flags & IS_COMPONENTS_V2:
        for key in ("content", "embeds", "sticker_ids", "poll"):
            if message.get(key):
                found.append(
                    Problem((*at, key), "COMPONENTS_V2_FIELD", f"{key} cannot be used with V2")
                )
        if _count(components) > V2_COMPONENTS:
            found.append(_too_long((*at, "components"), V2_COMPONENTS))
    else:
        if len(components) > LEGACY_ROWS:
            found.append(_too_long((*at, "components"), LEGACY_ROWS))
        for i, row in enumerate(components):
            if row.get("type") != ACTION_ROW:
                found.append(
                    Problem(
                        (*at, "components", i, "type"),
                        "COMPONENT_LAYOUT_INVALID",
                        "Only action rows are allowed at the top of a message without V2",
                    )
                )
    found += _rows(components, (*at, "components"))
    found += _unique_ids(components, (*at, "components"))
    found += _allowed_mentions(message.get("allowed_mentions"), (*at, "allowed_mentions"))
    return found


def _allowed_mentions(allowed: Any, at: Path) -> list[Problem]:
    """`parse` is mutually exclusive with `users` and `roles` when it names their type
    (resources/message.mdx, Allowed Mentions Object); each list holds at most 100 ids."""
    if not isinstance(allowed, dict):
        return []
    found: list[Problem] = []
    for kind in ("users", "roles"):
        ids = allowed.get(kind) or []
        if ids and kind in (allowed.get("parse") or []):
            found.append(
                Problem((*at, kind), "MUTUALLY_EXCLUSIVE", f"parse:[{kind}] and {kind} conflict")
            )
        if len(ids) > MENTION_IDS:
            found.append(_too_long((*at, kind), MENTION_IDS))
    return found


def _rows(components: list[Any], at: Path) -> list[Problem]:
    found: list[Problem] = []
    for here, component in _walk(components, at):
        if component.get("type") == ACTION_ROW:
            children = component.get("components") or []
            buttons = [c for c in children if c.get("type") == BUTTON]
            selects = [c for c in children if c.get("type") in SELECTS]
            if not 1 <= len(children) <= ROW_BUTTONS:
                found.append(_bad_length((*here, "components"), 1, ROW_BUTTONS))
            elif selects and (buttons or len(selects) > 1):
                found.append(
                    Problem(
                        (*here, "components"),
                        "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                        "An action row holds up to 5 buttons or one select",
                    )
                )
        if component.get("type") == BUTTON:
            found += _button(component, here)
        if component.get("type") == STRING_SELECT:
            options = component.get("options") or []
            if not 1 <= len(options) <= SELECT_OPTIONS:
                found.append(_bad_length((*here, "options"), 1, SELECT_OPTIONS))
    return found


def _button(button: dict[str, Any], at: Path) -> list[Problem]:
    style = button.get("style")
    present = {k for k in ("custom_id", "url", "sku_id", "label", "emoji") if button.get(k)}
    if style == LINK:
        required, forbidden = {"url"}, {"custom_id", "sku_id"}
    elif style == PREMIUM:
        required, forbidden = {"sku_id"}, {"custom_id", "label", "url", "emoji"}
    else:
        required, forbidden = {"custom_id"}, {"url", "sku_id"}
    found = [
        Problem((*at, key), "BASE_TYPE_REQUIRED", "This field is required")
        for key in sorted(required - present)
    ]
    found += [
        Problem((*at, key), "BUTTON_FIELD_NOT_ALLOWED", f"A style {style} button cannot have it")
        for key in sorted(forbidden & present)
    ]
    return found


# --- components anywhere -------------------------------------------------------------------


def _walk(components: list[Any], at: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every component with its path, depth first: a row's or container's components, a
    label's component, a section's accessory."""
    found: list[tuple[Path, dict[str, Any]]] = []
    for i, component in enumerate(components):
        found += _walk_one(component, (*at, i))
    return found


def _walk_one(component: Any, at: Path) -> list[tuple[Path, dict[str, Any]]]:
    if not isinstance(component, dict):
        return []
    found = [(at, component)]
    if isinstance(component.get("components"), list):
        found += _walk(component["components"], (*at, "components"))
    for key in ("component", "accessory"):
        found += _walk_one(component.get(key), (*at, key))
    return found


def _count(components: list[Any]) -> int:
    return len(_walk(components, ()))


def _unique_ids(components: list[Any], at: Path) -> list[Problem]:
    found: list[Problem] = []
    custom_ids: set[str] = set()
    ids: set[int] = set()
    for path, component in _walk(components, at):
        custom_id = component.get("custom_id")
        if custom_id is not None:
            if not 1 <= len(str(custom_id)) <= CUSTOM_ID:
                found.append(_bad_length((*path, "custom_id"), 1, CUSTOM_ID))
            if custom_id in custom_ids:
                found.append(
                    Problem(
                        (*path, "custom_id"),
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated",
                    )
                )
            custom_ids.add(custom_id)
        component_id = component.get("id")
        if component_id:
            if component_id in ids:
                found.append(
                    Problem((*path, "id"), "COMPONENT_ID_DUPLICATED", "Component id is duplicated")
                )
            ids.add(component_id)
    return found


# --- modals, choices, commands ------------------------------------------------------------


def _modal(data: dict[str, Any], at: Path) -> list[Problem]:
    found: list[Problem] = []
    custom_id = str(data.get("custom_id") or "")
    if not 1 <= len(custom_id) <= CUSTOM_ID:
        found.append(_bad_length((*at, "custom_id"), 1, CUSTOM_ID))
    components = data.get("components") or []
    if not 1 <= len(components) <= MODAL_COMPONENTS:
        found.append(_bad_length((*at, "components"), 1, MODAL_COMPONENTS))
    found += _unique_ids(components, (*at, "components"))
    found += _rows(components, (*at, "components"))
    for path, component in _walk(components, (*at, "components")):
        if component.get("disabled"):
            found.append(
                Problem((*path, "disabled"), "MODAL_DISABLED", "Modals cannot have disabled parts")
            )
        required = component.get("required")
        if (
            component.get("type") in MIN_VALUES_TYPES
            and (required is None or required)
            and component.get("min_values") is not None
            and component["min_values"] < 1
        ):
            found.append(
                Problem(
                    (*path, "min_values"),
                    "BASE_TYPE_MIN_VALUE",
                    "min_values must be at least 1 when the component is required",
                )
            )
    return found


def _choices(choices: list[dict[str, Any]], at: Path) -> list[Problem]:
    found = [_too_long(at, CHOICES)] if len(choices) > CHOICES else []
    for i, choice in enumerate(choices):
        for key in ("name", "value"):
            if len(str(choice.get(key, ""))) > CHOICE_TEXT:
                found.append(_too_long((*at, i, key), CHOICE_TEXT))
    return found


def _command(command: dict[str, Any], at: Path, *, top: bool = True) -> list[Problem]:
    """A command (`top`), or an option of one, whose `type` is an option type."""
    found: list[Problem] = []
    if top and command.get("type") in (USER_COMMAND, MESSAGE_COMMAND):
        if not 1 <= len(str(command.get("name", ""))) <= CONTEXT_MENU_NAME:
            found.append(_bad_length((*at, "name"), 1, CONTEXT_MENU_NAME))
        if command.get("description"):
            found.append(
                Problem(
                    (*at, "description"),
                    "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                    "Context menu commands cannot have a description",
                )
            )
        if command.get("options"):
            found.append(
                Problem((*at, "options"), "APPLICATION_COMMAND_OPTIONS", "No options allowed")
            )
        return found
    if not COMMAND_NAME.fullmatch(str(command.get("name", ""))):
        found.append(Problem((*at, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Invalid name"))
    if not 1 <= len(command.get("description") or "") <= COMMAND_DESCRIPTION:
        found.append(_bad_length((*at, "description"), 1, COMMAND_DESCRIPTION))
    options = command.get("options") or []
    if len(options) > COMMAND_OPTIONS:
        found.append(_too_long((*at, "options"), COMMAND_OPTIONS))
    for i, option in enumerate(options):
        found += _command(option, (*at, "options", i), top=False)
        found += _choices(option.get("choices") or [], (*at, "options", i, "choices"))
    return found


def embed_length(embed: dict[str, Any]) -> int:
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields") or [])
    total += len((embed.get("footer") or {}).get("text") or "")
    return total + len((embed.get("author") or {}).get("name") or "")


def _too_long(at: Path, limit: int) -> Problem:
    return Problem(at, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _bad_length(at: Path, low: int, high: int) -> Problem:
    return Problem(at, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")


def form_errors(found: list[Problem]) -> dict[str, Any]:
    """Discord's nested `errors` object for a 50035 answer
    (https://discord.com/developers/docs/reference#error-messages)."""
    errors: dict[str, Any] = {}
    for problem in found:
        node = errors
        for key in problem.path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": problem.code, "message": problem.message})
    return errors
