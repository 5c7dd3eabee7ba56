"""The pages' templates: Jinja2 with autoescape on, from s4b_bot/pages/templates
(base.html holds the layout and the print stylesheet that others extend)."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

_ENV = Environment(
    loader=PackageLoader("s4b_bot.pages", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_page(template: str, **context: Any) -> str:
    """The page `template` (e.g. "summary.html") filled in with `context`."""
    return _ENV.get_template(template).render(**context)
