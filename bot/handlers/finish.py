"""Finishing a letter text: the writer's first name (in Cyrillic), a few words about them, and a PDF.

Nothing the writer types here is stored or logged. While the bot waits for the name, the database holds
only which text is being finished (supporter.pending_input, see `_pending`); the name arrives in a
message, goes into the reply, and from then on lives only in that reply: the buttons under it carry the
chosen words as a code and never the name, which is read back from the message they are on.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Literal

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity, Update

from bot.handlers import buttons, cards
from bot.handlers.common import AppContext, Request, handler
from bot.models import LetterKind, Prisoner
from bot.rules import letter_pdf, limits, transliteration
from bot.rules.occasions import Occasion
from bot.services import finished_letters, letter_texts, suggestions, supporters
from bot.services.finished_letters import GROUPS, Choices

BUTTONS = (buttons.FinishAsk, buttons.FinishChoose, buttons.FinishPdf)
PENDING = "n:"  # supporter.pending_input while the name is awaited: "n:<prisoner>:<occasion><kind><lang><variant>"
OCCASIONS = list(Occasion)
PDF_NAME = "letter.pdf"


def N_(message: str) -> str:  # gettext's conventional name: marks a text for extraction
    return message


LABELS = {  # each group's options, as GROUPS orders them
    "writer": (N_("I am a man"), N_("I am a woman")),
    "town": (N_("a city"), N_("a town"), N_("a village")),
    "work": (N_("I work"), N_("I study"), N_("I am retired")),
    "family": (N_("a big family"), N_("children")),
    "pets": (N_("a cat"), N_("a dog")),
    "hobby": (N_("reading"), N_("cooking"), N_("walks in nature"), N_("music")),
}


def waits_for_name(pending: str | None) -> bool:
    return pending is not None and pending.startswith(PENDING)


def _pending(text: buttons.FinishAsk) -> str:
    """At most 16 characters (the column's size): the prisoner's id in base 36, then one character each."""
    number, digits = text.prisoner, ""
    while True:
        number, digit = divmod(number, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[digit] + digits
        if not number:
            break
    return f"{PENDING}{digits}:{OCCASIONS.index(text.occasion)}{text.kind.value[0]}{text.language[0]}{text.variant}"


def _read_pending(pending: str) -> buttons.FinishAsk | None:
    try:
        prisoner, rest = pending.removeprefix(PENDING).split(":")
        occasion, kind, language = OCCASIONS[int(rest[0])], rest[1], rest[2]
        letter_kind = LetterKind.LETTER if kind == "l" else LetterKind.POSTCARD
        lang: Literal["ru", "be"] = "ru" if language == "r" else "be"
        return buttons.FinishAsk(int(prisoner, 36), occasion, letter_kind, lang, int(rest[3:]))
    except (ValueError, IndexError):
        return None


@handler()
async def ask(update: Update, context: AppContext, request: Request) -> None:
    """fin:ask, under a letter text: wait for the name; the text stays on screen."""
    query = update.callback_query
    assert query is not None
    pressed = buttons.read(query.data, buttons.FinishAsk)
    prisoner = await suggestions.get(request.session, pressed.prisoner) if pressed is not None else None
    if pressed is None or prisoner is None or not _offered(prisoner, pressed.occasion):
        request.stale()
        return
    request.answer()
    await supporters.set_pending(request.session, request.supporter, _pending(pressed))
    request.reply(request.render("finish_ask", invalid=False))


async def take_name(request: Request, message: Message) -> None:
    """The text after fin:ask: the writer's name. Called by the plain-text handler (bot/handlers/check.py)."""
    letter = _read_pending(request.supporter.pending_input or "")
    prisoner = await suggestions.get(request.session, letter.prisoner) if letter is not None else None
    name = transliteration.clean(message.text or "")
    if letter is None or prisoner is None or not suggestions.is_writable(prisoner):
        await supporters.set_pending(request.session, request.supporter, None)
        request.reply(request.render("unknown"))
        return
    if name is None:
        request.reply(request.render("finish_ask", invalid=True))  # still waiting for the name
        return
    await supporters.set_pending(request.session, request.supporter, None)
    chosen = buttons.FinishChoose(letter.prisoner, letter.occasion, letter.kind, letter.language, letter.variant)
    request.reply(*_screen(request, prisoner, chosen, transliteration.to_cyrillic(name, letter.language)))


@handler()
async def button(update: Update, context: AppContext, request: Request) -> None:
    """Under a finished letter: choose words about the writer, or get the PDF. The name is read back
    from the message the button is on."""
    query = update.callback_query
    assert query is not None
    pressed = buttons.read(query.data, buttons.FinishChoose, buttons.FinishPdf)
    prisoner = await suggestions.get(request.session, pressed.prisoner) if pressed is not None else None
    choices = Choices.parse(pressed.choices) if pressed is not None else None
    if pressed is None or prisoner is None or choices is None or not _offered(prisoner, pressed.occasion):
        request.stale()
        return
    name = _name_on(query.message if isinstance(query.message, Message) else None)
    if name is None:
        request.answer(request.t._("I no longer see your name here: press “Finish with my name” again."), alert=True)
        return
    if isinstance(pressed, buttons.FinishChoose):
        request.answer()
        request.show(*_screen(request, prisoner, pressed, name))
        return
    request.answer(request.t._("Making the PDF…"))
    finished = _finish(request, prisoner, pressed, choices, name)
    language = cards.letter_language(request)
    envelope = cards.envelope_lines(prisoner, language) if prisoner.address_ru else []
    cut_hint = "✂ " + request.t._("Cut along the dashed line and glue it on the envelope.")
    caption = request.t._("Page 1: the letter, on A4. Page 2: the address, to cut out and glue on the envelope.")
    # Made after the commit, off the event loop: drawing two pages takes a moment no one should wait for.
    request.then(_send_pdf, update.get_bot(), request.chat_id, finished.body, envelope, cut_hint, caption)


async def _send_pdf(bot: Bot, chat_id: int, body: str, envelope: list[str], cut_hint: str, caption: str) -> None:
    pdf = await asyncio.to_thread(letter_pdf.build, body, envelope, cut_hint=cut_hint)
    await bot.send_document(chat_id, pdf, filename=PDF_NAME, caption=caption)


def _offered(prisoner: Prisoner, occasion: Occasion) -> bool:
    """Letters reach them, and the occasion is one offered for them (8 March only for women): else forged."""
    return suggestions.is_writable(prisoner) and occasion in letter_texts.offered_occasions(prisoner.gender)


def _name_on(message: Message | None) -> str | None:
    """The writer's name as the finished letter shows it: its only `code` entity."""
    if message is None:
        return None
    names = list(message.parse_entities([MessageEntity.CODE]).values())
    return transliteration.clean(names[0]) if len(names) == 1 else None


def _finish(
    request: Request,
    prisoner: Prisoner,
    letter: buttons.FinishChoose | buttons.FinishPdf,
    choices: Choices,
    name: str,
) -> finished_letters.Finished:
    return finished_letters.finish(
        request.deps.library, finished_letters.phrases_in(request.deps.library.root),
        occasion=letter.occasion, kind=letter.kind, variant=letter.variant, language=letter.language,
        prisoner_name=prisoner.name_be if letter.language == "be" else prisoner.name_ru,
        prisoner_name_en=prisoner.name_en or prisoner.name_ru, gender=prisoner.gender, writer=name,
        choices=choices,
    )  # fmt: skip


def _screen(
    request: Request, prisoner: Prisoner, shown: buttons.FinishChoose, name: str
) -> tuple[str, InlineKeyboardMarkup]:
    choices = Choices.parse(shown.choices) or Choices()
    finished = _finish(request, prisoner, shown, choices, name)
    values = {"writer": name, "body": finished.body, "language": shown.language, "has_slots": finished.has_slots}
    text = request.render("finish_letter", gloss=finished.gloss if request.locale == "en" else None, **values)
    if limits.utf16_len(text) > limits.TEXT_LIMIT:  # a long letter: the gloss gives way to the letter
        text = request.render("finish_letter", gloss=None, **values)
    return text, _keyboard(request, shown, choices, finished.has_slots)


def _keyboard(request: Request, shown: buttons.FinishChoose, choices: Choices, has_slots: bool) -> InlineKeyboardMarkup:
    t = request.t
    rows: list[list[InlineKeyboardButton]] = []
    if has_slots and shown.open == "1":
        for index, (group, _options) in enumerate(GROUPS):
            row = []
            for option, label in enumerate(LABELS[group], start=1):
                mark = "✓ " if choices.picks[index] == option else ""
                code = choices.toggle(index, option).code
                row.append(buttons.make(mark + t._(label), dataclasses.replace(shown, choices=code)))
            rows.append(row)
        rows.append([buttons.make(t._("Done"), dataclasses.replace(shown, open="0"))])
    elif has_slots:
        rows.append([buttons.make(t._("A few words about me"), dataclasses.replace(shown, open="1"))])
    letter = (shown.prisoner, shown.occasion, shown.kind, shown.language, shown.variant)
    rows.append([buttons.make(t._("PDF to print"), buttons.FinishPdf(*letter, choices=shown.choices))])
    rows.append([
        buttons.make(t._("Change the name"), buttons.FinishAsk(*letter)),
        buttons.make(t._("Back to the card"), buttons.ShowCard(shown.prisoner)),
    ])  # fmt: skip
    return InlineKeyboardMarkup(rows)
