"""What the handlers and jobs need from the application, built once by the wiring function."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.i18n import I18n


@dataclass(frozen=True)
class Deps:
    settings: Settings
    db: Database
    i18n: I18n
    clock: Clock
