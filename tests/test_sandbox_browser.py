"""The sandbox page in a real headless browser (Debian's chromium, driven by playwright)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.sandbox import server

CHROMIUM = "/usr/bin/chromium"
REQUIRE_BROWSER = os.environ.get("LETTERBOT_REQUIRE_BROWSER") == "1"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip

pytestmark = pytest.mark.browser


def browser_missing() -> str | None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    if not shutil.which(CHROMIUM):
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


@pytest.fixture
async def sandbox(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[server.Sandbox]:
    problem = browser_missing()
    if problem:
        if REQUIRE_BROWSER:
            pytest.fail(f"browser tests are required (LETTERBOT_REQUIRE_BROWSER=1): {problem}")
        pytest.skip(problem)
    path = tmp_path / "sandbox.sqlite3"
    shutil.copy(sqlite_template, path)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    running = await server.start(settings, f"sqlite+aiosqlite:///{path}")
    try:
        yield running
    finally:
        await server.stop(running)


async def test_start_and_change_language_in_the_browser(sandbox: server.Sandbox, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright, expect

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = await browser.new_page(viewport={"width": 1400, "height": 900})
            await page.goto(sandbox.url)
            await page.locator("#user-list li", has_text="Emma").click()
            await page.fill("#text", "/start")
            await page.click("#send")
            greeting = page.locator(".msg.bot").first
            await expect(greeting).to_contain_text("Hello! I help you write letters", timeout=10_000)
            await expect(greeting.locator("b").first).to_have_text(
                "Hello! I help you write letters to political prisoners in Belarus."
            )
            await greeting.get_by_role("button", name="Беларуская").click()
            await expect(page.locator(".msg.bot").first).to_contain_text(
                "Гатова: цяпер мова бота — Беларуская.", timeout=10_000
            )
            await expect(page.locator(".msg.bot").first.locator(".edited")).to_have_count(1)
            await expect(page.locator("#call-list li", has_text="editMessageText")).not_to_have_count(0)
            await page.screenshot(path=str(tmp_path / "sandbox.png"))
            target = os.environ.get("LETTERBOT_SCREENSHOT")
            if target:
                shutil.copy(tmp_path / "sandbox.png", target)
        finally:
            await browser.close()
    assert not [call for call in sandbox.telegram.refusals() if call.error_code == 400]
