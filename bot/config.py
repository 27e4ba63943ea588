"""Settings read from the environment (and an optional `.env`), with the names operators rely on."""

from __future__ import annotations

import re
from typing import Annotated, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot import DEFAULT_DATA_DIR

Locale = Literal["be", "ru", "en"]
LOCALES: tuple[Locale, ...] = ("be", "ru", "en")
# Telegram's rule for setWebhook's secret_token; it refuses any other, and an empty one checks nothing.
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def default_database_url() -> str:
    return f"sqlite+aiosqlite:///{DEFAULT_DATA_DIR / 'letterbot.sqlite3'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    telegram_bot_token: SecretStr | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field(default="https://api.telegram.org/bot", alias="TELEGRAM_API_BASE_URL")
    telegram_api_file_url: str = Field(default="https://api.telegram.org/file/bot", alias="TELEGRAM_API_FILE_URL")
    database_url: str = Field(default_factory=default_database_url, alias="DATABASE_URL")
    bot_admin_ids: Annotated[frozenset[int], NoDecode] = Field(default=frozenset(), alias="BOT_ADMIN_IDS")
    bot_timezone: str = Field(default="Europe/Minsk", alias="BOT_TIMEZONE")
    bot_default_locale: Locale = Field(default="en", alias="BOT_DEFAULT_LOCALE")
    # Letters one supporter can log in a day: a person sends a few, a script sinks people in the ranking.
    bot_daily_letter_cap: int = Field(default=10, ge=1, le=1000, alias="BOT_DAILY_LETTER_CAP")
    # Messages a second the bot sends on its own (reminders, broadcasts), all chats together (bot/delivery).
    # Telegram allows about 30; the rest is left for replies to people, which are not paced.
    bot_send_rate: float = Field(default=25.0, gt=0, le=30, alias="BOT_SEND_RATE")
    # Broadcasts with Telegram's allow_paid_broadcast: up to 1,000 messages a second, paid in Stars.
    bot_paid_broadcast: bool = Field(default=False, alias="BOT_PAID_BROADCAST")
    bot_paid_send_rate: float = Field(default=1000.0, gt=0, le=1000, alias="BOT_PAID_SEND_RATE")
    # PostgreSQL connections of one replica: pool + overflow (SQLAlchemy) + job pool + 1 (procrastinate's
    # LISTEN). The defaults, 17 each, let 4 replicas (68) and a few commands fit in PostgreSQL's default
    # max_connections of 100 (97 after the superuser's reserve); see the README's "Scheduled work".
    bot_db_pool_size: int = Field(default=8, ge=1, le=100, alias="BOT_DB_POOL_SIZE")
    bot_db_max_overflow: int = Field(default=4, ge=0, le=100, alias="BOT_DB_MAX_OVERFLOW")
    bot_job_pool_size: int = Field(default=4, ge=2, le=50, alias="BOT_JOB_POOL_SIZE")
    bot_webhook_url: str | None = Field(default=None, alias="BOT_WEBHOOK_URL")
    bot_webhook_secret: SecretStr | None = Field(default=None, alias="BOT_WEBHOOK_SECRET")
    bot_webhook_listen: str = Field(default="0.0.0.0:8443", alias="BOT_WEBHOOK_LISTEN")
    # An update is a few kilobytes; a body larger than this is refused (413) before it is read whole.
    bot_webhook_max_body: int = Field(default=1_048_576, ge=65_536, alias="BOT_WEBHOOK_MAX_BODY")

    @field_validator("bot_admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(part.isdigit() for part in parts):
                raise ValueError("expected comma-separated numeric Telegram user ids")
            return frozenset(int(part) for part in parts)
        return value

    @field_validator("bot_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST/DB")
        return value

    @field_validator("bot_webhook_listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("expected HOST:PORT, for example 0.0.0.0:8443")
        return value

    @field_validator("bot_webhook_secret")
    @classmethod
    def _secret_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("expected 1-256 characters, each a letter A-Z or a-z, a digit, _ or -")
        return value

    @model_validator(mode="after")
    def _webhook_has_secret(self) -> Self:
        if self.bot_webhook_url and self.bot_webhook_secret is None:
            raise ValueError("BOT_WEBHOOK_SECRET: required when BOT_WEBHOOK_URL is set")
        return self

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.bot_timezone)

    @property
    def webhook_host_port(self) -> tuple[str, int]:
        host, _, port = self.bot_webhook_listen.rpartition(":")
        return host, int(port)

    def require_token(self) -> str:
        if self.telegram_bot_token is None or not self.telegram_bot_token.get_secret_value():
            raise ConfigError("TELEGRAM_BOT_TOKEN: required to run the bot (get one from @BotFather)")
        return self.telegram_bot_token.get_secret_value()


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it in one line."""


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one line per bad setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]  # overrides are by alias, checked at run time
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            if not error["loc"]:  # a rule across settings names the ones it is about itself
                lines.append(message)
                continue
            name = str(error["loc"][0])
            alias = Settings.model_fields[name].alias if name in Settings.model_fields else None
            lines.append(f"{(alias or name).upper()}: {message}")
        raise ConfigError("; ".join(lines)) from exc
