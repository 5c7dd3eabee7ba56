"""A page as a PDF (WeasyPrint), shrunk step by step until it fits one sheet (or on as many
pages as it takes); the renderer fetches nothing but the page's own `data:` images."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from weasyprint import URLFetcher

PRINT_SIZE_PT = 10.0
"""The print stylesheet's type size (templates/base.html); everything else is in rem."""
# WeasyPrint's warnings quote the page's text (a glyph no font has): not for the logs.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)

SCALES = (100, 94, 88, 82, 76)
"""Percent of that size tried in turn, until the page fits one sheet."""


def _data_only() -> URLFetcher:
    """A fetcher that opens `data:` URLs alone (an embedded chart): nothing else is read,
    neither the network nor a file."""
    from weasyprint import URLFetcher

    return URLFetcher(allowed_protocols=("data",), allow_redirects=False)


def page_pdf(html: str, *, one_page: bool = True) -> tuple[bytes, int]:
    """`html` printed as the print stylesheet lays it out, on one page when it can be (or,
    not `one_page`, at its own size on as many as it takes); and how many pages it took.
    WeasyPrint (and pango under it) loads here, at the first PDF, not when the bot starts."""
    from weasyprint import CSS, HTML

    page = HTML(string=html, url_fetcher=_data_only())
    document = None
    for scale in SCALES if one_page else SCALES[:1]:
        size = PRINT_SIZE_PT * scale / 100
        # !important: a stylesheet given here comes before the page's own in the cascade.
        shrink = CSS(string=f"@media print {{ html {{ font-size: {size:.2f}pt !important; }} }}")
        document = page.render(stylesheets=[shrink])
        if len(document.pages) == 1:
            break
    assert document is not None
    pdf: bytes = document.write_pdf()
    return pdf, len(document.pages)
