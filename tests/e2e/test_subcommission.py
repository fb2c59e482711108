"""The sub-commission's members end to end (Art. 6(3)): a liaison officer whose role is recorded
on the provincial council sees the sub-commission's meeting in /meetings and opens it, opens
its agenda, finds its decisions in /decisions and its task in /progress (once); the member of
the same institution, who does not sit on the sub-commission, sees none of it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path

from bot.domain.clock import ManualClock
from bot.domain.meetings import MeetingKind, MeetingStatus
from bot.domain.models import CouncilKind, Rank, RoleKind
from bot.services import decisions, meetings
from bot.store import Store
from bot.store.db import Database
from tests import seed
from tests.e2e.conftest import Province
from tests.e2e.harness import running
from tests.fakebot import FakeBotAPI

SEC, LIAISON, MEMBER = 8501, 8502, 8503
DECISION = "Okullarda Türkçe destek sınıfları açılsın"


async def _seed(db_path: Path, province: Province, clock: ManualClock) -> str:
    """The directorate, a principal liaison officer and the member of the same institution;
    a sub-commission meeting ahead and one held in December with a decision for the
    institution. Returns the institution's name."""
    async with Database(db_path) as db:
        store = Store(db)
        provincial = await seed.council_of(store, province.name)
        sub = await seed.council_of(store, province.name, CouncilKind.SUBCOMMISSION)
        institution = (await store.councils.institutions(provincial.id))[0]
        secretariat = await seed.person(store, clock, SEC, "Selin Kaya", provincial.id,
                                        RoleKind.SECRETARIAT)
        await seed.person(store, clock, LIAISON, "Ayşe Yılmaz", provincial.id, RoleKind.LIAISON,
                          institution_id=institution.id, rank=Rank.PRINCIPAL)
        await seed.person(store, clock, MEMBER, "Murat Şahin", provincial.id, RoleKind.MEMBER,
                          institution_id=institution.id)
        grants = await store.people.grants(SEC)
        # Art. 6(9): the first week of March.
        done = await meetings.schedule(store, clock, grants, secretariat, sub.id,
                                       MeetingKind.ORDINARY, date(2027, 3, 2),
                                       clock_time(10, 30), "İl Göç İdaresi Toplantı Salonu")
        assert done.meeting.status is MeetingStatus.SCHEDULED  # no chair's approval step
        held = await store.meetings.add(sub.id, MeetingKind.ORDINARY, MeetingStatus.SCHEDULED,
                                        datetime(2026, 12, 2, 7, 0, tzinfo=UTC), "Valilik",
                                        clock.now(), period="2026-12")
        await decisions.add_decision(store, clock, grants, held, decisions.DecisionDraft(
            DECISION, "Gerekçe", "Amaç", [institution.id], "120 gün"))
        await decisions.finalise(store, clock, grants, held, None, secretariat)
        return institution.name


async def test_liaison_officer_sees_the_subcommissions_meetings_agenda_and_decisions(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    clock = ManualClock(datetime(2027, 2, 20, 7, 0, tzinfo=UTC))
    institution = await _seed(db_path, province, clock)
    liaison = fake.user(LIAISON, "Ayşe", language_code="en")
    member = fake.user(MEMBER, "Murat", language_code="en")
    sub_meeting = "02.03.2027 10:30 — Gaziantep Sub-commission"
    async with running(fake, db_path, clock):
        await liaison.command("meetings")
        listing = await liaison.expect("Meetings of my councils")
        assert sub_meeting in listing.buttons()
        await liaison.press(sub_meeting, listing)
        page = (await liaison.expect("Status: scheduled")).text or ""
        assert "Gaziantep Sub-commission" in page

        await liaison.command("agenda")
        pick = await liaison.expect("The agenda of which meeting?")
        await liaison.press(next(b for b in pick.buttons() if "02.03.2027" in b), pick)
        shown = (await liaison.expect("Sub-commission — meeting of 02.03.2027")).text or ""
        assert "1. Monitoring of the Local Cohesion Action Plan" in shown

        await liaison.command("decisions")
        register = (await liaison.expect("Decisions — Open")).text or ""
        assert DECISION in register

        # Its task once, though the officer holds the institution on both councils.
        await liaison.command("progress")
        tasks = await liaison.expect("Which decision do you report on?")
        assert [b for b in tasks.buttons() if institution[:20] in b] == [
            f"2026/1 · {institution}"[:60]]

        # The member answers for the institution on the provincial council, not here.
        await member.command("meetings")
        theirs = await member.expect("Meetings of my councils")
        assert "No upcoming meeting." in (theirs.text or "")
        assert sub_meeting not in theirs.buttons()
        await member.command("decisions")
        assert DECISION not in ((await member.expect("Decisions — Open")).text or "")
