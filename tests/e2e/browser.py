"""The console in headless Chromium, for the browser tests."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import Page, async_playwright

CHROMIUM = os.environ.get("LASTMILE_CHROMIUM", "/usr/bin/chromium")


@asynccontextmanager
async def console_page(url: str) -> AsyncIterator[Page]:
    """The console page at `url`, once it has drawn the day."""
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: apt-get install -y chromium"
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = await browser.new_page()
            await page.goto(url)
            await page.wait_for_selector("body[data-ready='1']", timeout=30_000)
            yield page
        finally:
            await browser.close()
