"""Organizer-written Markdown to safe HTML: raw HTML is shown as text, links are http,
https or mailto only, and no image is fetched."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

SAFE_SCHEMES = ("http:", "https:", "mailto:")


def _safe_link(url: str) -> bool:
    return url.strip().lower().startswith(SAFE_SCHEMES)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    # A heading inside a section would outrank the section's own; an image would make the
    # page (and the PDF renderer) fetch a remote file.
    md.disable(["heading", "lheading", "image"])
    md.validateLink = _safe_link  # type: ignore[method-assign]  # markdown-it's hook
    return md


_MD = _parser()


def render_markdown(text: str) -> Markup:
    """`text` as HTML that is safe to place in a page as it is."""
    html = _MD.render(text)
    # Links leave for another site: no referrer (the page's own address may be secret).
    html = html.replace("<a href=", '<a rel="noopener noreferrer" href=')
    return Markup(html)
