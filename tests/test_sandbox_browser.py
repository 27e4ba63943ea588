"""The sandbox page in a real headless browser (Debian's chromium, driven by playwright)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.config import Settings
from bot.models import Prisoner
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


@contextlib.asynccontextmanager
async def running_sandbox(database_url: str) -> AsyncIterator[server.Sandbox]:
    problem = browser_missing()
    if problem:
        if REQUIRE_BROWSER:
            pytest.fail(f"browser tests are required (LETTERBOT_REQUIRE_BROWSER=1): {problem}")
        pytest.skip(problem)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    running = await server.start(settings, database_url, clock=lambda: START.astimezone(UTC))
    try:
        yield running
    finally:
        await server.stop(running)


@pytest.fixture
async def sandbox(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[server.Sandbox]:
    path = tmp_path / "sandbox.sqlite3"
    shutil.copy(sqlite_template, path)
    async with running_sandbox(f"sqlite+aiosqlite:///{path}") as running:
        yield running


@pytest.fixture
async def sandbox_on_each_database(database_url: str) -> AsyncIterator[server.Sandbox]:
    """The sandbox on SQLite and on PostgreSQL, for a walk whose outcome is read in the database."""
    async with running_sandbox(database_url) as running:
        yield running


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


DATA = Path(__file__).parent / "data"


async def test_each_person_sees_what_they_may_try_and_the_admin_sends_files(
    sandbox: server.Sandbox, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright, expect

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = await browser.new_page(viewport={"width": 1366, "height": 768})
            await page.goto(sandbox.url)
            # A supporter: her own commands, and no staff command in the hint or in the menu.
            await page.locator("#user-list li", has_text="Emma").click()
            hint = page.locator("#chat-hint")
            await expect(hint).to_contain_text("You are Emma · supporter. You may try:")
            await expect(hint.locator("[data-role]")).to_have_count(1)
            await page.click("#menu")
            menu = page.locator("#command-menu")
            await expect(menu.locator("li", has_text="/suggest")).to_have_count(1)
            for staff in ("/import", "/export", "/grant", "/broadcast", "/campaign", "/stats"):
                await expect(menu.locator("li", has_text=staff)).to_have_count(0)
                await expect(hint).not_to_contain_text(staff)
            await page.click("#menu")

            # The coordinator and the admin: what their roles let them try, as the bot sees their roles.
            await page.locator("#user-list li", has_text="Kasia").click()
            await expect(hint.locator("[data-role=coordinator]")).to_contain_text("/broadcast, /broadcasts, /campaign")
            await expect(hint).not_to_contain_text("/import")
            await page.locator("#user-list li", has_text="Andrei").click()
            await expect(hint).to_contain_text("You are Andrei (admin) · admin.")
            await expect(hint.locator("[data-role=admin]")).to_contain_text("/import")

            # A file sent with the message box as its caption: the admin's own message shows its name and
            # size, and the bot answers it.
            await page.fill("#text", "/import")
            await page.set_input_files("#upload", str(DATA / "viasna_ru.csv"))
            sent = page.locator(".msg.user").last
            size = (DATA / "viasna_ru.csv").stat().st_size
            await expect(sent.locator(".document")).to_have_text(
                f"📄 viasna_ru.csv · {size / 1024:.1f} KB", timeout=10_000
            )
            await expect(sent.locator(".text")).to_have_text("/import")
            await expect(page.locator("#text")).to_have_value("")
            await expect(page.locator(".msg.user + .msg.bot")).not_to_have_count(0, timeout=10_000)
            document = next(m for m in sandbox.telegram.transcript(7000005) if "document" in m)
            assert document["caption"] == "/import" and document["document"]["file_size"] == size

            # Over 20 MB the page sends nothing and says why (a file on disk: the browser reads it itself).
            messages = len(sandbox.telegram.transcript(7000005))
            big = tmp_path / "big.csv"
            with big.open("wb") as file:
                file.truncate(20 * 1024 * 1024 + 1)
            await page.set_input_files("#upload", str(big))
            await expect(page.locator("#note")).to_have_text(
                "big.csv is 20.1 MB: a bot can download files of at most 20 MB, so it is not sent."
            )
            assert len(sandbox.telegram.transcript(7000005)) == messages
        finally:
            await browser.close()
    assert not [call for call in sandbox.telegram.refusals() if call.error_code == 400]


async def test_the_admin_imports_the_viasna_exports_with_a_dry_run_and_apply(
    sandbox_on_each_database: server.Sandbox,
) -> None:
    sandbox = sandbox_on_each_database
    from playwright.async_api import async_playwright, expect

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = await browser.new_page(viewport={"width": 1366, "height": 768})
            await page.goto(sandbox.url)
            await page.locator("#user-list li", has_text="Andrei").click()
            # The admin reads the bot in English; his chat's menu then has the admin's commands too.
            await page.fill("#text", "/language")
            await page.click("#send")
            await page.locator(".msg.bot").last.get_by_role("button", name="English").click()
            await expect(page.locator(".msg.bot").last).to_contain_text("English", timeout=10_000)
            await page.click("#menu")
            await expect(page.locator("#command-menu li", has_text="/import")).to_have_count(1, timeout=10_000)
            await page.click("#menu")

            # The ru export with the caption /import: a dry run that waits for the be export.
            await page.fill("#text", "/import")
            await page.set_input_files("#upload", str(DATA / "viasna_ru.csv"))
            first = page.locator(".msg.bot").last
            await expect(first).to_contain_text("Dry run: nothing is written yet.", timeout=10_000)
            await expect(first.get_by_role("button", name="Apply", exact=True)).to_have_count(0)
            # Then the be export: the dry run over both, with its counts, and Apply.
            await page.set_input_files("#upload", str(DATA / "viasna_be.csv"))
            dry = page.locator(".msg.bot", has_text="Over all 2 files sent to this import so far")
            await expect(dry).to_contain_text(
                "New: 3. Updated: 0. Unchanged: 0. Skipped: 1. Errors: 0.", timeout=10_000
            )
            await expect(dry).to_contain_text("Ольга Синица (104)")
            async with sandbox.database.transaction() as session:
                assert (await session.exec(select(Prisoner).where(Prisoner.source_id == "104"))).first() is None
            await dry.get_by_role("button", name="Apply", exact=True).click()
            applied = page.locator(".msg.bot", has_text="Applied: the list is updated.")
            await expect(applied).to_contain_text("New: 3. Updated: 0.", timeout=10_000)
            await expect(applied.locator(".keyboard")).to_have_count(0)

            # /export: a document to download, now with the people imported; /stats: a chart to look at.
            await page.fill("#text", "/export")
            await page.click("#send")
            link = page.locator(".msg.bot .document a").last
            await expect(link).to_have_text(re.compile(r"📄 prisoners-.*\.csv"), timeout=10_000)
            download = await page.request.get(sandbox.url + str(await link.get_attribute("href")).lstrip("/"))
            assert download.ok and "Вольга Сініца" in await download.text()
            await expect(link).to_have_attribute("download", re.compile(r"prisoners-.*\.csv"))
            await page.fill("#text", "/stats")
            await page.click("#send")
            chart = page.locator(".msg.bot img").last
            await expect(chart).to_be_visible(timeout=20_000)
            assert await chart.evaluate("image => image.complete && image.naturalWidth > 0")
        finally:
            await browser.close()
    async with sandbox.database.transaction() as session:
        imported = (
            await session.exec(select(Prisoner).where(col(Prisoner.source_id).in_(["101", "102", "103", "104"])))
        ).all()
    assert sorted(p.source_id for p in imported) == ["101", "102", "104"]  # 103 is not recognised: skipped
    assert {p.name_be for p in imported} >= {"Марыя Калеснікава", "Вольга Сініца"}  # both exports' names
    assert not [call for call in sandbox.telegram.refusals() if call.error_code == 400]
