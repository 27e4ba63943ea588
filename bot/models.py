"""The database tables: one place, so Alembic and the services see the same model.

What is stored about a supporter is limited on purpose (docs/domain.md, writer safety): the Telegram
id, chosen locale and settings, and the letter log. No names, usernames, phones or letter texts.
Every column of a table that holds a person's data is listed, with how long it is kept, in
bot/privacy.py; a test fails when a column is added here and not there.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    true,
)
from sqlmodel import Field, SQLModel

# A naming convention makes constraint names stable across SQLite and PostgreSQL migrations.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a model, for plain SQL where the ORM's bookkeeping is not needed."""
    table = getattr(model, "__table__", None)
    assert isinstance(table, Table)
    return table


def _utc_column(*, nullable: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable)


class PrisonerStatus(enum.StrEnum):
    ACTIVE = "active"
    RELEASED = "released"
    FORMER = "former"
    DECEASED = "deceased"


class Gender(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"


class Role(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"


class LetterKind(enum.StrEnum):
    LETTER = "letter"
    POSTCARD = "postcard"


class WritingPace(enum.StrEnum):
    MONTHLY = "monthly"
    FORTNIGHTLY = "fortnightly"
    OCCASIONS = "occasions"


class ReminderKind(enum.StrEnum):
    """What a reminder is about; each can be switched off on its own in /reminders."""

    BIRTHDAY_MINE = "bday_mine"  # a person I wrote to: 21 days before
    BIRTHDAY_LAST_CALL = "bday_last"  # ... and 10 days before if no letter was logged since (same switch)
    BIRTHDAYS_SOON = "bday_soon"  # once a week: up to three people whose birthday is 21-28 days away
    SOLIDARITY_DAY = "may21"
    WINTER = "winter"  # New Year and both Christmases, about 1 December
    EASTER = "easter"
    WOMENS_DAY = "march8"
    RELEASE_SOON = "release_soon"  # a person I wrote to: a last letter can still arrive
    RELEASED = "released"  # a person I wrote to was released: good news, once
    PACE = "pace"  # no letter logged in the period the supporter chose


class ReminderWindow(enum.StrEnum):
    """When in the day (BOT_TIMEZONE) reminders arrive: no personal time zone is stored."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


class Prisoner(SQLModel, table=True):
    """One person from the public lists, with names, facility and address in be and ru."""

    id: int | None = Field(default=None, primary_key=True)
    source_id: str = Field(max_length=64, unique=True, index=True)
    name_be: str = Field(max_length=200)
    name_ru: str = Field(max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    gender: str | None = Field(default=None, max_length=8)
    # The birth date is often partial (a year, or a year and a month): keep each part on its own.
    birth_year: int | None = None
    birth_month: int | None = Field(default=None, index=True)
    birth_day: int | None = None
    arrest_date: str | None = Field(default=None, max_length=10)  # YYYY, YYYY-MM or YYYY-MM-DD
    status: str = Field(max_length=16, index=True)
    in_custody: bool = True
    institution_be: str | None = Field(default=None, max_length=300)
    institution_ru: str | None = Field(default=None, max_length=300)
    # Derived: a short key of institution_ru, what a facility filter stores and button data carries.
    facility_key: str | None = Field(default=None, max_length=16, index=True)
    address_be: str | None = Field(default=None, sa_type=Text)
    address_ru: str | None = Field(default=None, sa_type=Text)
    can_write: bool = True
    letters_blocked: bool = False
    incommunicado: bool = False
    expected_release_date: date | None = None
    interests: str | None = Field(default=None, sa_type=Text)  # ;-separated, as in the import format
    bio_be: str | None = Field(default=None, sa_type=Text)
    bio_ru: str | None = Field(default=None, sa_type=Text)
    bio_en: str | None = Field(default=None, sa_type=Text)
    source_updated_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    updated_at: datetime = Field(sa_column=_utc_column())
    # Derived, not imported: all three names folded for search, and the decayed letter load
    # (see bot/rules/fairness.py) that orders suggestions, fewest letters first.
    search_key: str = Field(default="", sa_type=Text)
    load_ref: float = Field(default=0.0, index=True)


class Supporter(SQLModel, table=True):
    """A person who writes letters: only what the bot needs to serve them."""

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
    locale: str | None = Field(default=None, max_length=2)  # None until the user chooses
    writing_pace: str | None = Field(default=None, max_length=16)
    letter_language: str | None = Field(default=None, max_length=2)  # ru or be: the letters' language
    suggest_filter: str | None = Field(default=None, max_length=80)  # see bot/rules/filters.py
    pending_input: str | None = Field(default=None, max_length=16)  # "draft" while /check waits for text
    # Reminders: all on or off, the kinds switched off (comma-separated ReminderKind values), a pause,
    # and the window of the day they arrive in.
    reminders_on: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    reminders_off: str | None = Field(default=None, max_length=160)
    reminders_paused_until: date | None = None
    reminder_window: str = Field(
        default=ReminderWindow.EVENING.value, max_length=16, sa_column_kwargs={"server_default": "evening"}
    )
    is_active: bool = True  # False once Telegram says the user blocked the bot
    created_at: datetime = Field(sa_column=_utc_column())
    last_seen_at: datetime = Field(sa_column=_utc_column())


class DraftCheck(SQLModel, table=True):
    """The draft check a supporter has open (bot/handlers/check.py): never the draft itself.

    Where it was opened from (the letter text, as its button's data, for the way back), when, and, only
    while the next part of a long draft may still come, which list entries its parts so far contained
    (bot/rules/draft_check.py, Earlier).
    """

    supporter_id: int = Field(sa_column=Column(ForeignKey("supporter.id", ondelete="CASCADE"), primary_key=True))
    opened_at: datetime = Field(sa_column=_utc_column())  # the last ask or check: the screen stays open a while
    back_to: str | None = Field(default=None, max_length=64)
    parts: int = 0  # parts checked together so far; 0 while waiting for the first
    length: int = 0  # their characters
    found: str | None = Field(default=None, max_length=4000)  # entry keys, one a line; None: no part may follow


class RoleGrant(SQLModel, table=True):
    """A coordinator or admin power given to a Telegram user, and by whom (None: an operator)."""

    __table_args__ = (UniqueConstraint("telegram_id", "role", name="uq_rolegrant_user_role"),)

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    role: str = Field(max_length=16)
    granted_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    granted_at: datetime = Field(sa_column=_utc_column())


class Letter(SQLModel, table=True):
    """One letter or postcard a supporter says they sent: who, to whom, when, what kind.

    At most one per (supporter, prisoner, day, kind): a second tap or a forged press changes nothing.
    """

    __table_args__ = (UniqueConstraint("supporter_id", "prisoner_id", "sent_on", "kind", name="uq_letter_once"),)

    id: int | None = Field(default=None, primary_key=True)
    supporter_id: int = Field(
        sa_column=Column(ForeignKey("supporter.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    prisoner_id: int = Field(
        sa_column=Column(ForeignKey("prisoner.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    sent_on: date = Field(index=True)
    kind: str = Field(max_length=16)
    occasion: str | None = Field(default=None, max_length=32)
    reply_received: bool = False
    # The day it was logged (not the moment: coarse on purpose), for the daily cap on logging.
    logged_on: date = Field(index=True)


class Hold(SQLModel, table=True):
    """A soft hold: this prisoner was suggested to this supporter and counts as a letter in progress.

    Released when the letter is marked sent, another person is asked for, or it expires; the row
    stays a while after release so the same person is not offered again soon.
    """

    id: int | None = Field(default=None, primary_key=True)
    supporter_id: int = Field(
        sa_column=Column(ForeignKey("supporter.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    prisoner_id: int = Field(
        sa_column=Column(ForeignKey("prisoner.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    created_at: datetime = Field(sa_column=_utc_column())
    expires_at: datetime = Field(sa_column=_utc_column())
    released_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    # The campaign the supporter came through, so that the letter logged for this hold counts for it.
    campaign_id: int | None = Field(
        default=None, sa_column=Column(ForeignKey("campaign.id", ondelete="SET NULL"), nullable=True)
    )


class Reminder(SQLModel, table=True):
    """One reminder for one supporter: what it is about (kind, the person or 0, the occasion's date),
    from which day it may be sent and until when it is worth sending. Written once under its key by the
    sweep (INSERT ... ON CONFLICT DO NOTHING), so a sweep run twice, a restart or a second process never
    makes a second one; sent in the day's digest (an outbox message) of its supporter."""

    __table_args__ = (UniqueConstraint("supporter_id", "kind", "subject", "occurrence", name="uq_reminder_once"),)

    id: int | None = Field(default=None, primary_key=True)
    supporter_id: int = Field(
        sa_column=Column(ForeignKey("supporter.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    kind: str = Field(max_length=16)
    subject: int = 0  # the prisoner it is about, or 0 for an occasion everyone shares
    occurrence: date  # the occasion's own date: the birthday, 21 May, the release, the period's end
    due_on: date = Field(index=True)  # the first day it may be sent
    expires_on: date  # the last day it is worth sending
    status: str = Field(default="pending", max_length=16, index=True)  # see bot/services/reminders.py
    outbox_id: int | None = Field(
        default=None, sa_column=Column(ForeignKey("outbox.id", ondelete="SET NULL"), nullable=True, index=True)
    )


class Outbox(SQLModel, table=True):
    """A message the bot sends on its own (a day's reminders, later a broadcast), to one supporter.

    One per (supporter, purpose, key): the day's digest cannot be made twice. Delivered by bot/delivery,
    which records how it went; the text is rendered when it is sent, never stored.
    """

    __table_args__ = (
        UniqueConstraint("supporter_id", "purpose", "key", name="uq_outbox_once"),
        Index("ix_outbox_purpose_key_status", "purpose", "key", "status"),  # a broadcast paused, counted
    )

    id: int | None = Field(default=None, primary_key=True)
    supporter_id: int = Field(
        sa_column=Column(ForeignKey("supporter.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    purpose: str = Field(max_length=16)  # "reminders"
    key: str = Field(max_length=32)  # for reminders: the day, YYYY-MM-DD
    status: str = Field(default="pending", max_length=16, index=True)  # see bot/delivery/outcomes.py
    attempts: int = 0
    created_at: datetime = Field(sa_column=_utc_column())
    claimed_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class LetterTally(SQLModel, table=True):
    """Letters per prisoner per day: counts that stay true after a supporter uses /forget."""

    prisoner_id: int = Field(sa_column=Column(ForeignKey("prisoner.id", ondelete="CASCADE"), primary_key=True))
    day: date = Field(primary_key=True)
    letters: int = 0


class AuditEntry(SQLModel, table=True):
    """A privileged action: who (None for an operator at the command line), what, on what."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=_utc_column())
    actor_telegram_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True, index=True))
    action: str = Field(max_length=64)
    # The user acted upon, if any: kept in its own column so that /forget can clear it.
    subject_telegram_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True, index=True))
    detail: str | None = Field(default=None, sa_type=Text)


class BroadcastStatus(enum.StrEnum):
    DRAFT = "draft"  # being written by its coordinator; nothing queued
    SENDING = "sending"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    DONE = "done"


class Broadcast(SQLModel, table=True):
    """A coordinator's alert to many supporters: the texts, the audience, and how delivery went.

    The recipients are outbox rows (purpose "broadcast", key = this id) while it is delivered; they are
    deleted when it ends, so what stays says how many, never who.
    """

    id: int | None = Field(default=None, primary_key=True)
    # The staff member who wrote it; None once they used /forget (the audit log keeps what was done).
    created_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True, index=True))
    created_at: datetime = Field(sa_column=_utc_column())
    status: str = Field(default=BroadcastStatus.DRAFT.value, max_length=16, index=True)
    audience: str = Field(default="all", max_length=32)  # see bot/rules/audiences.py
    text_be: str | None = Field(default=None, sa_type=Text)  # Telegram HTML, checked when it was given
    text_ru: str | None = Field(default=None, sa_type=Text)
    text_en: str | None = Field(default=None, sa_type=Text)
    fallback: str | None = Field(default=None, max_length=2)  # for recipients of another language
    campaign_id: int | None = Field(
        default=None, sa_column=Column(ForeignKey("campaign.id", ondelete="SET NULL"), nullable=True)
    )
    paid: bool = False  # sent with allow_paid_broadcast
    total: int = 0
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    uncertain: int = 0
    dropped: int = 0  # not sent: cancelled before their turn
    resent: int = 0  # begun when a sender died, so sent again: at most this many got it twice
    progress_chat: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    progress_message: int | None = None
    progress_shown: str | None = Field(default=None, max_length=64)  # the figures the message shows now
    started_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class Campaign(SQLModel, table=True):
    """A coordinator's call to write within a target: one person, a facility, birthdays in a range of
    days, or a date (a letter night). Opened by a deep link; letters logged through it are counted."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)  # the deep link's c_<code>
    created_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True, index=True))
    created_at: datetime = Field(sa_column=_utc_column())
    target: str = Field(max_length=16)  # person, facility, birthdays, date
    prisoner_id: int | None = Field(
        default=None, sa_column=Column(ForeignKey("prisoner.id", ondelete="SET NULL"), nullable=True)
    )
    facility_key: str | None = Field(default=None, max_length=16)
    first_day: date | None = None  # birthdays from this day (month and day count), or the letter night
    last_day: date | None = None
    text_be: str | None = Field(default=None, sa_type=Text)
    text_ru: str | None = Field(default=None, sa_type=Text)
    text_en: str | None = Field(default=None, sa_type=Text)


class CampaignTally(SQLModel, table=True):
    """Letters logged through a campaign, per person written to and day: counts with no supporter in them."""

    campaign_id: int = Field(sa_column=Column(ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True))
    prisoner_id: int = Field(sa_column=Column(ForeignKey("prisoner.id", ondelete="CASCADE"), primary_key=True))
    day: date = Field(primary_key=True)
    letters: int = 0


# --- Admins in the chat (#11) and webhook replicas (#12) -------------------------------------------


class PendingImport(SQLModel, table=True):
    """An admin's /import waiting for Apply or Cancel: kept in the database, not in a process, since
    another replica may receive the press. It expires an hour after it was made."""

    id: int | None = Field(default=None, primary_key=True)
    admin_telegram_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    created_at: datetime = Field(sa_column=_utc_column())
    expires_at: datetime = Field(sa_column=_utc_column())
    status: str = Field(default="open", max_length=16)  # open, applied, cancelled, expired


class PendingImportFile(SQLModel, table=True):
    """One document of a pending import, as it was downloaded: the dry run and Apply read the same bytes."""

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(
        sa_column=Column(ForeignKey("pendingimport.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    name: str = Field(max_length=255)
    content: bytes = Field(sa_type=LargeBinary)


class PrisonerEdit(SQLModel, table=True):
    """A change to one person's record an admin asked for and has not yet confirmed: the field, the value
    it had when asked (a change made meanwhile by someone else makes the confirmation ask again) and the
    new one. The confirmation button carries only this row's id."""

    id: int | None = Field(default=None, primary_key=True)
    admin_telegram_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    prisoner_id: int = Field(
        sa_column=Column(ForeignKey("prisoner.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    field: str = Field(max_length=32)
    old_value: str | None = Field(default=None, sa_type=Text)
    new_value: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(sa_column=_utc_column())
    applied_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class RefusalTally(SQLModel, table=True):
    """Refused privileged commands and buttons, counted per day and what was tried: a forged press
    repeated a million times adds to a count, not a million audit rows, and names nobody."""

    day: date = Field(primary_key=True)
    what: str = Field(primary_key=True, max_length=64)
    times: int = 0


class ProcessedUpdate(SQLModel, table=True):
    """An update_id a webhook replica has processed: Telegram delivers again what was not answered 200,
    and a repeated id is answered without being processed twice. While an update is being handled, its
    claim is a row keyed by the negated id (bot/services/processed_updates.py). Pruned after a day."""

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    at: datetime = Field(sa_column=_utc_column())


LENGTH_CHECK = "length({column}) <= {length}"


def _enforce_lengths() -> None:
    """PostgreSQL refuses a value longer than VARCHAR(n); SQLite stores it. A CHECK on every bounded
    column makes both databases refuse the same values (migration 0003 adds them to existing tables)."""
    for table in metadata.tables.values():
        for column in table.columns:
            length = getattr(column.type, "length", None)  # String, or SQLModel's AutoString over it
            if isinstance(length, int) and length > 0:
                check = LENGTH_CHECK.format(column=column.name, length=length)
                table.append_constraint(CheckConstraint(check, name=f"{column.name}_length"))


_enforce_lengths()
