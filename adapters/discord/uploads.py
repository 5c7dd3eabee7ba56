"""Files attached to a slash command: checked by size and name, then downloaded."""

from __future__ import annotations

from typing import Any

import discord

from s4b_bot import Attachment, CommandRoute, UserError

MSG_FILE_TOO_LARGE = "That file is too large ({size:,} bytes; at most {limit:,})."


async def read_files(
    command: CommandRoute, options: dict[str, Any], *, max_bytes: int
) -> tuple[Attachment, ...]:
    """The command's attached files, each refused (UserError) by its size or its name
    before it is downloaded."""
    files: list[Attachment] = []
    for option in command.options:
        value = options.get(option.name)
        if option.kind != "file" or not isinstance(value, discord.Attachment):
            continue
        if value.size > max_bytes:
            raise UserError(MSG_FILE_TOO_LARGE.format(size=value.size, limit=max_bytes))
        option.check_file(value.filename)
        content = await value.read()
        mime = value.content_type or "application/octet-stream"
        files.append(Attachment(value.filename, content, mime))
    return tuple(files)
