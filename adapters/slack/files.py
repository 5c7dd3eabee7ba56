"""Files with commands on Slack: a modal with a file input, the file fetched with the bot token.

A slash command cannot carry a file, so a command whose route takes one asks for it in a
modal (`upload_modal`): `/s4b-admin session import` opens it at once; `/s4b-admin summary`
opens its form as before, with a button to send a Markdown file instead
(`with_upload_button`). The modal's file_input
(https://api.slack.com/reference/block-kit/block-elements#file_input, scope files:read,
at most 10 MB) gives the submission the uploaded file's id; files.info gives its name, size
and private address, and the bytes come from there with the bot token in the Authorization
header (https://api.slack.com/types/file#auth). A file of the wrong kind or too large is
refused before its bytes are read, a download that outgrows the limit is cut off, and a
sign-in page in place of the file (what Slack serves a token that may not read it) is
refused, never parsed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.config import SlackConfig
from adapters.slack.errors import error_code
from adapters.slack.limits import LABEL_CHARS, MODAL_TITLE_CHARS, VIEW_BLOCKS
from adapters.slack.mrkdwn import escape, shorten
from adapters.slack.render import Block, section
from s4b_bot import (
    Actor,
    Attachment,
    CommandRoute,
    Core,
    Message,
    Option,
    Outcome,
    RouteTable,
    UserError,
)

UPLOAD_CALLBACK_ID = "s4b:upload"
UPLOAD_ACTION_ID = "s4b-upload"
"""The form's "Send a file instead" button (not `s4b:…`: it is no core button)."""
FILE_BLOCK = "file"
"""The block_id and action_id of the file input: field errors go under it."""
MAX_TYPED = 1_000
"""Longest command text carried in a modal (private_metadata and button values are short)."""
CHUNK = 64 * 1024

MSG_ONE_FILE = "Attach one file."
MSG_TOO_LARGE = "That file is too large ({size:,} bytes; at most {limit:,}). Nothing was changed."
MSG_OVER_LIMIT = "That file is over {limit:,} bytes, the most a command takes. Nothing was changed."
MSG_NO_ACCESS = (
    "Slack would not let the bot read that file ({error}): the app needs the files:read "
    "scope (README, Run it on Slack). Nothing was changed."
)
MSG_NOT_HANDED = (
    "Slack sent {what} instead of the file: the app may lack the files:read scope "
    "(README, Run it on Slack). Nothing was changed."
)
MSG_NOT_SENT = "Slack did not send the file ({why}); please try again. Nothing was changed."
MSG_COMMAND_GONE = "That command no longer takes a file; nothing was changed. Type it again."


def _plain(text: str, limit: int = MODAL_TITLE_CHARS) -> dict[str, Any]:
    return {"type": "plain_text", "text": shorten(text, limit), "emoji": True}


@dataclass(frozen=True)
class FileCommand:
    """A typed command whose route takes a file, and that route's file option."""

    root: str
    text: str
    command: CommandRoute
    option: Option

    @property
    def request(self) -> str:
        """What the modal (or the button) carries to run it later."""
        return json.dumps({"root": self.root, "text": self.text})

    @property
    def wanted(self) -> str:
        """The option's description as a sentence's object: "a Markdown file with …"."""
        text = self.option.description
        return text[:1].lower() + text[1:]


def file_command(routes: RouteTable, root: str, text: str) -> FileCommand | None:
    """The command typed, when its route takes a file; None for any other text."""
    if len(text) > MAX_TYPED:
        return None
    try:
        command, _ = routes.match(root, text.split()[:3])
    except UserError:
        return None
    option = next((o for o in command.options if o.kind == "file"), None)
    return None if option is None else FileCommand(root, text, command, option)


def from_request(routes: RouteTable, request: str | None) -> FileCommand | None:
    """The command a modal or a button carries (`FileCommand.request`)."""
    try:
        data = json.loads(request or "{}")
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    return file_command(routes, str(data.get("root", "")), str(data.get("text", "")))


def upload_modal(wanted: FileCommand, *, limit: int, title: str | None = None) -> dict[str, Any]:
    """The modal that asks for the command's file (one, of the kinds its route takes)."""
    element: dict[str, Any] = {"type": "file_input", "action_id": FILE_BLOCK, "max_files": 1}
    kinds = ""
    if wanted.option.accept:
        element["filetypes"] = [ending.lstrip(".") for ending in wanted.option.accept]
        kinds = f"A name ending in {wanted.option.endings}, "
    block: Block = {
        "type": "input",
        "block_id": FILE_BLOCK,
        "label": _plain(wanted.option.description, LABEL_CHARS),
        "element": element,
        "hint": _plain(f"{kinds}at most {limit:,} bytes.", LABEL_CHARS),
    }
    return {
        "type": "modal",
        "callback_id": UPLOAD_CALLBACK_ID,
        "private_metadata": wanted.request,
        "title": _plain(title or wanted.command.name.capitalize()),
        "submit": _plain("Send"),
        "close": _plain("Cancel"),
        "blocks": [section(escape(wanted.command.summary)), block],
    }


def with_upload_button(view: Mapping[str, Any], wanted: FileCommand) -> dict[str, Any]:
    """A form's modal with, first, a button to send the command's file instead."""
    button = {
        "type": "button",
        "action_id": UPLOAD_ACTION_ID,
        "text": _plain("Send a file instead", 75),
        "value": wanted.request,
    }
    block = {**section(escape(f"Or send {wanted.wanted} instead.")), "accessory": button}
    return {**view, "blocks": [block, *view.get("blocks", ())][:VIEW_BLOCKS]}


def uploaded_ids(view: Mapping[str, Any]) -> list[str]:
    """The ids of the files in a submitted upload modal (state.values.file.file.files)."""
    values = (view.get("state") or {}).get("values") or {}
    state = (values.get(FILE_BLOCK) or {}).get(FILE_BLOCK) or {}
    return [str(f["id"]) for f in state.get("files") or () if isinstance(f, dict) and f.get("id")]


class Fetcher:
    """Reads an uploaded file with the bot token, within `SlackConfig.max_upload_bytes`."""

    def __init__(self, client: AsyncWebClient, config: SlackConfig) -> None:
        self.client = client
        self.limit = config.max_upload_bytes
        self._api = urlsplit(config.api_url)

    async def fetch(self, file_id: str, option: Option) -> Attachment:
        """The file as the core takes it; UserError says what is wrong with it."""
        try:
            info = (await self.client.files_info(file=file_id)).get("file") or {}
        except SlackApiError as exc:
            raise UserError(MSG_NO_ACCESS.format(error=error_code(exc))) from None
        name = str(info.get("name") or file_id)
        option.check_file(name)
        size = int(info.get("size") or 0)
        if size > self.limit:
            raise UserError(MSG_TOO_LARGE.format(size=size, limit=self.limit))
        url = str(info.get("url_private_download") or info.get("url_private") or "")
        if not self.trusted(url):
            raise UserError(MSG_NOT_HANDED.format(what="an address outside Slack"))
        content = await self.download(url, expect_html=name.lower().endswith((".htm", ".html")))
        mime = str(info.get("mimetype") or "application/octet-stream")
        return Attachment(name, content, mime)

    def trusted(self, url: str) -> bool:
        """Slack's own HTTPS hosts (or the configured API's, a local mock): the token goes
        nowhere else."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme == "https" and (host == "slack.com" or host.endswith(".slack.com")):
            return True
        return (parts.scheme, parts.netloc) == (self._api.scheme, self._api.netloc)

    async def download(self, url: str, *, expect_html: bool = False) -> bytes:
        """The bytes at a private address, with the bot token; UserError if not the file."""
        shared = self.client.session  # kept-alive connections while serving
        session = shared or aiohttp.ClientSession()
        headers = {"Authorization": f"Bearer {self.client.token}"}
        timeout = aiohttp.ClientTimeout(total=self.client.timeout)
        try:
            async with session.get(
                url, headers=headers, allow_redirects=False, timeout=timeout
            ) as response:
                if response.status != 200:
                    raise UserError(MSG_NOT_HANDED.format(what=f"HTTP {response.status}"))
                if response.content_type == "text/html" and not expect_html:
                    raise UserError(MSG_NOT_HANDED.format(what="a sign-in page"))
                return await self._read(response)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise UserError(MSG_NOT_SENT.format(why=type(exc).__name__)) from None
        finally:
            if shared is None:
                await session.close()

    async def _read(self, response: aiohttp.ClientResponse) -> bytes:
        """The body, refused as soon as it says or shows itself over the limit."""
        if response.content_length is not None and response.content_length > self.limit:
            raise UserError(MSG_TOO_LARGE.format(size=response.content_length, limit=self.limit))
        content = bytearray()
        async for chunk in response.content.iter_chunked(CHUNK):
            content += chunk
            if len(content) > self.limit:  # files.info said less: stop reading here
                raise UserError(MSG_OVER_LIMIT.format(limit=self.limit))
        return bytes(content)


def button_request(body: Mapping[str, Any]) -> str | None:
    """The command a pressed "Send a file instead" button carries."""
    actions = body.get("actions") or [{}]
    value = actions[0].get("value")
    return str(value) if value is not None else None


class Uploads:
    """Runs a command with the file sent from its upload modal, as Discord and the console
    run it with an attachment."""

    def __init__(self, core: Core, client: AsyncWebClient, config: SlackConfig) -> None:
        self.core = core
        self.fetcher = Fetcher(client, config)

    def modal(self, wanted: FileCommand, *, title: str | None = None) -> dict[str, Any]:
        return upload_modal(wanted, limit=self.fetcher.limit, title=title)

    async def run(self, actor: Actor, view: Mapping[str, Any]) -> Outcome:
        """The submitted modal's command, with its file; a bad file is a field error.

        Someone the command is not for gets the core's refusal before any download."""
        wanted = from_request(self.core.routes, view.get("private_metadata"))
        if wanted is None:
            return Outcome(reply=Message.plain(MSG_COMMAND_GONE))
        if not self.core.allows(actor, wanted.command):
            return await self.core.run_text(actor, wanted.root, wanted.text)
        ids = uploaded_ids(view)
        if len(ids) > 1:
            return Outcome(field_errors={FILE_BLOCK: MSG_ONE_FILE})
        files: tuple[Attachment, ...] = ()
        if ids:
            try:
                files = (await self.fetcher.fetch(ids[0], wanted.option),)
            except UserError as exc:
                return Outcome(field_errors={FILE_BLOCK: str(exc)})
        return await self.core.run_text(actor, wanted.root, wanted.text, files=files)
