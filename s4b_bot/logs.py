"""Logging: one line an event, plain or JSON, and never a secret or personal data.

Tokens and secrets are redacted by pattern (Slack xox*/xapp tokens, Discord bot tokens,
anything after "token=" or "secret="), and email addresses are masked, in the message and
in any exception text, before a handler writes the line.

Below WARNING, only the bot's own loggers reach the handler, whatever S4B_LOG_LEVEL says:
libraries log what they carry at DEBUG or INFO (the database driver each statement's
parameters and rows, slack_sdk, bolt and discord.py each request's body), and that is
names, form answers, call links and feed tokens that no pattern can recognise.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

_REDACTIONS = (
    (re.compile(r"xox[abposr]-[A-Za-z0-9-]+"), "xox?-[redacted]"),
    (re.compile(r"xapp-[A-Za-z0-9-]+"), "xapp-[redacted]"),
    (
        re.compile(r"[MNO][A-Za-z\d_-]{23,25}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,40}"),
        "[discord-token]",
    ),
    (
        re.compile(
            r"(?i)((?:token|secret|password|authorization)[\"']?\s*[:=]\s*[\"']?)[^\s\"',;&]+"
        ),
        r"\1[redacted]",
    ),
    (re.compile(r"(?i)(Bot|Bearer)\s+[A-Za-z0-9._-]{20,}"), r"\1 [redacted]"),
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "[email]"),
)


def redact(text: str) -> str:
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message and exception text with secrets and emails removed."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


OWN_LOGGERS = ("s4b_bot", "adapters", "storage", "bench", "bot", "__main__")
LIBRARY_LEVELS = {
    "alembic": logging.INFO,
    "discord.client": logging.INFO,
    "discord.gateway": logging.INFO,
}
"""Libraries that log nothing personal at INFO (migrations run, gateway connected); every
other library is heard from WARNING up."""
NOISY_LIBRARIES = (
    "aiohttp",
    "asyncio",
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
    "slack_bolt",
    "slack_sdk",
    "discord",
)


def _is_own(name: str) -> bool:
    return any(name == own or name.startswith(own + ".") for own in OWN_LOGGERS)


def _library_level(name: str) -> int:
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        level = LIBRARY_LEVELS.get(".".join(parts[:end]))
        if level is not None:
            return level
    return logging.WARNING


class LibraryFloor(logging.Filter):
    """Drops libraries' records below their floor (WARNING unless LIBRARY_LEVELS says)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return _is_own(record.name) or record.levelno >= _library_level(record.name)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            entry["error"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure(*, level: str = "INFO", json_lines: bool = False) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(LibraryFloor())
    handler.addFilter(RedactingFilter())
    handler.setFormatter(
        JsonFormatter()
        if json_lines
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # LibraryFloor would drop their records anyway: spare the noisiest the work of making
    # them (never below the level asked for: a library's own level overrides the root's).
    floors = {**dict.fromkeys(NOISY_LIBRARIES, logging.WARNING), **LIBRARY_LEVELS}
    for library, floor in floors.items():
        logging.getLogger(library).setLevel(max(floor, root.level))
