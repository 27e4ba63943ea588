"""What the bot keeps about a person: every column of every table that holds a person's data, said in
plain words with how long it is kept. /privacy shows this list and the README repeats it; a test fails
when such a table gains a column that no item here names.
"""

from __future__ import annotations

from dataclasses import dataclass


def N_(message: str) -> str:  # gettext's conventional name: marks a text for extraction
    return message


LETTER_KEEP_DAYS = 730  # a logged letter is deleted two years after it was sent; the counts remain
HOLD_KEEP_DAYS = 14  # bot.services.holds.NOT_AGAIN_DAYS: whom you were offered, so as not to repeat
REMINDER_KEEP_DAYS = 60  # after its last day: a reminder row keeps it from being made twice
RELEASE_NEWS_KEEP_DAYS = 400  # news of a release: kept a year, so that it comes once
OUTBOX_KEEP_DAYS = 30  # after a message was delivered (or given up): whether it arrived
PERSONAL_TABLES = (
    "supporter", "draftcheck", "letter", "hold", "reminder", "outbox", "rolegrant", "auditentry", "broadcast",
    "campaign", "pendingimport", "prisoneredit",
)  # fmt: skip


@dataclass(frozen=True)
class Item:
    what: str  # an English msgid: what is kept
    kept: str  # an English msgid: for how long
    columns: tuple[str, ...]  # table.column, every one named


# fmt: off
ITEMS = (
    Item(
        N_("Your Telegram id: a number, not your name, username or phone number."),
        N_("Until you use /forget."),
        ("supporter.id", "supporter.telegram_id"),
    ),
    Item(
        N_(
            "Your choices: the language of the bot and of your letters, how often you want to write, and the "
            "filter for suggestions."
        ),
        N_("Until you change them or use /forget."),
        ("supporter.locale", "supporter.letter_language", "supporter.writing_pace", "supporter.suggest_filter"),
    ),
    Item(
        N_("Your reminder settings: which reminders you get, at what time of day, and a pause."),
        N_("Until you change them or use /forget."),
        ("supporter.reminders_on", "supporter.reminders_off", "supporter.reminders_paused_until",
         "supporter.reminder_window"),
    ),
    Item(
        N_(
            "Whether I am waiting for a draft to check, or for your first name to finish a letter text and which "
            "text it is (never the draft or the name itself), and whether you have blocked me."
        ),
        N_("Until you send the draft or the name, or write to me again, or use /forget."),
        ("supporter.pending_input", "supporter.is_active"),
    ),
    Item(
        N_("While a draft check is open (an hour after the last draft you sent, a day at most): when you last "
           "used it, the letter text you opened it from, how many parts of a draft it checked and their length, "
           "and, only while the next part of a long draft may still come, which of the words I know were in them. "
           "Never the draft itself."),
        N_("A day after you last used the check, or until you use /forget."),
        ("draftcheck.supporter_id", "draftcheck.opened_at", "draftcheck.back_to", "draftcheck.parts",
         "draftcheck.length", "draftcheck.found"),
    ),
    Item(
        N_("When you first wrote to me, and the hour you last did."),
        N_("Until you use /forget."),
        ("supporter.created_at", "supporter.last_seen_at"),
    ),
    Item(
        N_(
            "For each letter or postcard you log: to whom, the day it was sent, which kind, the occasion, whether a "
            "reply came, and the day you logged it."
        ),
        N_(
            "Two years after the day it was sent, or until you delete it or use /forget. The number of letters "
            "each prisoner got is kept without you, less the letters you logged in the last 30 days."
        ),
        (
            "letter.id",
            "letter.supporter_id",
            "letter.prisoner_id",
            "letter.sent_on",
            "letter.kind",
            "letter.occasion",
            "letter.reply_received",
            "letter.logged_on",
        ),
    ),
    Item(
        N_(
            "Whom I suggested to you, and when (and the campaign that brought you to them, if any, so that "
            "a letter you log counts for it), so that I do not offer the same person again soon."
        ),
        N_("14 days, or until you use /forget."),
        ("hold.id", "hold.supporter_id", "hold.prisoner_id", "hold.created_at", "hold.expires_at", "hold.released_at",
         "hold.campaign_id"),
    ),
    Item(
        N_("Reminders I prepare for you: what each is about (an occasion, or a person you wrote to), from "
           "which day it may be sent, and whether it was."),
        N_("Two months after its last day (a year for news of a release, so that it comes only once), or "
           "until you use /forget."),
        ("reminder.id", "reminder.supporter_id", "reminder.kind", "reminder.subject", "reminder.occurrence",
         "reminder.due_on", "reminder.expires_on", "reminder.status", "reminder.outbox_id"),
    ),
    Item(
        N_("For each message I send you on my own (never its text): what it was for, and whether it arrived."),
        N_("30 days, or until you use /forget."),
        ("outbox.id", "outbox.supporter_id", "outbox.purpose", "outbox.key", "outbox.status", "outbox.attempts",
         "outbox.created_at", "outbox.claimed_at", "outbox.finished_at"),
    ),
    Item(
        N_("Only for coordinators and admins: the role, who gave it and when."),
        N_("Until the role is taken back or you use /forget."),
        ("rolegrant.id", "rolegrant.telegram_id", "rolegrant.role", "rolegrant.granted_by", "rolegrant.granted_at"),
    ),
    Item(
        N_("Only for coordinators and admins: what was done with those powers, when, and by whom."),
        N_("Kept as a record, also after /forget."),
        (
            "auditentry.id",
            "auditentry.at",
            "auditentry.actor_telegram_id",
            "auditentry.action",
            "auditentry.subject_telegram_id",
            "auditentry.detail",
        ),
    ),
    Item(
        N_(
            "Only for coordinators and admins: the broadcasts and campaigns you wrote, their texts and "
            "figures, with your Telegram id and where the progress of a broadcast is shown. Never who got "
            "a broadcast: that is deleted when it ends."
        ),
        N_("Kept as a record with your id, also after /forget, which deletes only your unsent drafts."),
        (
            "broadcast.id", "broadcast.created_by", "broadcast.created_at", "broadcast.status",
            "broadcast.audience", "broadcast.text_be", "broadcast.text_ru", "broadcast.text_en",
            "broadcast.fallback", "broadcast.campaign_id", "broadcast.paid", "broadcast.total", "broadcast.sent",
            "broadcast.blocked", "broadcast.failed", "broadcast.uncertain", "broadcast.dropped",
            "broadcast.resent", "broadcast.progress_chat", "broadcast.progress_message",
            "broadcast.progress_shown", "broadcast.started_at", "broadcast.finished_at",
            "campaign.id", "campaign.code", "campaign.created_by", "campaign.created_at", "campaign.target",
            "campaign.prisoner_id", "campaign.facility_key", "campaign.first_day", "campaign.last_day",
            "campaign.text_be", "campaign.text_ru", "campaign.text_en",
        ),
    ),
    Item(
        N_(
            "Only for admins: an import or a change to a person's record you started and have not confirmed, "
            "with your Telegram id."
        ),
        N_("Until you apply or cancel it, an hour at most, or until you use /forget."),
        (
            "pendingimport.id", "pendingimport.admin_telegram_id", "pendingimport.created_at",
            "pendingimport.expires_at", "pendingimport.status",
            "prisoneredit.id", "prisoneredit.admin_telegram_id", "prisoneredit.prisoner_id", "prisoneredit.field",
            "prisoneredit.old_value", "prisoneredit.new_value", "prisoneredit.created_at", "prisoneredit.applied_at",
        ),
    ),
)
# fmt: on
