"""Settings: the names operators rely on, defaults, and one clear line for a bad value."""

from __future__ import annotations

import pytest

from bot import cli, cli_webhook
from bot.config import ConfigError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "DATABASE_URL",
        "BOT_ADMIN_IDS",
        "BOT_TIMEZONE",
        "BOT_DEFAULT_LOCALE",
        "BOT_WEBHOOK_URL",
        "BOT_WEBHOOK_SECRET",
        "BOT_WEBHOOK_LISTEN",
        "TELEGRAM_API_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(str(tmp_path))


def test_defaults() -> None:
    settings = load_settings()
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.telegram_api_file_url == "https://api.telegram.org/file/bot"
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.bot_timezone == "Europe/Minsk"
    assert settings.bot_default_locale == "en"
    assert settings.bot_admin_ids == frozenset()
    assert settings.bot_webhook_url is None


def test_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:abc")
    monkeypatch.setenv("BOT_ADMIN_IDS", "5, 7000000000")
    monkeypatch.setenv("BOT_DEFAULT_LOCALE", "be")
    monkeypatch.setenv("BOT_WEBHOOK_LISTEN", "127.0.0.1:9000")
    settings = load_settings()
    assert settings.require_token() == "1:abc"
    assert settings.bot_admin_ids == frozenset({5, 7000000000})
    assert settings.bot_default_locale == "be"
    assert settings.webhook_host_port == ("127.0.0.1", 9000)
    assert "1:abc" not in repr(settings)  # the token is a secret


def test_dotenv_is_read(tmp_path: object) -> None:
    from pathlib import Path

    Path(".env").write_text("BOT_TIMEZONE=UTC\n", encoding="utf-8")
    assert load_settings().bot_timezone == "UTC"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("BOT_TIMEZONE", "Mars/Olympus", "BOT_TIMEZONE: unknown time zone 'Mars/Olympus'"),
        ("BOT_ADMIN_IDS", "12,abc", "BOT_ADMIN_IDS: expected comma-separated numeric Telegram user ids"),
        ("BOT_DEFAULT_LOCALE", "de", "BOT_DEFAULT_LOCALE: Input should be 'be', 'ru' or 'en'"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL: use sqlite+aiosqlite:///PATH"),
        ("BOT_WEBHOOK_LISTEN", "8443", "BOT_WEBHOOK_LISTEN: expected HOST:PORT"),
    ],
)
def test_a_bad_setting_is_named(monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_run_without_token_stops_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "letterbot: configuration error: TELEGRAM_BOT_TOKEN: required to run the bot (get one from @BotFather)"
    )


def test_webhook_needs_a_secret(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:abc")
    monkeypatch.setenv("BOT_WEBHOOK_URL", "https://example.org/hook")
    assert cli.main(["run"]) == 2
    assert "BOT_WEBHOOK_SECRET: required when BOT_WEBHOOK_URL is set" in capsys.readouterr().err


@pytest.mark.parametrize(
    "secret",
    ["", "has space", "semi;colon", "ü-umlaut", "x" * 257, "line\nbreak"],
)
def test_a_webhook_secret_telegram_would_refuse_is_named(monkeypatch: pytest.MonkeyPatch, secret: str) -> None:
    monkeypatch.setenv("BOT_WEBHOOK_URL", "https://example.org/hook")
    monkeypatch.setenv("BOT_WEBHOOK_SECRET", secret)
    with pytest.raises(ConfigError) as error:
        load_settings()
    message = str(error.value)
    assert message.startswith("BOT_WEBHOOK_SECRET: expected 1-256 characters")
    assert "\n" not in message
    if secret:
        assert secret not in message  # the secret is not printed


@pytest.mark.parametrize("secret", ["a", "Az09_-", "x" * 256])
def test_a_webhook_secret_of_telegrams_alphabet_is_taken(monkeypatch: pytest.MonkeyPatch, secret: str) -> None:
    monkeypatch.setenv("BOT_WEBHOOK_URL", "https://example.org/hook")
    monkeypatch.setenv("BOT_WEBHOOK_SECRET", secret)
    settings = load_settings()
    assert settings.bot_webhook_secret is not None
    assert settings.bot_webhook_secret.get_secret_value() == secret
    assert cli_webhook.parameters(settings)["secret_token"] == secret


def test_an_empty_webhook_secret_in_dotenv_is_refused() -> None:
    from pathlib import Path

    Path(".env").write_text("BOT_WEBHOOK_URL=https://example.org/hook\nBOT_WEBHOOK_SECRET=\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert str(error.value) == (
        "BOT_WEBHOOK_SECRET: expected 1-256 characters, each a letter A-Z or a-z, a digit, _ or -"
    )


def test_a_webhook_url_needs_a_secret_in_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_WEBHOOK_URL", "https://example.org/hook")
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert str(error.value) == "BOT_WEBHOOK_SECRET: required when BOT_WEBHOOK_URL is set"


def test_only_the_handled_update_types_are_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_WEBHOOK_URL", "https://example.org/hook")
    monkeypatch.setenv("BOT_WEBHOOK_SECRET", "s3cret")
    options = cli_webhook.parameters(load_settings())
    assert sorted(options["allowed_updates"]) == ["callback_query", "message", "my_chat_member"]
