"""What the audit trail keeps of a record: plain, JSON-ready views of people and roles for the
``before`` and ``after`` of an audit entry, and the entry for a role's end. Services call these
inside the transaction of their change (the audit guard, ``bot/store/audit_guard.py``, checks
that every change has its entry)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from bot.domain.models import Person, Role
from bot.store import Store


def person_view(person: Person | None) -> dict[str, Any] | None:
    if person is None:
        return None
    return {"full_name": person.full_name, "title": person.title, "phone": person.phone,
            "language": person.language}


def role_view(role: Role | None) -> dict[str, Any] | None:
    if role is None:
        return None
    return {"person_id": role.person_id, "role": role.kind.value,
            "rank": role.rank.value if role.rank else None, "council_id": role.council_id,
            "institution_id": role.institution_id, "active": role.active}


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any],
                                                                    dict[str, Any]]:
    """Only the fields that differ, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


async def end_role(store: Store, now: datetime, role: Role, reason: str,
                   actor_id: int | None) -> None:
    """End a role's term and record it (before: active, after: ended with the reason)."""
    await store.people.end_role(role.id, now, reason)
    await store.audit.record(now, "role.end", f"role:{role.id}", actor_id=actor_id,
                             before=role_view(role),
                             after={**(role_view(role) or {}), "active": False,
                                    "reason": reason})


def view(record: object | None, *fields: str) -> dict[str, Any] | None:
    """The named fields of a record, enums as their values (None for no record)."""
    if record is None:
        return None
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(record, name)
        out[name] = value.value if isinstance(value, enum.Enum) else value
    return out
