"""Headless Chromium as a driver's phone in browser tests (the machine's own, no download)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from playwright.async_api import BrowserContext, Page, async_playwright

CHROMIUM = os.environ.get("LASTMILE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@asynccontextmanager
async def phone(lat: float, lon: float) -> AsyncIterator[tuple[BrowserContext, Page]]:
    """A browser context that grants geolocation, standing at (lat, lon), and a page in it."""
    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} missing: apt-get install -y chromium"
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = await browser.new_context(
                permissions=["geolocation"],
                geolocation={"latitude": lat, "longitude": lon, "accuracy": 5},
            )
            yield context, await context.new_page()
        finally:
            await browser.close()
