"""/broadcast: a coordinator writes an alert (audience, texts in be/ru/en, fallback, a campaign's
button), previews it, and confirms before anything goes out. The draft lives in the database, so
every step works on whichever replica gets it; coordinators and admins only, checked on each update.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MaybeInaccessibleMessage, Message, Update

from bot.config import LOCALES
from bot.handlers import broadcast_message, broadcast_progress, buttons, campaign_admin
from bot.handlers.common import STAFF, AppContext, Request, handler, refuse
from bot.i18n import NATIVE_NAMES, parse_locale
from bot.models import Broadcast, WritingPace
from bot.rules import audiences
from bot.services import broadcasts, campaigns, suggestions, supporters

BUTTONS = (
    buttons.BroadcastGo, buttons.BroadcastAudience, buttons.BroadcastText, buttons.BroadcastFallback,
    buttons.BroadcastCampaign, buttons.BroadcastSend,
)  # fmt: skip
INPUT = "bc:"  # supporters.pending_input while a text is awaited: bc:be, bc:ru, bc:en, bc:wrote
WROTE = INPUT + "wrote"
SHOWN_CAMPAIGNS = 8


def waits_for_text(pending: str | None) -> bool:
    return bool(pending) and (pending or "").startswith((INPUT, campaign_admin.INPUT))


@handler(requires=STAFF)
async def command(update: Update, context: AppContext, request: Request) -> None:
    draft = await broadcasts.draft_of(request.session, request.user_id)
    if draft is None:
        draft = await broadcasts.start_draft(request.session, request.user_id, request.deps.clock())
    await show_draft(request, draft)


@handler(requires=STAFF)
async def button(update: Update, context: AppContext, request: Request) -> None:
    query = update.callback_query
    assert query is not None
    pressed = buttons.read(query.data, *BUTTONS)
    draft = await broadcasts.draft_of(request.session, request.user_id)
    if pressed is None or draft is None:  # forged, or a draft already sent or thrown away
        request.stale()
        return
    session, t = request.session, request.t
    match pressed:
        case buttons.BroadcastGo("audience"):
            request.answer()
            request.show(request.render("broadcast_audience"), audience_keyboard(request))
            return
        case buttons.BroadcastAudience("wrote", _):
            await supporters.set_pending(session, request.supporter, WROTE)
            request.answer()
            request.reply(request.render("broadcast_ask", what="wrote"))
            return
        case buttons.BroadcastAudience(kind, value):
            chosen = audiences.make(kind, None if value == "-" else value)
            if chosen is None:
                request.stale()
                return
            draft.audience = chosen.stored()
            request.answer(t._("Saved."))
        case buttons.BroadcastText(locale, "1"):
            broadcasts.set_text(draft, locale, None)
            request.answer(t._("Removed."))
        case buttons.BroadcastText(locale, _):
            await supporters.set_pending(session, request.supporter, INPUT + locale)
            request.answer()
            request.reply(request.render("broadcast_ask", what="text", language=NATIVE_NAMES[locale]))
            return
        case buttons.BroadcastFallback(locale) if locale in broadcasts.texts(draft):
            draft.fallback = locale
            request.answer(t._("Saved."))
        case buttons.BroadcastGo("campaign"):
            request.answer()
            request.show(request.render("broadcast_campaigns"), await campaign_keyboard(request))
            return
        case buttons.BroadcastCampaign(campaign_id):
            if campaign_id and await campaigns.get(session, campaign_id) is None:
                request.stale()
                return
            draft.campaign_id = campaign_id or None
            request.answer(t._("Saved."))
        case buttons.BroadcastGo("preview"):
            await preview(request, draft)
            return
        case buttons.BroadcastGo("confirm"):
            await ask_to_confirm(request, draft)
            return
        case buttons.BroadcastSend(number, recipients):
            await send(request, draft, number, recipients, query.message)
            return
        case buttons.BroadcastGo("discard"):
            await session.delete(draft)
            request.answer()
            request.show(request.render("broadcast_discarded"))
            return
        case buttons.BroadcastGo("menu"):
            request.answer()
        case _:
            request.stale()
            return
    session.add(draft)
    await show_draft(request, draft)


async def take_text(request: Request, message: Message) -> None:
    """The text a step asked for: a language version, or the person whose writers are the audience."""
    pending = request.supporter.pending_input or ""
    if pending.startswith(campaign_admin.INPUT):
        await campaign_admin.take_text(request, message)
        return
    session = request.session
    if not set(STAFF) & await request.roles():  # the role was revoked since the question was asked
        await supporters.set_pending(session, request.supporter, None)
        refuse(request, "broadcast.take_text")
        return
    draft = await broadcasts.draft_of(session, request.user_id)
    if draft is None:
        await supporters.set_pending(session, request.supporter, None)
        request.reply(request.render("broadcast_discarded"))
        return
    if pending == WROTE:
        found = await suggestions.find_one(session, (message.text or "").strip())
        if found is None:  # asked again: the next text is tried too
            request.reply(request.render("broadcast_ask", what="wrote_unknown"))
            return
        draft.audience = audiences.Audience("wrote", str(found.id)).stored()
    else:
        locale = parse_locale(pending.removeprefix(INPUT))
        text = broadcast_message.checked_text(request, message)
        if locale is None or text is None:  # refused: the next text is tried too
            return
        broadcasts.set_text(draft, locale, text)
    await supporters.set_pending(session, request.supporter, None)
    session.add(draft)
    request.in_place = False
    await show_draft(request, draft)


async def show_draft(request: Request, draft: Broadcast) -> None:
    audience = audiences.parse(draft.audience)
    default = request.deps.settings.bot_default_locale
    person = await suggestions.get(request.session, audience.prisoner_id) if audience.prisoner_id is not None else None
    campaign = await campaigns.get(request.session, draft.campaign_id) if draft.campaign_id else None
    request.show(
        request.render(
            "broadcast_draft",
            audience=audience,
            person=person.name_ru if person else None,
            recipients=await broadcasts.count(request.session, audience, default),
            texts={NATIVE_NAMES[locale]: len(text) for locale, text in broadcasts.texts(draft).items()},
            fallback=NATIVE_NAMES[fallback] if (fallback := parse_locale(draft.fallback)) else None,
            campaign=campaign.code if campaign else None,
            language_names=NATIVE_NAMES,
        ),
        draft_keyboard(request, draft),
    )


def draft_keyboard(request: Request, draft: Broadcast) -> InlineKeyboardMarkup:
    t = request.t
    written = broadcasts.texts(draft)
    rows: list[list[InlineKeyboardButton]] = [
        [buttons.make("👥 " + t._("Audience"), buttons.BroadcastGo("audience"))],
        [
            buttons.make(("✏️ " if locale in written else "➕ ") + locale, buttons.BroadcastText(locale))
            for locale in LOCALES
        ],
    ]
    removable = [buttons.make("🗑 " + locale, buttons.BroadcastText(locale, "1")) for locale in written]
    if removable:
        rows.append(removable)
    if len(written) > 1:
        rows.append([
            buttons.make(("✓ " if draft.fallback == locale else "") + t._("Others: {language}").format(language=locale),
                         buttons.BroadcastFallback(locale))
            for locale in written
        ])  # fmt: skip
    rows.append([buttons.make("🔗 " + t._("Campaign button"), buttons.BroadcastGo("campaign"))])
    if written:
        rows.append([
            buttons.make("👁 " + t._("Preview"), buttons.BroadcastGo("preview")),
            buttons.make("📤 " + t._("Send…"), buttons.BroadcastGo("confirm")),
        ])  # fmt: skip
    rows.append([buttons.make("🗑 " + t._("Discard the draft"), buttons.BroadcastGo("discard"))])
    return InlineKeyboardMarkup(rows)


def audience_keyboard(request: Request) -> InlineKeyboardMarkup:
    t = request.t
    paces = {
        WritingPace.MONTHLY: t._("Once a month"),
        WritingPace.FORTNIGHTLY: t._("Every two weeks"),
        WritingPace.OCCASIONS: t._("Only on occasions"),
    }
    return InlineKeyboardMarkup([
        [buttons.make(t._("Everyone active"), buttons.BroadcastAudience("all", "-"))],
        [buttons.make(NATIVE_NAMES[locale], buttons.BroadcastAudience("lang", locale)) for locale in LOCALES],
        *[[buttons.make(label, buttons.BroadcastAudience("pace", pace.value))] for pace, label in paces.items()],
        [buttons.make(t._("Those who wrote to a person…"), buttons.BroadcastAudience("wrote", "-"))],
        [buttons.make("« " + t._("Back"), buttons.BroadcastGo("menu"))],
    ])  # fmt: skip


async def campaign_keyboard(request: Request) -> InlineKeyboardMarkup:
    listed = await campaigns.recent(request.session, SHOWN_CAMPAIGNS)
    rows = [[buttons.make(campaign_admin.label(request, c), buttons.BroadcastCampaign(c.id or 0))] for c in listed]
    rows.append([buttons.make(request.t._("No campaign button"), buttons.BroadcastCampaign(0))])
    rows.append([buttons.make("« " + request.t._("Back"), buttons.BroadcastGo("menu"))])
    return InlineKeyboardMarkup(rows)


async def preview(request: Request, draft: Broadcast) -> None:
    """Each language version sent to the coordinator alone, exactly as its recipients will see it."""
    request.answer(request.t._("Sending you a preview of each version."))
    for locale in broadcasts.texts(draft):
        message = await broadcast_message.compose(request.session, request.deps, draft, locale)
        if message is not None:
            request.reply(request.render("broadcast_preview_label", language=NATIVE_NAMES[locale]))
            request.reply(message.text, message.markup)


async def ask_to_confirm(request: Request, draft: Broadcast, notice: str | None = None) -> None:
    if not broadcasts.texts(draft):
        request.stale()
        return
    default = request.deps.settings.bot_default_locale
    recipients = await broadcasts.count(request.session, audiences.parse(draft.audience), default)
    request.answer(notice, alert=notice is not None)
    t = request.t
    keyboard = [[buttons.make("« " + t._("Back"), buttons.BroadcastGo("menu"))]]
    if recipients:
        label = t.ngettext("Yes, send to {n} person", "Yes, send to {n} people", recipients).format(n=recipients)
        keyboard.insert(0, [buttons.make("📤 " + label, buttons.BroadcastSend(draft.id or 0, recipients))])
    request.show(
        request.render(
            "broadcast_confirm", recipients=recipients, paid=request.deps.settings.bot_paid_broadcast,
            rate=request.deps.settings.bot_send_rate,
        ),
        InlineKeyboardMarkup(keyboard),
    )  # fmt: skip


async def send(
    request: Request, draft: Broadcast, number: int, recipients: int, message: MaybeInaccessibleMessage | None
) -> None:
    """Queue it for everyone in the audience now; the confirmation message becomes the progress. What
    was confirmed must still hold: this draft, with a text, to as many people as the question said."""
    deps = request.deps
    default = deps.settings.bot_default_locale
    now_counted = await broadcasts.count(request.session, audiences.parse(draft.audience), default)
    if number != draft.id or now_counted != recipients or not broadcasts.texts(draft):
        await ask_to_confirm(request, draft, request.t._("The draft or its audience changed: please confirm again."))
        return
    queued = await broadcasts.confirm(
        request.session, draft, now=deps.clock(), default_locale=deps.settings.bot_default_locale,
        paid=deps.settings.bot_paid_broadcast,
    )  # fmt: skip
    if message is not None:
        draft.progress_chat, draft.progress_message = message.chat.id, message.message_id
        request.session.add(draft)
    request.answer(request.t._("Sending has begun.") if queued else None)
    request.show(*broadcast_progress.view(request.deps, request.locale, draft))
