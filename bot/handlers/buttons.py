"""Button data: every kind of button the bot shows is declared here, and its callback_data is built and
read only through these classes (the codec is bot/handlers/button_codec.py).

Each kind is a small frozen dataclass with a short prefix; its fields follow in order, separated by
':'. Reading is strict, because a press can be forged: data that does not parse back into exactly one
of these (unknown prefix, a part missing or extra, a number out of range, a choice never offered, a
date that does not exist) reads as None, and the handler refuses it.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Literal

from bot.handlers.button_codec import (
    MAX_BYTES,
    MAX_PAGE,
    MAX_ROW_ID,
    Button,
    bounded,
    decode,
    make,
    matches,
    read,
)
from bot.models import LetterKind, ReminderKind, ReminderWindow, WritingPace
from bot.rules.occasions import Occasion

__all__ = ["MAX_BYTES", "MAX_PAGE", "MAX_ROW_ID", "Button", "decode", "make", "matches", "read"]

FilterKind = Literal["none", "bday", "month", "gender", "fac", "int"]
OptionsKind = Literal["month", "fac", "int"]


# --- Language, pace, /forget, /check -------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ChooseLanguage(Button):
    PREFIX = "lang"
    locale: Literal["be", "ru", "en"]


@dataclasses.dataclass(frozen=True)
class ChoosePace(Button):
    PREFIX = "pace"
    pace: WritingPace


@dataclasses.dataclass(frozen=True)
class Forget(Button):
    PREFIX = "forget"
    answer: Literal["yes", "no"]


@dataclasses.dataclass(frozen=True)
class CheckDraft(Button):
    PREFIX = "chk:ask"


@dataclasses.dataclass(frozen=True)
class CheckLetter(Button):
    """The "Check my draft" button under a letter text, and "Check again" under a draft checked from
    there: the text it came from (a LetterText's fields), for the way back to it and to the card."""

    PREFIX = "chk:tpl"
    prisoner: int
    occasion: Occasion | None
    kind: LetterKind
    language: Literal["ru", "be"]
    variant: int = bounded(99, minimum=1)


# --- /suggest: the next person, a card, filters ---------------------------------------------------


@dataclasses.dataclass(frozen=True)
class NextPerson(Button):
    PREFIX = "sug:next"


@dataclasses.dataclass(frozen=True)
class ShowCard(Button):
    PREFIX = "sug:card"
    prisoner: int


@dataclasses.dataclass(frozen=True)
class CardLanguage(Button):
    """On a card: write the envelope (and offer the texts) in this language from now on."""

    PREFIX = "sug:lang"
    prisoner: int
    language: Literal["ru", "be"]


@dataclasses.dataclass(frozen=True)
class FilterMenu(Button):
    """The filters now and the choices; `prisoner` is the card it was opened from (0: none), to go back to."""

    PREFIX = "flt:menu"
    prisoner: int


@dataclasses.dataclass(frozen=True)
class FilterOptions(Button):
    """The choices of one kind of filter; facilities come a page at a time."""

    PREFIX = "flt:opt"
    kind: OptionsKind
    page: int = bounded(MAX_PAGE)
    prisoner: int = bounded(MAX_ROW_ID)


@dataclasses.dataclass(frozen=True)
class SetFilter(Button):
    """Add a filter (in place of one of its slot) and suggest under them all: `none` clears them all;
    month, gender, facility and interest carry their value."""

    PREFIX = "flt:set"
    kind: FilterKind
    value: str | None = None


@dataclasses.dataclass(frozen=True)
class DropFilter(Button):
    """A filter's chip: remove that one and show the filters again."""

    PREFIX = "flt:drop"
    kind: Literal["bday", "month", "gender", "fac", "int"]
    prisoner: int


# --- Letter texts ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class LetterText(Button):
    """A text for an occasion (None: the one that suits the person today), kind, language, variant."""

    PREFIX = "tpl"
    prisoner: int
    occasion: Occasion | None
    kind: LetterKind
    language: Literal["ru", "be"]
    variant: int = bounded(99, minimum=1)


@dataclasses.dataclass(frozen=True)
class OccasionMenu(Button):
    PREFIX = "tpl:menu"
    prisoner: int
    kind: LetterKind
    language: Literal["ru", "be"]


# --- "I sent it" and /letters ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SentAsk(Button):
    """Which day was it sent? `earlier` shows the days before yesterday."""

    PREFIX = "sent"
    prisoner: int
    kind: LetterKind
    occasion: Occasion | None
    earlier: Literal["0", "1"] = "0"


@dataclasses.dataclass(frozen=True)
class SentOn(Button):
    """Log it: the day itself is carried, so a press after midnight logs the day its label said."""

    PREFIX = "sd"
    prisoner: int
    kind: LetterKind
    occasion: Occasion | None
    day: date


@dataclasses.dataclass(frozen=True)
class LettersPage(Button):
    PREFIX = "lt:pg"
    page: int = bounded(MAX_PAGE)


@dataclasses.dataclass(frozen=True)
class LetterAction(Button):
    """On one entry of /letters: a reply came, ask to delete, delete; `page` is where to come back to."""

    PREFIX = "lt"
    action: Literal["reply", "ask", "delete"]
    letter: int
    page: int = bounded(MAX_PAGE)


# --- Reminders: the digest's buttons and /reminders ------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ReminderMenu(Button):
    PREFIX = "rem:menu"


@dataclasses.dataclass(frozen=True)
class ReminderSwitch(Button):
    """Switch one kind of reminder on or off."""

    PREFIX = "rem:sw"
    kind: ReminderKind


@dataclasses.dataclass(frozen=True)
class ReminderWindowSet(Button):
    PREFIX = "rem:win"
    window: ReminderWindow


@dataclasses.dataclass(frozen=True)
class ReminderPace(Button):
    PREFIX = "rem:pace"
    pace: WritingPace


@dataclasses.dataclass(frozen=True)
class ReminderPause(Button):
    """Pause reminders for a month ("1"), or resume them ("0")."""

    PREFIX = "rem:pause"
    pause: Literal["0", "1"]


@dataclasses.dataclass(frozen=True)
class ReminderAll(Button):
    """All reminders on ("1") or off ("0")."""

    PREFIX = "rem:all"
    on: Literal["0", "1"]


@dataclasses.dataclass(frozen=True)
class ReminderOpen(Button):
    """Under a digest: what the reminder is about, as a new message (the digest stays as it was).
    `prisoner` 0 is "someone to write to"; `women` offers women (for 8 March)."""

    PREFIX = "rem:open"
    prisoner: int
    women: Literal["0", "1"] = "0"


@dataclasses.dataclass(frozen=True)
class RemindLater(Button):
    """Under a digest: send what it held again tomorrow."""

    PREFIX = "rem:later"
    digest: int


@dataclasses.dataclass(frozen=True)
class StopReminders(Button):
    """Under a digest: no more reminders like this one."""

    PREFIX = "rem:stop"
    kind: ReminderKind


# --- /broadcast, /broadcasts, campaigns (coordinators and admins; the handlers check the role) -----

BroadcastStep = Literal["menu", "audience", "campaign", "preview", "confirm", "discard"]
BroadcastAction = Literal["pause", "resume", "cancel", "cancel_yes", "cancel_no", "refresh"]


@dataclasses.dataclass(frozen=True)
class BroadcastGo(Button):
    """A step of writing the coordinator's own draft (which draft: theirs, read from the database)."""

    PREFIX = "bc:go"
    step: BroadcastStep


@dataclasses.dataclass(frozen=True)
class BroadcastAudience(Button):
    """Everyone ("all"), a language, a pace; "wrote" asks for the person's id."""

    PREFIX = "bc:aud"
    kind: Literal["all", "lang", "pace", "wrote"]
    value: Literal["-", "be", "ru", "en", "monthly", "fortnightly", "occasions"]


@dataclasses.dataclass(frozen=True)
class BroadcastText(Button):
    """Ask for (or, with `drop`, remove) the draft's text in one language."""

    PREFIX = "bc:txt"
    locale: Literal["be", "ru", "en"]
    drop: Literal["0", "1"] = "0"


@dataclasses.dataclass(frozen=True)
class BroadcastFallback(Button):
    PREFIX = "bc:fb"
    locale: Literal["be", "ru", "en"]


@dataclasses.dataclass(frozen=True)
class BroadcastCampaign(Button):
    """Attach a campaign's button to the draft (0: none)."""

    PREFIX = "bc:cmp"
    campaign: int


@dataclasses.dataclass(frozen=True)
class BroadcastControl(Button):
    """Under a broadcast's progress message."""

    PREFIX = "bc:ctl"
    broadcast: int
    action: BroadcastAction


@dataclasses.dataclass(frozen=True)
class OpenCampaign(Button):
    """Under a broadcast or a campaign's message: the campaign's text and someone within its target."""

    PREFIX = "cmp:open"
    campaign: int


@dataclasses.dataclass(frozen=True)
class CampaignResults(Button):
    PREFIX = "cmp:res"
    campaign: int


@dataclasses.dataclass(frozen=True)
class CampaignText(Button):
    """Ask for a campaign's text in one language."""

    PREFIX = "cmp:txt"
    campaign: int
    locale: Literal["be", "ru", "en"]


# --- Finishing a letter text with the writer's name (bot/handlers/finish.py) -----------------------
# The name itself is never in a button: it travels in the messages (docs: "Nothing typed here is stored").


@dataclasses.dataclass(frozen=True)
class FinishAsk(Button):
    """Under a letter text: ask for the writer's first name to finish it."""

    PREFIX = "fin:ask"
    prisoner: int
    occasion: Occasion
    kind: LetterKind
    language: Literal["ru", "be"]
    variant: int = bounded(99, minimum=1)


@dataclasses.dataclass(frozen=True)
class FinishChoose(Button):
    """Under a finished letter: the words about the writer chosen (`choices`, one digit a group: see
    bot/services/finished_letters.py), and whether the choices are open."""

    PREFIX = "fin"
    prisoner: int
    occasion: Occasion
    kind: LetterKind
    language: Literal["ru", "be"]
    variant: int = bounded(99, minimum=1)
    choices: str = "000000"
    open: Literal["0", "1"] = "0"


@dataclasses.dataclass(frozen=True)
class FinishPdf(Button):
    """Under a finished letter: send it as a PDF to print."""

    PREFIX = "fin:pdf"
    prisoner: int
    occasion: Occasion
    kind: LetterKind
    language: Literal["ru", "be"]
    variant: int = bounded(99, minimum=1)
    choices: str = "000000"


@dataclasses.dataclass(frozen=True)
class BroadcastSend(Button):
    """ "Yes, send": for this draft and the number of recipients the coordinator was shown."""

    PREFIX = "bc:send"
    broadcast: int
    recipients: int


# --- Roles: /revoke's confirmation (admins; bot/handlers/admin_roles.py) ---------------------------


@dataclasses.dataclass(frozen=True)
class RoleRevoke(Button):
    """Yes or no to taking back one grant: the grant's row id, never the person's Telegram id."""

    PREFIX = "role:rev"
    grant: int
    answer: Literal["yes", "no"]


# --- Admin: prisoner records (/prisoner, /release; bot/handlers/admin_prisoner.py) ------------------

PrisonerChangeKind = Literal["moved", "blocked", "incommunicado", "released", "died", "interests", "bio"]


@dataclasses.dataclass(frozen=True)
class PrisonerRecord(Button):
    """One person's full record, for an admin (from a list of matches, or back from a change)."""

    PREFIX = "pr:rec"
    prisoner: int


@dataclasses.dataclass(frozen=True)
class PrisonerChange(Button):
    """Under the record: begin one of the everyday changes."""

    PREFIX = "pr:chg"
    prisoner: int
    change: PrisonerChangeKind


@dataclasses.dataclass(frozen=True)
class PrisonerBio(Button):
    """Edit the bio in this language."""

    PREFIX = "pr:bio"
    prisoner: int
    locale: Literal["be", "ru", "en"]


@dataclasses.dataclass(frozen=True)
class PrisonerReleaseToday(Button):
    """While a release waits for its date: released today."""

    PREFIX = "pr:today"
    edit: int


@dataclasses.dataclass(frozen=True)
class PrisonerConfirm(Button):
    """Confirm or cancel a change: only the edit's id is carried (bot/services/prisoner_edits.py)."""

    PREFIX = "pr:ok"
    edit: int
    answer: Literal["yes", "no"]


# --- Admin: import (/import's dry run; bot/handlers/admin_import.py) --------------------------------


MAX_IMPORT_FILES = 999


@dataclasses.dataclass(frozen=True)
class ImportApply(Button):
    """Under an import's dry run: apply it. The pending import's id, and the version of the dry run the
    message shows (`importing.version`: a digest of what it would write, and how many files): Apply
    writes only what was shown, and asks again when a plan made at the press differs. Whose it is, and
    whether it is still open, is read from the database at the press."""

    PREFIX = "imp:ok"
    pending: int
    digest: str  # hex digits (the codec's short word)
    files: int = bounded(MAX_IMPORT_FILES)


@dataclasses.dataclass(frozen=True)
class ImportCancel(Button):
    """Under an import's dry run: cancel it, whatever it holds now."""

    PREFIX = "imp:no"
    pending: int
