"""The dispatcher console issues a driver's phone (QR code and link), lists and revokes it,
through tracking's device API with the key the dispatcher types (a browser test)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import uvicorn
from playwright.async_api import async_playwright

from lastmile.console.app import Tenants, console_app
from lastmile.infra.ports import free_port
from lastmile.testing.apps import RunningApp

from .conftest import new_tenant
from .test_driver_app import ARGS, CHROMIUM

pytestmark = pytest.mark.integration


@pytest.fixture
async def console(app: RunningApp) -> AsyncIterator[str]:
    """The console, told where this test's tracking app listens."""
    port = free_port()
    config = uvicorn.Config(
        console_app(Tenants(), {"tracking": app.url}),
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def test_console_issues_and_revokes_a_phone(app: RunningApp, console: str) -> None:
    _, auth = new_tenant()
    key = auth["Authorization"].removeprefix("Bearer ")
    vehicle = f"v-{uuid.uuid4().hex[:8]}"
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page()
            await page.goto(console)
            await page.fill("#device-key", "not-a-key")
            await page.fill("#device-vehicle", vehicle)
            await page.click("#device-form button[type=submit]")
            await page.wait_for_function(
                "document.getElementById('device-message').textContent.length > 0"
            )
            assert await page.locator("#device-new").is_hidden()  # a bad key issues nothing
            await page.fill("#device-key", key)
            await page.fill("#device-label", "Sam's phone")
            await page.click("#device-form button[type=submit]")
            await page.locator("#device-new").wait_for()
            await page.wait_for_function(
                "document.getElementById('device-qr').complete"
                " && document.getElementById('device-qr').naturalWidth > 100"
            )
            link = await page.locator("#device-link").get_attribute("href") or ""
            assert link.startswith(f"{app.url}/driver/#token=dev_")
            token = {"Authorization": "Bearer " + link.split("#token=")[1]}
            assert (await app.client.get("/v1/device/route", headers=token)).status_code == 200
            row = page.locator("#devices tr", has_text="Sam's phone")
            await row.wait_for()
            assert "active" in await row.inner_text()
            await row.locator("button").click()
            await page.locator("#devices tr", has_text="revoked").wait_for()
            assert (await app.client.get("/v1/device/route", headers=token)).status_code == 401
        finally:
            await browser.close()
