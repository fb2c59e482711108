"""The health check's verdict (webhook mode's ``GET /healthz``): what a fresh read-only
connection finds in the database, and 'unavailable' when it finds no database."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.domain.clock import ManualClock
from bot.handlers.webhook import ListenerState, health_report
from bot.store import Store
from bot.store.db import load_migrations
from bot.store.outbox import Recipient


async def test_a_readable_database_is_healthy_and_its_backlog_counted(
    store: Store, clock: ManualClock, tmp_path: Path
) -> None:
    now = clock.now()
    notice, _ = await store.outbox.add_notice("k", "broadcast", "test", {"text": "x"}, now)
    await store.outbox.enqueue(notice.id, [Recipient(c, None) for c in (1, 2, 3)], now, now,
                               now)
    [first, *_] = await store.outbox.due(now)
    await store.outbox.mark_sending(first.id, now)
    state = ListenerState()
    report, healthy = await health_report(Settings(db_path=tmp_path / "kurul.db"), state)
    assert healthy and report["status"] == "ok" and report["database"] == "ok"
    assert report["schema_version"] == load_migrations()[-1].version
    assert (report["outbox_queued"], report["outbox_sending"]) == (2, 1)
    assert report["last_update_age_seconds"] is None  # no update delivered yet
    state.last_update = state.started
    report, _ = await health_report(Settings(db_path=tmp_path / "kurul.db"), state)
    assert report["last_update_age_seconds"] >= 0


async def test_no_database_or_a_damaged_one_is_unavailable(tmp_path: Path) -> None:
    report, healthy = await health_report(Settings(db_path=tmp_path / "none.db"), ListenerState())
    assert not healthy and report["status"] == "unavailable"
    assert "no database file" in report["database"]
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"not a database at all" * 200)
    report, healthy = await health_report(Settings(db_path=damaged), ListenerState())
    assert not healthy and report["database"].startswith("error:")
    assert report["outbox_queued"] is None
