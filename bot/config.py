"""Settings read from the environment (design.md, Configuration)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

TELEGRAM_BASE_URL = "https://api.telegram.org/bot"


class SettingsError(ValueError):
    """A variable is set to something the bot cannot use."""


def file_url_for(base_url: str) -> str:
    """Derive the file-download base URL from a Bot API base URL.

    PTB's ``base_url`` ends in ``/bot`` (the token is appended); files live under ``/file/bot``
    on the same server, as on Telegram's own and on a self-hosted ``telegram-bot-api``.
    """
    trimmed = base_url.rstrip("/")
    if not trimmed.endswith("/bot"):
        raise SettingsError(f"BOT_API_BASE_URL must end in /bot, got {base_url!r}")
    return trimmed[: -len("/bot")] + "/file/bot"


@dataclass(frozen=True, slots=True)
class Settings:
    token: str | None = None
    api_base_url: str = TELEGRAM_BASE_URL
    db_path: Path = Path("data/kurul.db")
    timezone: str = "Europe/Istanbul"
    default_locale: str = "tr"
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str | None = None
    invite_ttl_days: int = 7
    # How often PTB writes conversation state to the store; short so a crash loses little.
    persistence_interval: float = 1.0
    # Notifications (bot/notify): Telegram allows ~30 messages/s per bot and 1/s per chat
    # (20/min per group); the sender keeps send_rate of the overall rate, the rest is the
    # replies' headroom. send_time_scale runs all of it faster, only against a test server
    # whose limits are scaled the same way.
    send_rate_overall: float = 30.0
    send_rate: float = 25.0
    send_chat_rate: float = 1.0
    send_group_per_minute: float = 20.0
    send_concurrency: int = 16
    send_max_attempts: int = 5
    send_time_scale: float = 1.0
    quiet_hours: str = "21:00-08:00"          # in the council's time zone; "off" disables
    reminder_lead_days: int = 14              # calendar reminder: days before a window opens
    reminder_hour: int = 9                    # ... at this local hour
    # Agenda (issue 6): the call for proposals goes this many days before the proposals are
    # due (D-15, Art. 10(2)), i.e. when the agenda preparation starts minus this lead.
    agenda_call_lead_days: int = 5
    # Logging (bot/logging_setup.py): None is the command's own default (json for `run`).
    log_format: str | None = None
    log_level: str = "INFO"

    @property
    def api_file_url(self) -> str:
        return file_url_for(self.api_base_url)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        def get_int(name: str, default: int) -> int:
            raw = get(name)
            if raw is None:
                return default
            try:
                return int(raw)
            except ValueError as exc:
                raise SettingsError(f"{name} must be a whole number, got {raw!r}") from exc

        def get_rate(name: str, default: float) -> float:
            raw = get(name)
            if raw is None:
                return default
            try:
                value = float(raw)
            except ValueError as exc:
                raise SettingsError(f"{name} must be a number, got {raw!r}") from exc
            if value <= 0:
                raise SettingsError(f"{name} must be positive, got {raw!r}")
            return value

        base_url = get("BOT_API_BASE_URL") or TELEGRAM_BASE_URL
        file_url_for(base_url)  # fail early on a malformed URL
        locale = get("BOT_DEFAULT_LOCALE") or "tr"
        if locale not in ("tr", "en"):
            raise SettingsError(f"BOT_DEFAULT_LOCALE must be tr or en, got {locale!r}")
        log_format = get("BOT_LOG_FORMAT")
        if log_format is not None and log_format.lower() not in ("json", "text"):
            raise SettingsError(f"BOT_LOG_FORMAT must be json or text, got {log_format!r}")
        log_level = (get("BOT_LOG_LEVEL") or "INFO").upper()
        if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise SettingsError(
                f"BOT_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}")
        return cls(
            token=get("BOT_TOKEN"),
            api_base_url=base_url,
            db_path=Path(get("BOT_DB_PATH") or "data/kurul.db"),
            timezone=get("BOT_TIMEZONE") or "Europe/Istanbul",
            default_locale=locale,
            webhook_url=get("BOT_WEBHOOK_URL"),
            webhook_listen=get("BOT_WEBHOOK_LISTEN") or "0.0.0.0",
            webhook_port=get_int("BOT_WEBHOOK_PORT", 8443),
            webhook_secret=get("BOT_WEBHOOK_SECRET"),
            invite_ttl_days=get_int("BOT_INVITE_TTL_DAYS", 7),
            send_rate_overall=get_rate("BOT_SEND_RATE_OVERALL", 30.0),
            send_rate=get_rate("BOT_SEND_RATE", 25.0),
            send_chat_rate=get_rate("BOT_SEND_CHAT_RATE", 1.0),
            send_group_per_minute=get_rate("BOT_SEND_GROUP_PER_MINUTE", 20.0),
            send_concurrency=get_int("BOT_SEND_CONCURRENCY", 16),
            send_max_attempts=get_int("BOT_SEND_MAX_ATTEMPTS", 5),
            send_time_scale=get_rate("BOT_SEND_TIME_SCALE", 1.0),
            quiet_hours=env.get("BOT_QUIET_HOURS", "21:00-08:00"),
            reminder_lead_days=get_int("BOT_REMINDER_LEAD_DAYS", 14),
            reminder_hour=get_int("BOT_REMINDER_HOUR", 9),
            agenda_call_lead_days=get_int("BOT_AGENDA_CALL_LEAD_DAYS", 5),
            log_format=None if log_format is None else log_format.lower(),
            log_level=log_level,
        )
