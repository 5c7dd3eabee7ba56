"""Fitting text to a size limit, the same way on every platform: split it into pieces, or
clip it with "…". Each adapter declares its platform's limits next to its renderer."""

from __future__ import annotations

_TRAILING = " \t\r\n,;:·-—"
"""Dropped before a "…": a word cut after its comma or dash reads as if it went on."""


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into pieces of at most `limit` characters, in order.

    Prefers paragraph breaks, then line breaks, then spaces; cuts inside a word only when
    a single word is longer than `limit`. Joining the pieces with the separators they were
    cut at gives back the text, less the separators themselves.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[: limit + 1]
        for sep in ("\n\n", "\n", " "):
            cut = window.rfind(sep, 0, limit + 1)
            if cut > 0:
                pieces.append(rest[:cut].rstrip())
                rest = rest[cut + len(sep) :].lstrip()
                break
        else:
            pieces.append(rest[:limit])
            rest = rest[limit:]
    pieces.append(rest)
    return [p for p in pieces if p.strip()] or [""]


def clip(text: str, limit: int) -> str:
    """`text` in at most `limit` characters: whole when it fits, else cut with "…", at a
    word when one ends in the second half (for a title or a label, where a second piece has
    nowhere to go)."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    head = text[: cut if cut > limit // 2 else limit - 1].rstrip(_TRAILING)
    return head + "…"
