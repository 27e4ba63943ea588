"""The one wiring place: settings in, a ready PTB Application out. `__main__` and tests both use it."""

from __future__ import annotations

import logging
import random
from typing import Any

from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot import LOCALES_DIR, TEMPLATES_DIR, jobs
from bot.clock import Clock, Sleep, system_clock, system_sleep
from bot.config import Settings
from bot.db import Database
from bot.deps import Deps
from bot.handlers import ALLOWED_UPDATES, common, menu, register
from bot.i18n import I18n
from bot.services.letter_texts import Library
from bot.updates import PerUserUpdateProcessor

log = logging.getLogger(__name__)


def build_application(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    sleep: Sleep = system_sleep,
    request: BaseRequest | None = None,
    rng: random.Random | None = None,
    scheduled: bool = True,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """Build the bot: database, renderer, handlers in their order, error handler, command menus, and
    (unless `scheduled` is off: tests run each job themselves, on their own clock) the scheduled jobs.

    Migrations are not applied here: they run before the event loop starts (see `cli.run`).
    """
    deps = make_deps(settings, clock=clock, sleep=sleep, rng=rng)
    builder = (
        Application.builder()
        .token(settings.require_token())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.timezone))
        .context_types(ContextTypes(context=common.AppContext))
        .concurrent_updates(PerUserUpdateProcessor())
        .post_init(_on_startup)
        .post_shutdown(_on_shutdown)
    )
    if request is not None:
        builder = builder.request(request)
    application = builder.build()
    application.bot_data[common.DEPS_KEY] = deps
    register(application)
    if scheduled:
        jobs.schedule(application)
    return application


def make_deps(
    settings: Settings, *, clock: Clock = system_clock, sleep: Sleep = system_sleep, rng: random.Random | None = None
) -> Deps:
    """What handlers and jobs need; also for commands that work without Telegram (`reminders due`)."""
    return Deps(
        settings=settings,
        db=Database(settings.database_url),
        i18n=I18n(LOCALES_DIR, TEMPLATES_DIR, settings.bot_default_locale),
        clock=clock,
        library=Library(TEMPLATES_DIR),
        rng=rng or random.Random(),
        sleep=sleep,
    )


async def _on_startup(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    deps: Deps = application.bot_data[common.DEPS_KEY]
    await menu.register(application.bot, deps.i18n)
    log.info("bot @%s is ready", application.bot.username)


async def _on_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    deps: Deps = application.bot_data[common.DEPS_KEY]
    await deps.db.dispose()


async def start_polling(application: Application[Any, Any, Any, Any, Any, Any], *, poll_seconds: int = 10) -> None:
    """What `run_polling` does before it blocks, for callers that own the event loop (sandbox, tests)."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(
        poll_interval=0, timeout=poll_seconds, allowed_updates=list(ALLOWED_UPDATES)
    )


async def stop_polling(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The reverse of start_polling."""
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
    await application.shutdown()
