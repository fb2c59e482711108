"""Invitations: one-time registration links, stored only as a hash of their token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.domain.clock import from_db, to_db
from bot.domain.models import Rank, RoleKind
from bot.store.db import Database


@dataclass(frozen=True, slots=True)
class Invite:
    id: int
    province_id: int
    council_id: int
    institution_id: int | None
    role_kind: RoleKind
    rank: Rank | None
    created_by: int | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None


def _invite(row: aiosqlite.Row) -> Invite:
    created_at, expires_at = from_db(row["created_at"]), from_db(row["expires_at"])
    assert created_at is not None and expires_at is not None
    return Invite(
        id=row["id"],
        province_id=row["province_id"],
        council_id=row["council_id"],
        institution_id=row["institution_id"],
        role_kind=RoleKind(row["role_kind"]),
        rank=Rank(row["rank"]) if row["rank"] else None,
        created_by=row["created_by"],
        created_at=created_at,
        expires_at=expires_at,
        used_at=from_db(row["used_at"]),
        revoked_at=from_db(row["revoked_at"]),
    )


class InviteRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self,
        token_hash: str,
        province_id: int,
        council_id: int,
        role_kind: RoleKind,
        now: datetime,
        expires_at: datetime,
        *,
        institution_id: int | None = None,
        rank: Rank | None = None,
        created_by: int | None = None,
    ) -> int:
        return await self.db.execute(
            "INSERT INTO invite (token_hash, province_id, council_id, institution_id, role_kind,"
            " rank, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (token_hash, province_id, council_id, institution_id, role_kind.value,
             rank.value if rank else None, created_by, to_db(now), to_db(expires_at)),
        )

    async def by_hash(self, token_hash: str) -> Invite | None:
        row = await self.db.fetchone("SELECT * FROM invite WHERE token_hash = ?", (token_hash,))
        return _invite(row) if row else None

    async def get(self, invite_id: int) -> Invite | None:
        row = await self.db.fetchone("SELECT * FROM invite WHERE id = ?", (invite_id,))
        return _invite(row) if row else None

    async def mark_used(self, invite_id: int, person_id: int, now: datetime) -> bool:
        """Use an invitation once; False when it was used or revoked meanwhile."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE invite SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL"
                " AND revoked_at IS NULL",
                (to_db(now), person_id, invite_id),
            )
            return cursor.rowcount == 1

    async def revoke(self, invite_id: int, now: datetime) -> bool:
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE invite SET revoked_at = ? WHERE id = ? AND used_at IS NULL"
                " AND revoked_at IS NULL",
                (to_db(now), invite_id),
            )
            return cursor.rowcount == 1

    async def open_invites(self, council_ids: list[int], now: datetime) -> list[Invite]:
        if not council_ids:
            return []
        marks = ",".join("?" * len(council_ids))
        rows = await self.db.fetchall(
            f"SELECT * FROM invite WHERE council_id IN ({marks}) AND used_at IS NULL"
            " AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at, id",
            [*council_ids, to_db(now)],
        )
        return [_invite(r) for r in rows]
