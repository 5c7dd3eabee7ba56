"""Logging: one line an event, plain or JSON, and never a secret or personal data.

Tokens and secrets are redacted by pattern (Slack xox*/xapp tokens, Discord bot tokens,
anything after "token=" or "secret="), and email addresses are masked, in the message and
in any exception text, before a handler writes the line.
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
    handler.addFilter(RedactingFilter())
    handler.setFormatter(
        JsonFormatter()
        if json_lines
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Libraries that log request URLs or headers at INFO/DEBUG stay at WARNING.
    for noisy in ("aiohttp.access", "slack_bolt", "slack_sdk", "discord.http", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
