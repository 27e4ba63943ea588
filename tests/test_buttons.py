"""The button data codec: every kind reads back as it was written, fits Telegram's 64 bytes, and
anything else (forged, cut short, out of range, never offered) reads as nothing."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import pytest

from bot import PROJECT_ROOT
from bot.handlers import button_codec, buttons
from bot.models import LetterKind, ReminderKind, ReminderWindow, WritingPace
from bot.rules.occasions import Occasion

DAY = date(2026, 12, 31)
EXAMPLES: list[buttons.Button] = [
    buttons.ChooseLanguage("be"),
    buttons.ChoosePace(WritingPace.FORTNIGHTLY),
    buttons.Forget("yes"),
    buttons.CheckDraft(),
    buttons.CheckLetter(2_147_483_647, Occasion.CHRISTMAS_ORTHODOX, LetterKind.POSTCARD, "be", 99),
    buttons.NextPerson(),
    buttons.ShowCard(buttons.MAX_ROW_ID),
    buttons.CardLanguage(buttons.MAX_ROW_ID, "be"),
    buttons.FilterMenu(buttons.MAX_ROW_ID),
    buttons.FilterOptions("fac", buttons.MAX_PAGE, buttons.MAX_ROW_ID),
    buttons.DropFilter("month", buttons.MAX_ROW_ID),
    buttons.SetFilter("fac", "0123456789"),
    buttons.SetFilter("none", None),
    buttons.LetterText(buttons.MAX_ROW_ID, Occasion.CHRISTMAS_ORTHODOX, LetterKind.POSTCARD, "be", 99),
    buttons.LetterText(1, None, LetterKind.LETTER, "ru", 1),
    buttons.OccasionMenu(7, LetterKind.LETTER, "ru"),
    buttons.SentAsk(buttons.MAX_ROW_ID, LetterKind.POSTCARD, Occasion.SOLIDARITY_DAY, "1"),
    buttons.SentOn(buttons.MAX_ROW_ID, LetterKind.POSTCARD, Occasion.CHRISTMAS_WESTERN, DAY),
    buttons.LettersPage(buttons.MAX_PAGE),
    buttons.LetterAction("delete", buttons.MAX_ROW_ID, buttons.MAX_PAGE),
    buttons.ReminderMenu(),
    buttons.ReminderSwitch(ReminderKind.RELEASE_SOON),
    buttons.ReminderWindowSet(ReminderWindow.AFTERNOON),
    buttons.ReminderPace(WritingPace.OCCASIONS),
    buttons.ReminderPause("1"),
    buttons.ReminderAll("0"),
    buttons.RemindLater(buttons.MAX_ROW_ID),
    buttons.ReminderOpen(0, "1"),
    buttons.StopReminders(ReminderKind.BIRTHDAY_LAST_CALL),
    buttons.FinishAsk(buttons.MAX_ROW_ID, Occasion.CHRISTMAS_ORTHODOX, LetterKind.POSTCARD, "be", 99),
    buttons.FinishChoose(buttons.MAX_ROW_ID, Occasion.CHRISTMAS_ORTHODOX, LetterKind.POSTCARD, "be", 99, "234234", "1"),
    buttons.FinishPdf(buttons.MAX_ROW_ID, Occasion.CHRISTMAS_ORTHODOX, LetterKind.POSTCARD, "be", 99, "234234"),
    buttons.BroadcastGo("discard"),
    buttons.BroadcastSend(buttons.MAX_ROW_ID, buttons.MAX_ROW_ID),
    buttons.BroadcastAudience("pace", "fortnightly"),
    buttons.BroadcastText("en", "1"),
    buttons.BroadcastFallback("be"),
    buttons.BroadcastCampaign(buttons.MAX_ROW_ID),
    buttons.BroadcastControl(buttons.MAX_ROW_ID, "cancel_yes"),
    buttons.OpenCampaign(buttons.MAX_ROW_ID),
    buttons.CampaignResults(0),
    buttons.CampaignText(buttons.MAX_ROW_ID, "ru"),
    buttons.PrisonerRecord(buttons.MAX_ROW_ID),
    buttons.PrisonerChange(buttons.MAX_ROW_ID, "incommunicado"),
    buttons.PrisonerBio(buttons.MAX_ROW_ID, "en"),
    buttons.PrisonerReleaseToday(buttons.MAX_ROW_ID),
    buttons.PrisonerConfirm(buttons.MAX_ROW_ID, "yes"),
    buttons.ImportApply(buttons.MAX_ROW_ID, "0123456789ab", buttons.MAX_IMPORT_FILES),
    buttons.ImportCancel(buttons.MAX_ROW_ID),
    buttons.RoleRevoke(buttons.MAX_ROW_ID, "yes"),
]


def test_every_kind_has_an_example_and_a_prefix_of_its_own() -> None:
    kinds = button_codec._kinds()
    assert {type(example) for example in EXAMPLES} == set(kinds)
    assert len({kind.PREFIX for kind in kinds}) == len(kinds)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: type(example).__name__)
def test_a_button_reads_back_as_written_and_fits(example: buttons.Button) -> None:
    data = example.data()
    assert len(data.encode("utf-8")) <= 64
    assert buttons.decode(data) == example
    assert buttons.read(data, type(example)) == example
    assert buttons.matches(type(example))(data)


@pytest.mark.parametrize(
    "data",
    [
        None, "", ":", "sug", "sug:card", "sug:card:", "sug:card:1:2", "sug:card:-1", "sug:card:²",
        "sug:card:٣", "sug:card:99999999999999999999", f"sug:card:{buttons.MAX_ROW_ID + 1}", "sug:card:0x1",
        "lang:de", "lang:be:1", "pace:daily", "forget:maybe", "chk:ask:1", "sug:next:1",
        "tpl:1:halloween:letter:ru:1", "tpl:1:-:letter:en:1", "tpl:1:-:letter:ru:0", "tpl:1:-:letter:ru:100",
        "tpl:1:-:email:ru:1", "sd:1:letter:-:20260230", "sd:1:letter:-:2026-02-01", "sd:1:letter:-:1",
        "sd:1:letter:-", "sent:1:letter:-:2", "lt:pg:10001", "lt:burn:1:0", "lt:reply:1", "flt:opt:gender:0",
        "flt:set:fac:../../etc", "flt:set:fac:ABCDEF0123", "flt:set:colour:red", "flt:menu", "x" * 64,
        "flt:opt:fac:0", "flt:drop:none:0", "flt:drop:fac", "flt:menu:-1",
        "rem:sw:birthday", "rem:win:night", "rem:pause:2", "rem:later:-1", "rem:later", "rem:stop:all",
    ],
)  # fmt: skip
def test_anything_else_reads_as_nothing(data: str | None) -> None:
    assert buttons.decode(data) is None


def test_read_takes_only_the_kinds_asked_for() -> None:
    data = buttons.ShowCard(5).data()
    assert buttons.read(data, buttons.SentOn, buttons.SentAsk) is None
    assert buttons.read(data, buttons.SentOn, buttons.ShowCard) == buttons.ShowCard(5)
    assert not buttons.matches(buttons.SentOn)(data)


def test_the_longest_prefix_wins() -> None:
    menu = buttons.OccasionMenu(3, LetterKind.LETTER, "be")
    assert menu.data().startswith("tpl:menu:") and buttons.decode(menu.data()) == menu


def test_a_button_over_64_bytes_cannot_be_made() -> None:
    @dataclasses.dataclass(frozen=True)
    class TooLong(buttons.Button):
        PREFIX = "test:" + "x" * 60

    with pytest.raises(ValueError, match="64 bytes"):
        TooLong().data()


def test_no_handler_writes_button_data_by_hand() -> None:
    """One home for button data: handlers build it with the codec, never as a string of their own."""
    for path in sorted((PROJECT_ROOT / "bot" / "handlers").glob("*.py")):
        if path.name == "buttons.py":
            continue
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"callback_data\s*=\s*f?[\"']", source), path.name
        assert "query.data.split" not in source and ".data.removeprefix" not in source, path.name
