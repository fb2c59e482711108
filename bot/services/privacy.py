"""Personal data self-service under KVKK (Law 6698, Art. 10 and 11): what is kept about me,
a copy of it, and erasure.

Erasure empties the person's own fields (name, title, phone) and ends their roles; the row stays
so that history keeps its shape. Records that were signed or sent as they stood (attendance
lists, minutes, delivered notices) keep the name they were made with: they are the council's
official archive (Art. 12(7), 12(8)), not the person's profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.domain.clock import Clock, to_db
from bot.domain.models import Person
from bot.services import members
from bot.store import Store


@dataclass(frozen=True, slots=True)
class Export:
    person: Person
    document: dict[str, Any]


async def export(store: Store, telegram_user_id: int) -> Export | None:
    """Everything the bot keeps that is about this person, as plain data."""
    mine = await members.me(store, telegram_user_id)
    if mine is None:
        return None
    person = mine.person
    history = await store.people.role_history(person.id)
    names = {}
    for role in history:
        council = await store.councils.council(role.council_id)
        institution = (await store.councils.institution(role.institution_id)
                       if role.institution_id else None)
        names[role.id] = (council.name if council else None,
                          council.kind.value if council else None,
                          institution.name if institution else None)
    actions = await store.audit.entries(limit=1000, actor_id=person.id)
    document: dict[str, Any] = {
        "person": {
            "telegram_user_id": person.telegram_user_id,
            "full_name": person.full_name,
            "title": person.title,
            "phone": person.phone,
            "language": person.language,
        },
        "roles": [
            {
                "role": role.kind.value,
                "rank": role.rank.value if role.rank else None,
                "council": names[role.id][0],
                "council_kind": names[role.id][1],
                "institution": names[role.id][2],
                "from": to_db(role.valid_from),
                "to": to_db(role.valid_to) if role.valid_to else None,
            }
            for role in history
        ],
        "actions": [
            {"at": to_db(e.at), "action": e.action, "subject": e.subject}
            for e in actions
        ],
    }
    return Export(person, document)


async def forget(store: Store, clock: Clock, telegram_user_id: int) -> Person | None:
    """Erase my personal fields and end my roles; returns the person as they were."""
    person = await store.people.by_telegram_id(telegram_user_id)
    if person is None:
        return None
    now = clock.now()
    async with store.db.transaction():
        ended = await store.people.end_all_roles(person.id, now, "forgotten (KVKK)")
        await store.people.forget(person.id, now)
        # The trail keeps no erased value readable: the name and phone leave every entry, the
        # title the entries about the person (signed records, outside the log, keep theirs).
        await store.audit.redact_person(person.id, person.full_name, person.phone,
                                        person.title)
        # Nothing personal goes into the log: the id says who, the count what.
        await store.audit.record(now, "person.forget", f"person:{person.id}",
                                 actor_id=person.id,
                                 before={"personal_data": "kept", "active_roles": ended},
                                 after={"personal_data": "erased", "active_roles": 0})
    return person
