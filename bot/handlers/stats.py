"""/stats: how the letter writing goes, for coordinators and admins: the figures as a message, then the
letters per week as a chart, drawn after the commit and off the event loop (it takes a moment)."""

from __future__ import annotations

import asyncio
from datetime import date

from babel.numbers import format_decimal, format_percent
from telegram import Message, Update

from bot.handlers import cards, stats_chart
from bot.handlers.common import STAFF, AppContext, Request, handler, message_of
from bot.services import stats


@handler(requires=STAFF)
async def command(update: Update, context: AppContext, request: Request) -> None:
    figures = await stats.compute(request.session, now=request.deps.clock(), today=request.deps.today())
    locale = request.locale
    request.reply(
        request.render(
            "stats", figures=figures, active_days=stats.ACTIVE_DAYS, weeks=stats.WEEKS, quiet_days=stats.QUIET_DAYS,
            share=format_percent(figures.reached_share, locale=locale),
            gini=format_decimal(figures.gini, "0.00", locale=locale),
            quiet=[(cards.name_for(locale, q.name_be, q.name_ru, q.name_en), q) for q in figures.quiet_named],
        )
    )  # fmt: skip
    t = request.t
    request.then(
        send_chart, message_of(update), figures.weeks, t._("Letters logged per week"), t._("The week beginning")
    )


async def send_chart(message: Message, weeks: list[tuple[date, int]], title: str, week_label: str) -> None:
    chart = await asyncio.to_thread(stats_chart.letters_by_week, weeks, title, week_label)
    await message.reply_photo(chart, filename="stats.png")
