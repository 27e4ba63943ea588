"""The sandbox page in a real headless browser (Debian's chromium, driven by playwright)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.sandbox import server

CHROMIUM = "/usr/bin/chromium"
REQUIRE_BROWSER = os.environ.get("LETTERBOT_REQUIRE_BROWSER") == "1"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip

pytestmark = pytest.mark.browser
# The sandbox's real time, held still: a Monday evening after the reminder windows, so that a move of
# the bot's clock lands at 19:00 whatever the hour the tests run at.
START = datetime(2026, 11, 23, 22, 30, tzinfo=ZoneInfo("Europe/Minsk"))


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
    running = await server.start(settings, f"sqlite+aiosqlite:///{path}", clock=lambda: START.astimezone(UTC))
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
                "Гатова: цяпер мова бота — беларуская.", timeout=10_000
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


async def test_next_week_brings_a_birthday_reminder_into_the_chat(sandbox: server.Sandbox) -> None:
    from playwright.async_api import async_playwright, expect

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = await browser.new_page(viewport={"width": 1366, "height": 768})
            await page.goto(sandbox.url)
            clock = page.locator("#clock-now")
            await expect(clock).to_have_text("Mon 23 Nov 2026, 22:30 Europe/Minsk")
            await expect(page.locator("#clock-window")).to_have_text("· no reminder window")
            await page.locator("#user-list li", has_text="Emma").click()
            await page.fill("#text", "/suggest")
            await page.click("#send")
            # The demo puts people with a birthday soon first: a letter to one of them is followed by a reminder.
            await expect(page.locator(".msg.bot").last).to_contain_text("their birthday is on", timeout=10_000)
            await page.get_by_role("button", name="I sent a letter", exact=True).click()
            await page.get_by_role("button", name="Today", exact=True).click()
            await expect(page.locator(".msg.bot").last).to_contain_text("Saved", timeout=10_000)
            await page.get_by_role("button", name="Next week", exact=True).click()
            await expect(clock).to_have_text("Mon 30 Nov 2026, 19:00 Europe/Minsk", timeout=10_000)
            await expect(page.locator("#clock-window")).to_have_text("· evening window")
            reminder = page.locator(".msg.bot").last
            await expect(reminder).to_contain_text("🔔 A gentle reminder", timeout=10_000)
            await expect(reminder).to_contain_text("birthday on")
            # The clock control fits the header of a 1366-pixel screen: nothing scrolls sideways.
            assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            await page.fill("#clock-date", "2026-12-02")
            await page.get_by_role("button", name="Go to date", exact=True).click()
            await expect(clock).to_have_text("Wed 2 Dec 2026, 19:00 Europe/Minsk", timeout=10_000)
        finally:
            await browser.close()
    assert not [call for call in sandbox.telegram.refusals() if call.error_code == 400]


async def test_a_letter_text_wraps_and_answers_chats_the_menu_and_roles_show(sandbox: server.Sandbox) -> None:
    from playwright.async_api import async_playwright, expect

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = await browser.new_page(viewport={"width": 1366, "height": 768})
            await page.goto(sandbox.url)
            await page.locator("#user-list li", has_text="Emma").click()
            # The command menu, as Telegram shows it: a command sends itself.
            await page.click("#menu")
            menu = page.locator("#command-menu")
            await expect(menu).to_be_visible()
            await menu.locator("li", has_text="/suggest").click()
            await expect(menu).to_be_hidden()
            await expect(page.locator(".msg.user").last).to_have_text("/suggest", timeout=10_000)
            await expect(page.locator(".msg.bot").last).to_contain_text("REPUBLIC OF BELARUS", timeout=10_000)

            # A letter text's long lines wrap: Send, Block and the call panel stay on a 1366-pixel screen.
            await page.locator(".msg.bot").last.get_by_role("button", name="Letter text", exact=True).click()
            await expect(page.locator(".msg.bot").last).to_contain_text("What it says, in English", timeout=10_000)
            assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            for control in ("#send", "#block", "#calls"):
                box = await page.locator(control).bounding_box()
                assert box is not None and box["x"] + box["width"] <= 1366, control

            # Each call names its chat; the answer to a press shows as a toast, an alert until dismissed.
            await expect(page.locator("#call-list li", has_text="sendMessage · Emma").first).to_be_attached()
            await page.locator(".msg.bot").last.get_by_role("button", name="Back to the card", exact=True).click()
            await page.locator(".msg.bot").last.get_by_role("button", name="Filters", exact=True).click()
            await page.locator(".msg.bot").last.get_by_role("button", name="Women", exact=True).click()
            await expect(page.locator("#toast")).to_have_text("Filter saved.", timeout=10_000)
            await page.evaluate(
                """fetch("/sandbox/api/chat/7000003/press", {method: "POST",
                   headers: {"Content-Type": "application/json"},
                   body: JSON.stringify({message_id: 1, data: "flt:set:fac:forged"})})"""
            )  # a forged or outdated press
            alert = page.locator("#alert")
            await expect(alert).to_be_visible(timeout=10_000)
            await expect(alert).to_contain_text("This button is no longer valid.")
            await page.click("#alert-ok")
            await expect(alert).to_be_hidden()

            # A role taken away (here by /forget) shows in the list of people at once.
            kasia = page.locator("#user-list li", has_text="Kasia")
            await expect(kasia).to_contain_text("coordinator, app language ru")
            await kasia.click()
            await page.fill("#text", "/forget")
            await page.click("#send")
            await page.locator(".msg.bot").last.get_by_role("button", name="Да, удалить всё").click()
            await expect(kasia).to_contain_text("supporter, app language ru", timeout=10_000)
        finally:
            await browser.close()
    assert not [call for call in sandbox.telegram.refusals() if call.error_code == 400]
