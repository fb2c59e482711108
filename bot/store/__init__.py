"""Everything that touches SQLite. ``Store`` bundles the repositories over one database."""

from __future__ import annotations

from bot.store.agenda import AgendaRepository
from bot.store.audit import AuditRepository
from bot.store.audit_guard import AuditGuard
from bot.store.councils import CouncilRepository
from bot.store.db import Database
from bot.store.decisions import DecisionRepository
from bot.store.groups import GroupRepository
from bot.store.invites import InviteRepository
from bot.store.leave import LeaveRepository
from bot.store.meetings import MeetingRepository
from bot.store.outbox import OutboxRepository
from bot.store.people import PersonRepository
from bot.store.reminders import ReminderFactsRepository


class Store:
    def __init__(self, db: Database) -> None:
        self.db = db
        if not any(isinstance(w, AuditGuard) for w in db.watchers):
            db.watchers.append(AuditGuard())
        self.councils = CouncilRepository(db)
        self.people = PersonRepository(db)
        self.invites = InviteRepository(db)
        self.audit = AuditRepository(db)
        self.leave = LeaveRepository(db)
        self.meetings = MeetingRepository(db)
        self.outbox = OutboxRepository(db)
        self.reminder_facts = ReminderFactsRepository(db)
        self.agenda = AgendaRepository(db)
        self.decisions = DecisionRepository(db)
        self.groups = GroupRepository(db)

    async def open(self) -> Store:
        await self.db.ensure_open()
        return self

    async def close(self) -> None:
        await self.db.close()
