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

        base_url = get("BOT_API_BASE_URL") or TELEGRAM_BASE_URL
        file_url_for(base_url)  # fail early on a malformed URL
        locale = get("BOT_DEFAULT_LOCALE") or "tr"
        if locale not in ("tr", "en"):
            raise SettingsError(f"BOT_DEFAULT_LOCALE must be tr or en, got {locale!r}")
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
        )
