"""What the handlers and jobs need from the application, built once by the wiring function."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from bot.clock import Clock, Sleep, system_sleep
from bot.config import Settings
from bot.db import Database
from bot.i18n import I18n
from bot.services.letter_texts import Library


@dataclass(frozen=True)
class Deps:
    settings: Settings
    db: Database
    i18n: I18n
    clock: Clock
    library: Library
    rng: random.Random = field(default_factory=random.Random)
    sleep: Sleep = system_sleep

    def today(self) -> date:
        """Today's date where the bot works (BOT_TIMEZONE), for birthdays and occasions."""
        return self.clock().astimezone(self.settings.timezone).date()
