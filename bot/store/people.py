"""People and their roles. A role is a term: ending one sets ``valid_to``, nothing is deleted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.domain.clock import from_db, to_db
from bot.domain.models import CouncilKind, Person, Rank, Role, RoleKind
from bot.domain.permissions import Grant, with_subcommission
from bot.store.db import Database


def _person(row: aiosqlite.Row) -> Person:
    return Person(
        id=row["id"],
        telegram_user_id=row["telegram_user_id"],
        full_name=row["full_name"],
        title=row["title"],
        phone=row["phone"],
        language=row["language"],
    )


def _role(row: aiosqlite.Row) -> Role:
    valid_from = from_db(row["valid_from"])
    assert valid_from is not None
    return Role(
        id=row["id"],
        person_id=row["person_id"],
        council_id=row["council_id"],
        institution_id=row["institution_id"],
        kind=RoleKind(row["kind"]),
        rank=Rank(row["rank"]) if row["rank"] else None,
        valid_from=valid_from,
        valid_to=from_db(row["valid_to"]),
    )


@dataclass(frozen=True, slots=True)
class Seat:
    """An active role with the person holding it, for member lists."""

    role: Role
    person: Person


class PersonRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def by_telegram_id(self, telegram_user_id: int) -> Person | None:
        row = await self.db.fetchone(
            "SELECT * FROM person WHERE telegram_user_id = ?", (telegram_user_id,)
        )
        return _person(row) if row else None

    async def get(self, person_id: int) -> Person | None:
        row = await self.db.fetchone("SELECT * FROM person WHERE id = ?", (person_id,))
        return _person(row) if row else None

    async def upsert(
        self,
        telegram_user_id: int,
        full_name: str,
        title: str,
        phone: str,
        language: str,
        now: datetime,
    ) -> Person:
        await self.db.execute(
            "INSERT INTO person (telegram_user_id, full_name, title, phone, language,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (telegram_user_id) DO UPDATE SET full_name = excluded.full_name,"
            " title = excluded.title, phone = excluded.phone, language = excluded.language,"
            " updated_at = excluded.updated_at",
            (telegram_user_id, full_name, title, phone, language, to_db(now), to_db(now)),
        )
        person = await self.by_telegram_id(telegram_user_id)
        assert person is not None
        return person

    async def forget(self, person_id: int, now: datetime) -> None:
        """Erase a person's personal fields (KVKK Art. 7). The Telegram id is replaced by a
        negative placeholder so the same person can register afresh later."""
        await self.db.execute(
            "UPDATE person SET full_name = '', title = '', phone = '', telegram_user_id = -id,"
            " forgotten_at = ?, updated_at = ? WHERE id = ?",
            (to_db(now), to_db(now), person_id),
        )

    async def set_language(self, person_id: int, language: str, now: datetime) -> None:
        await self.db.execute(
            "UPDATE person SET language = ?, updated_at = ? WHERE id = ?",
            (language, to_db(now), person_id),
        )

    # --- roles ---------------------------------------------------------------------------

    async def add_role(
        self,
        person_id: int,
        council_id: int,
        kind: RoleKind,
        now: datetime,
        *,
        institution_id: int | None = None,
        rank: Rank | None = None,
    ) -> int:
        return await self.db.execute(
            "INSERT INTO role (person_id, council_id, institution_id, kind, rank, valid_from)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (person_id, council_id, institution_id, kind.value, rank.value if rank else None,
             to_db(now)),
        )

    async def end_role(self, role_id: int, now: datetime, reason: str) -> None:
        await self.db.execute(
            "UPDATE role SET valid_to = ?, ended_reason = ? WHERE id = ? AND valid_to IS NULL",
            (to_db(now), reason, role_id),
        )

    async def role(self, role_id: int) -> Role | None:
        row = await self.db.fetchone("SELECT * FROM role WHERE id = ?", (role_id,))
        return _role(row) if row else None

    async def active_roles(self, person_id: int) -> list[Role]:
        rows = await self.db.fetchall(
            "SELECT r.* FROM role r JOIN council c ON c.id = r.council_id"
            " WHERE r.person_id = ? AND r.valid_to IS NULL AND c.removed_at IS NULL"
            " ORDER BY r.council_id, r.id",
            (person_id,),
        )
        return [_role(r) for r in rows]

    async def end_all_roles(self, person_id: int, now: datetime, reason: str) -> int:
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE role SET valid_to = ?, ended_reason = ? WHERE person_id = ?"
                " AND valid_to IS NULL",
                (to_db(now), reason, person_id),
            )
            return cursor.rowcount

    async def role_history(self, person_id: int) -> list[Role]:
        rows = await self.db.fetchall(
            "SELECT * FROM role WHERE person_id = ? ORDER BY valid_from, id", (person_id,)
        )
        return [_role(r) for r in rows]

    async def grants(self, telegram_user_id: int) -> list[Grant]:
        """The active roles of a Telegram user, in the shape the permission check reads, with
        the sub-commission seats their liaison roles give (``with_subcommission``, Art. 6(3))."""
        rows = await self.db.fetchall(
            "SELECT r.kind, r.rank, r.council_id, r.institution_id, c.province_id,"
            " c.kind AS council_kind FROM role r"
            " JOIN person p ON p.id = r.person_id JOIN council c ON c.id = r.council_id"
            " WHERE p.telegram_user_id = ? AND r.valid_to IS NULL AND c.removed_at IS NULL",
            (telegram_user_id,),
        )
        grants = [
            Grant(
                kind=RoleKind(r["kind"]),
                province_id=r["province_id"],
                council_id=r["council_id"],
                council_kind=CouncilKind(r["council_kind"]),
                institution_id=r["institution_id"],
                rank=Rank(r["rank"]) if r["rank"] else None,
            )
            for r in rows
        ]
        parents = sorted({g.council_id for g in grants if g.kind is RoleKind.LIAISON
                          and g.council_kind is CouncilKind.PROVINCIAL})
        if not parents:
            return grants
        marks = ",".join("?" * len(parents))
        subs = await self.db.fetchall(
            "SELECT parent_id, id FROM council WHERE kind = 'subcommission'"
            f" AND removed_at IS NULL AND parent_id IN ({marks})",
            parents,
        )
        return with_subcommission(grants, {r["parent_id"]: r["id"] for r in subs})

    async def seats(self, council_id: int) -> list[Seat]:
        """Everyone holding an active role on a council."""
        rows = await self.db.fetchall(
            "SELECT r.*, p.id AS p_id, p.telegram_user_id, p.full_name, p.title, p.phone,"
            " p.language FROM role r JOIN person p ON p.id = r.person_id"
            " WHERE r.council_id = ? AND r.valid_to IS NULL ORDER BY r.id",
            (council_id,),
        )
        return [
            Seat(
                role=_role(r),
                person=Person(
                    id=r["p_id"],
                    telegram_user_id=r["telegram_user_id"],
                    full_name=r["full_name"],
                    title=r["title"],
                    phone=r["phone"],
                    language=r["language"],
                ),
            )
            for r in rows
        ]

    async def liaison(self, institution_id: int, rank: Rank) -> Role | None:
        row = await self.db.fetchone(
            "SELECT * FROM role WHERE institution_id = ? AND kind = 'liaison' AND rank = ?"
            " AND valid_to IS NULL",
            (institution_id, rank.value),
        )
        return _role(row) if row else None

    async def find_active(
        self, person_id: int, council_id: int, kind: RoleKind, institution_id: int | None
    ) -> Role | None:
        row = await self.db.fetchone(
            "SELECT * FROM role WHERE person_id = ? AND council_id = ? AND kind = ?"
            " AND institution_id IS ? AND valid_to IS NULL",
            (person_id, council_id, kind.value, institution_id),
        )
        return _role(row) if row else None

    async def secretariat_telegram_ids(self, council_ids: list[int]) -> list[int]:
        if not council_ids:
            return []
        marks = ",".join("?" * len(council_ids))
        rows = await self.db.fetchall(
            "SELECT DISTINCT p.telegram_user_id FROM role r JOIN person p ON p.id = r.person_id"
            f" WHERE r.kind = 'secretariat' AND r.valid_to IS NULL AND r.council_id IN ({marks})",
            council_ids,
        )
        return [r[0] for r in rows]
