"""The platforms' size limits, and one predictable way to split text to fit them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    message_chars: int
    section_chars: int
    blocks_per_message: int
    header_chars: int
    modal_title_chars: int
    modal_inputs: int


# https://api.slack.com/reference/block-kit/blocks and .../surfaces/modals
SLACK = Limits(
    message_chars=40_000,
    section_chars=3_000,
    blocks_per_message=50,
    header_chars=150,
    modal_title_chars=24,
    modal_inputs=100,
)
# https://discord.com/developers/docs/resources/message (content 2,000; embed description 4,096)
DISCORD = Limits(
    message_chars=2_000,
    section_chars=4_096,
    blocks_per_message=10,
    header_chars=256,
    modal_title_chars=45,
    modal_inputs=5,
)


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
