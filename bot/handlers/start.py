"""/start: greet in the user's language, let them change it, say what is kept, and ask the pace."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.handlers import buttons, campaign_open
from bot.handlers.common import AppContext, Request, find_someone_keyboard, handler, language_keyboard
from bot.i18n import RUNNING_NAMES
from bot.models import WritingPace
from bot.services import supporters

PACE_BUTTONS = (buttons.ChoosePace,)


@handler()
async def start(update: Update, context: AppContext, request: Request) -> None:
    argument = (context.args or [""])[0]
    if argument.startswith(campaign_open.DEEP_LINK) and await campaign_open.by_code(
        request, argument.removeprefix(campaign_open.DEEP_LINK)
    ):  # a campaign's link: its text and someone to write to (an unknown code: the usual greeting)
        return
    request.reply(request.render("start", language=RUNNING_NAMES[request.locale]), language_keyboard(request.locale))
    if request.supporter.writing_pace is None:
        request.reply(request.render("pace_ask"), pace_keyboard(request))


def pace_keyboard(request: Request) -> InlineKeyboardMarkup:
    t = request.t
    return InlineKeyboardMarkup([
        [buttons.make(t._("Once a month"), buttons.ChoosePace(WritingPace.MONTHLY))],
        [buttons.make(t._("Every two weeks"), buttons.ChoosePace(WritingPace.FORTNIGHTLY))],
        [buttons.make(t._("Only on occasions"), buttons.ChoosePace(WritingPace.OCCASIONS))],
    ])  # fmt: skip


@handler()
async def pace(update: Update, context: AppContext, request: Request) -> None:
    """How often the user wants to write, kept for the reminders."""
    query = update.callback_query
    assert query is not None
    pressed = buttons.read(query.data, *PACE_BUTTONS)
    if pressed is None:
        request.stale()
        return
    await supporters.set_pace(request.session, request.supporter, pressed.pace)
    request.answer(request.t._("Saved."))
    request.show(request.render("pace_saved", pace=pressed.pace.value), find_someone_keyboard(request))
