"""Neutral `Text` to Slack mrkdwn: escaped, mention-proof, with localised times.

Slack reads `<…>` as links and mentions, so user text is escaped (&, <, > only, as
https://api.slack.com/reference/surfaces/formatting#escaping says). Typed "@channel"
gets a word joiner after the "@", so it can never page a channel even with link_names.
Times become `<!date^UNIX^{date_long} {time}|fallback>`: each member's client shows
their own local time; the fallback (session's zone, Eastern for S4B) is for the rest.
A relative moment becomes `{date_short_pretty} at {time}` ("tomorrow at 1:00 PM", kept
current by the client), its fallback the core's words ("in 2 hours").
(https://api.slack.com/reference/surfaces/formatting#date-formatting)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from s4b_bot import (
    Localised,
    Moment,
    Span,
    Text,
    clip,
    format_moment,
    format_span,
    plain_span,
    split_text,
)

_MASS_MENTION = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_WORD_JOINER = "\u2060"
# Private-use characters stand in for date tokens while text is split, so a cut never
# lands inside a token (they have spaces) and lengths are counted exactly.
_OPEN, _FILL, _CLOSE = "\ue000", "\ue001", "\ue002"
_PLACEHOLDER = re.compile(f"{_OPEN}{_FILL}*{_CLOSE}")
_PRIVATE = re.compile(f"[{_OPEN}{_FILL}{_CLOSE}]")
DATE_FORMAT = "{date_long} {time}"
RELATIVE_FORMAT = "{date_short_pretty} at {time}"


def escape(text: str) -> str:
    """Plain text made safe for mrkdwn: no links, no mentions, no broadcasts."""
    text = _PRIVATE.sub("", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MASS_MENTION.sub(lambda m: f"@{_WORD_JOINER}{m.group(1)}", text)


def plain(text: Text) -> str:
    """For plain_text objects and notification text: moments as their written fallback."""
    return "".join(plain_span(s) for s in text.spans)


def _clock(when: datetime, zone: str) -> str:
    local = when.astimezone(ZoneInfo(zone))
    hour = local.hour % 12 or 12
    half = "a.m." if local.hour < 12 else "p.m."
    return f"{hour}:{local.minute:02d} {half} {local.tzname() or zone}"


def date_token(moment: Moment) -> str:
    """`<!date^…>` for the start and, for a span, the end (same day: its time only)."""
    if moment.relative_to is not None:
        return (
            f"<!date^{int(moment.start.timestamp())}^{RELATIVE_FORMAT}|"
            f"{escape(format_moment(moment))}>"
        )
    start = (
        f"<!date^{int(moment.start.timestamp())}^{DATE_FORMAT}|"
        f"{escape(format_span(moment.start, None, moment.zone))}>"
    )
    if moment.end is None:
        return start
    zone = ZoneInfo(moment.zone)
    same_day = moment.start.astimezone(zone).date() == moment.end.astimezone(zone).date()
    end_format, end_fallback = (
        ("{time}", _clock(moment.end, moment.zone))
        if same_day
        else (DATE_FORMAT, format_span(moment.end, None, moment.zone))
    )
    return f"{start}–<!date^{int(moment.end.timestamp())}^{end_format}|{escape(end_fallback)}>"


def _words(span: str | Localised) -> str:
    """Words as mrkdwn: the localised variant, since Slack shows times in the reader's zone."""
    return escape(span.localised if isinstance(span, Localised) else span)


def _span(span: Span) -> str:
    return date_token(span) if isinstance(span, Moment) else _words(span)


def mrkdwn(text: Text) -> str:
    """One paragraph as mrkdwn, whole."""
    return "".join(_span(s) for s in text.spans)


def split_mrkdwn(text: Text, limit: int) -> list[str]:
    """One paragraph as mrkdwn pieces of at most `limit` characters, cut between words.

    Lengths are those of the escaped text (what Slack counts); date tokens are never cut.
    """
    tokens: list[str] = []
    parts: list[str] = []
    for span in text.spans:
        if isinstance(span, Moment):
            token = date_token(span)
            tokens.append(token)
            parts.append(_OPEN + _FILL * (len(token) - 2) + _CLOSE)
        else:
            parts.append(_words(span))
    pieces = split_text("".join(parts), limit)
    if sum(len(_PLACEHOLDER.findall(p)) for p in pieces) != len(tokens):
        # A "word" longer than the limit was cut through a token: write times out instead.
        flat = "".join(
            escape(format_moment(s)) if isinstance(s, Moment) else _words(s) for s in text.spans
        )
        return split_text(flat, limit)
    order: Iterator[str] = iter(tokens)
    return [_PLACEHOLDER.sub(lambda _: next(order), piece) for piece in pieces]


def shorten(text: str, limit: int) -> str:
    """Plain text on one line (as Slack shows a title, a label or a notification), clipped
    to `limit` characters."""
    return clip(" ".join(text.split()), limit)
