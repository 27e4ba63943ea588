"""The one wiring place: settings in, a ready PTB Application out. `__main__` and tests both use it."""

from __future__ import annotations

import logging
import random
from typing import Any

from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot import LOCALES_DIR, TEMPLATES_DIR, metrics, scheduling
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
    webhook: bool = False,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """Build the bot: database, renderer, handlers in their order, error handler, command menus, and
    (unless `scheduled` is off: tests run each job themselves, on their own clock) the scheduled jobs.

    Migrations are not applied here: they run before the event loop starts (see `cli.run`). With
    `webhook` on there is no updater: Telegram posts the updates to bot/web's app.
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
        .post_stop(_on_stop)
        .post_shutdown(_on_shutdown)
    )
    # Every Bot API call passes through this request, which counts them by method and outcome.
    builder = builder.request(request if request is not None else metrics.CountingRequest(connection_pool_size=256))
    if webhook:
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data[common.DEPS_KEY] = deps
    register(application)
    if scheduled:
        scheduling.install(application)
    return application


def make_deps(
    settings: Settings, *, clock: Clock = system_clock, sleep: Sleep = system_sleep, rng: random.Random | None = None
) -> Deps:
    """What handlers and jobs need; also for commands that work without Telegram (`reminders due`)."""
    return Deps(
        settings=settings,
        db=Database(
            settings.database_url, pool_size=settings.bot_db_pool_size, max_overflow=settings.bot_db_max_overflow
        ),
        i18n=I18n(LOCALES_DIR, TEMPLATES_DIR, settings.bot_default_locale),
        clock=clock,
        library=Library(TEMPLATES_DIR),
        rng=rng or random.Random(),
        sleep=sleep,
    )


async def _on_startup(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    deps: Deps = application.bot_data[common.DEPS_KEY]
    await menu.register(application.bot, deps.i18n)
    await menu.register_staff(application.bot, deps)
    log.info("bot @%s is ready", application.bot.username)
    scheduler = scheduling.of(application)
    if scheduler is not None:
        await scheduler.start()


async def _on_stop(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # Before the bot's HTTP client closes: a job under way may still send (the sender ends its chunk).
    scheduler = scheduling.of(application)
    if scheduler is not None:
        await scheduler.stop()


async def _on_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await _on_stop(application)  # in case the stop hook was not run (each runner's stop is idempotent)
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
