"""Issue 5 end to end, on an injected clock: schedule → the chair approves → notices with the
.ics → answers of each kind (a deputy who confirms, an answer changed) → the reminder to those
who did not answer → the meeting moves (new .ics, old buttons refuse) → attendance is marked →
the Ek-2 read back from the DOCX."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from docx import Document
from icalendar import Calendar

from bot.domain.clock import ManualClock
from bot.domain.models import Rank, RoleKind
from bot.notify.engine import notifier_of
from bot.store import Store
from bot.store.db import Database
from tests import seed
from tests.e2e.conftest import Province
from tests.e2e.harness import RunningBot, running
from tests.fakebot import BotMessage, FakeBotAPI, FakeUser

PROVINCIAL = "Gaziantep Provincial Migration Coordination Council"
SEC, CHAIR, M1, M2, M3, D3, M4, M5, M6, L1 = (
    8001, 8002, 8101, 8102, 8103, 8113, 8104, 8105, 8106, 8201)
NAMES = {SEC: "Selin Kaya", CHAIR: "Vali Bey", M1: "Ayşe Yılmaz", M2: "Burak Demir",
         M3: "Cem Aydın", D3: "Deniz Ak", M4: "Emre Çelik", M5: "Fatma Şahin",
         M6: "Gül Arslan", L1: "Hakan Irmak"}
# Monday 4 January 2027, 10:00 in Gaziantep.
START = datetime(2027, 1, 4, 7, 0, tzinfo=UTC)


@dataclass
class People:
    users: dict[int, FakeUser]
    institutions: list[str]  # names of the provincial council's first institutions, in order

    def __getitem__(self, telegram_id: int) -> FakeUser:
        return self.users[telegram_id]


async def seed_people(db_path: Path, province: Province, clock: ManualClock,
                      fake: FakeBotAPI) -> People:
    """Secretariat, chair, six members (one with a deputy), one liaison officer."""
    async with Database(db_path) as db:
        store = Store(db)
        council = await seed.council_of(store, province.name)
        institutions = await store.councils.institutions(council.id)

        async def add(tid: int, kind: RoleKind, index: int | None = None,
                      rank: Rank | None = None, language: str = "en") -> None:
            await seed.person(store, clock, tid, NAMES[tid], council.id, kind,
                              institution_id=institutions[index].id if index is not None
                              else None, rank=rank, language=language,
                              title="İl Müdürü" if kind is RoleKind.MEMBER else "Uzman")

        await add(SEC, RoleKind.SECRETARIAT)
        await add(CHAIR, RoleKind.CHAIR)
        for index, tid in enumerate((M1, M2, M3, M4, M5)):
            await add(tid, RoleKind.MEMBER, index)
        await add(M6, RoleKind.MEMBER, 5, language="tr")
        await add(D3, RoleKind.DEPUTY, 2)
        await add(L1, RoleKind.LIAISON, 0, Rank.PRINCIPAL)
    users = {tid: fake.user(tid, NAMES[tid].split()[0],
                            language_code="tr" if tid == M6 else "en") for tid in NAMES}
    return People(users, [i.name for i in institutions[:6]])


def notifier(bot: RunningBot) -> Any:
    assert bot.app is not None
    return notifier_of(bot.app)


def ics_event(message: BotMessage) -> Any:
    assert message.document is not None, str(message)
    assert message.document["file_name"].endswith(".ics")
    calendar = Calendar.from_ical(message.document["content"])
    [event] = [c for c in calendar.walk() if c.name == "VEVENT"]
    return calendar, event


async def schedule(sec: FakeUser, day: str, time_text: str, place: str) -> None:
    """/newmeeting for the provincial council's ordinary meeting, up to the preview."""
    await sec.command("newmeeting")
    await sec.press(PROVINCIAL, await sec.expect("Which council is the meeting of?"))
    kind = await sec.expect("What kind of meeting is it?")
    assert "This period's ordinary window: 1 January 2027 Friday – 31 January 2027" in (
        kind.text or "")
    assert "suggested date: 18 January 2027 Monday" in (kind.text or "")
    await sec.press("Ordinary meeting", kind)
    calendar = await sec.expect("Choose the day on the calendar")
    assert "January 2027" in calendar.buttons() and "Suggested: 18.01.2027" in calendar.buttons()
    await sec.press(day, calendar)
    await sec.expect("At what time?")
    await sec.send_text(time_text)
    await sec.expect("Where will it be held?")
    await sec.send_text(place)


async def test_meeting_from_schedule_to_ek2(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    clock = ManualClock(START)
    people = await seed_people(db_path, province, clock, fake)
    sec, chair = people[SEC], people[CHAIR]
    fake.block(M5)
    async with running(fake, db_path, clock) as bot:
        # --- the secretariat drafts the meeting ----------------------------------------------
        await schedule(sec, "14", "10:30", "Valilik Toplantı Salonu")
        await sec.expect("Invitees for this meeting")
        await sec.send_text("Ahmet Usta, Gaziantep Ticaret Odası, Başkan")
        invitees = await sec.expect("Invited so far:")
        assert "Ahmet Usta, Gaziantep Ticaret Odası, Başkan" in (invitees.text or "")
        await sec.press("✅ Done", invitees)
        preview = await sec.expect("Statutory checks")
        text = preview.text or ""
        assert "Date: 14 January 2027 Thursday" in text and "Time: 10:30" in text
        assert "Within the rules" in text and "it goes to the chair for approval" in text
        await sec.press("✅ Save", preview)
        await sec.expect("It went to the chair for approval")
        store = bot.app.runtime.store if bot.app else None
        assert store is not None
        [meeting] = await store.meetings.of_councils([1, 2, 3])
        assert meeting.starts_at == datetime(2027, 1, 14, 7, 30, tzinfo=UTC)

        # --- the chair approves; notices go out --------------------------------------------
        request = await chair.expect("Your decision: a meeting of the " + PROVINCIAL)
        assert "Art. 11(3)" in (request.text or "")
        await fake.wait_idle()
        assert not people[M1].messages()  # nothing before the chair approves
        await chair.press("✅ Approve", request)
        approved = await chair.expect("Approved. The notice is being sent to 8 people.")
        assert approved is not None
        await sec.expect("The chair approved the meeting")
        notices: dict[int, BotMessage] = {}
        for tid in (M1, M2, M3, M4, M6, L1, CHAIR):
            notices[tid] = await people[tid].expect("Meeting notice" if tid != M6 else "📣")
        await notifier(bot).sender.settle()
        alert = await sec.expect("I could not deliver a message to Fatma Şahin")
        assert "has blocked the bot" in (alert.text or "")
        m1_notice = notices[M1]
        assert m1_notice.buttons() == ["✅ I will attend", "❌ I cannot attend",
                                       "👥 My deputy will attend"]
        assert notices[L1].buttons() == [] and notices[CHAIR].buttons() == []
        assert "14 Ocak 2027 Perşembe" in (notices[M6].text or "")  # Babel, in Turkish
        calendar, event = ics_event(m1_notice)
        uid = str(event["uid"])
        assert uid == f"meeting-{meeting.id}@kurul" and int(event["sequence"]) == 0
        assert str(calendar["method"]) == "REQUEST"
        assert event.decoded("dtstart") == datetime(2027, 1, 14, 7, 30, tzinfo=UTC)
        assert str(event["dtstart"].params["TZID"]) == "Europe/Istanbul"
        assert str(event["location"]) == "Valilik Toplantı Salonu"

        # --- answers of each kind ------------------------------------------------------------
        m1, m2, m3, d3 = people[M1], people[M2], people[M3], people[D3]
        await m1.press("❌ I cannot attend", m1_notice)
        await m1.expect("Please type your excuse")
        await m1.send_text("Bakanlık toplantısı")
        await m1.expect("cannot attend the meeting")
        await m1.press("✅ I will attend", m1_notice)  # changed: the last answer stands
        await m1.expect("✅ Recorded: " + people.institutions[0] + " will attend")
        await m2.press("❌ I cannot attend", notices[M2])
        await m2.expect("Please type your excuse")
        await m2.send_photo()
        await m2.expect("Please answer with a text message.")
        await m2.send_text("Yurt dışı görevi")
        await m2.expect("cannot attend the meeting")
        await m3.press("👥 My deputy will attend", notices[M3])
        choice = await m3.expect("Who attends in your place?")
        await m3.press("👥 Deniz Ak", choice)
        await m3.expect("Deniz Ak was asked to attend")
        request = await d3.expect("Cem Aydın names you as deputy")
        assert request.document is not None  # the deputy gets the invitation too
        await d3.press("✅ I will attend", request)
        await d3.expect("✅ Recorded: you attend for " + people.institutions[2])

        # The secretariat sees each institution's state, re-read now.
        await sec.command("meetings")
        listing = await sec.expect("Meetings of my councils")
        await sec.press("14.01.2027 10:30", listing)
        page = await sec.expect("Status: scheduled")
        await sec.press("👥 Attendance", page)
        view = (await sec.expect("Attendance — ")).text or ""
        assert "✅ Confirmed: 1" in view and "❌ Excused: 1" in view and "👥 Deputy: 1" in view
        assert "⏳ No answer: 3" in view
        assert f"✅ {people.institutions[0]} — Ayşe Yılmaz" in view
        assert f"❌ {people.institutions[1]} — Burak Demir: “Yurt dışı görevi”" in view
        assert f"👥 {people.institutions[2]} — deputy Deniz Ak (confirmed)" in view
        assert f"⏳ {people.institutions[3]} — Emre Çelik" in view
        assert "⚪ " in view  # institutions with nobody registered

        # --- D-3: the reminder goes to those who have not answered ----------------------------
        clock.set(datetime(2027, 1, 11, 6, 0, tzinfo=UTC))  # 09:00 in Gaziantep
        await notifier(bot).rebuild()
        reminder = await people[M4].expect("Reminder: the meeting of the " + PROVINCIAL
                                           + " is in 3 days.")
        assert reminder.buttons()[:2] == ["✅ I will attend", "❌ I cannot attend"]
        await people[M6].expect("⏰")
        await notifier(bot).sender.settle()
        await fake.wait_idle()
        for tid in (M1, M2, M3, D3, L1, CHAIR):
            assert not [m for m in people[tid].messages() if "Reminder" in (m.text or "")], tid

        # --- the meeting moves ----------------------------------------------------------------
        await sec.press("🔁 Move", page)
        calendar_prompt = await sec.expect("Move the meeting — " + PROVINCIAL)
        await sec.press("21", calendar_prompt)
        await sec.press("14:00", await sec.expect("At what time?"))
        await sec.press("📍 Valilik Toplantı Salonu", await sec.expect("Where will it be held?"))
        preview = await sec.expect("Statutory checks")
        assert "Date: 21 January 2027 Thursday" in (preview.text or "")
        await sec.press("✅ Save", preview)
        await sec.expect("Moved. The new date is being sent to 9 people.")
        moved = await m1.expect("Meeting moved")
        assert "Instead of: 14 January 2027 Thursday, 10:30" in (moved.text or "")
        assert "please answer again" in (moved.text or "")
        _, event = ics_event(moved)
        assert str(event["uid"]) == uid and int(event["sequence"]) == 1
        assert event.decoded("dtstart") == datetime(2027, 1, 21, 11, 0, tzinfo=UTC)
        # Buttons of the old notice and of the reminder refuse, and change nothing.
        await m1.press("✅ I will attend", m1_notice)
        assert "This meeting was moved" in ((await m1.answer()).get("text") or "")
        await people[M4].press("✅ I will attend", reminder)
        assert "This meeting was moved" in ((await people[M4].answer()).get("text") or "")
        answers = await store.meetings.answers(meeting.id)
        assert answers == {}  # reset by the move of day and time
        await m1.press("✅ I will attend", moved)
        await m1.expect("✅ Recorded")
        told = await d3.expect("Meeting moved")  # the deputy named for the first date hears too
        assert told.buttons() == [] and told.document is not None
        await m3.press("👥 My deputy will attend", await m3.expect("Meeting moved"))
        await m3.press("👥 Deniz Ak", await m3.expect("Who attends in your place?"))
        await d3.press("✅ I will attend", await d3.expect("Cem Aydın names you as deputy"))
        await d3.expect("✅ Recorded: you attend for")

        # --- on the day: attendance is marked ------------------------------------------------
        clock.set(datetime(2027, 1, 21, 11, 5, tzinfo=UTC))
        await sec.command("meetings")
        listing = await sec.expect("Meetings of my councils")
        await sec.press("21.01.2027 14:00", listing)
        page = await sec.expect("Status: scheduled")
        await sec.press("✔️ Mark attendance", page)
        groups = await sec.expect("Who is here?")
        await sec.press(people.institutions[2], groups)
        group = await sec.expect(people.institutions[2])
        await sec.press("Deniz Ak", group)
        group = await sec.reply()
        assert "✅ Deniz Ak · confirmed" in group.buttons()
        await sec.press("◀ Institutions", group)
        groups = await sec.expect("Who is here?")
        await sec.press(people.institutions[0], groups)
        await sec.press("Ayşe Yılmaz", await sec.expect(people.institutions[0]))
        group = await sec.reply()
        assert "✅ Ayşe Yılmaz · confirmed" in group.buttons()
        await sec.press("◀ Institutions", group)
        groups = await sec.expect("2 people marked so far")
        while "Invitees and others" not in " ".join(groups.buttons()):
            await sec.press("Next ▶", groups)
            groups = await sec.reply()
        await sec.press("Invitees and others", groups)
        others = await sec.expect("Tap a name")
        await sec.press("Ahmet Usta", others)
        others = await sec.reply()
        assert "✅ Ahmet Usta" in others.buttons()
        await sec.press("➕ Add someone present", others)
        await sec.expect("Type who is present")
        await sec.send_text("Zeynep Kaya, Göç İdaresi Başkanlığı, Uzman")
        await sec.expect("Added to the attendance list: Zeynep Kaya.")

        # --- Ek-2 -----------------------------------------------------------------------------
        await sec.command("export")
        chooser = await sec.expect("Ek-2 attendance list (Art. 12(7)): which meeting?")
        await sec.press("21.01.2027 14:00", chooser)
        files = await sec.replies(3)
        names = [m.document["file_name"] for m in files if m.document]
        assert [n.rsplit(".", 1)[1] for n in names] == ["docx", "csv", "xlsx"]
        document = Document(io.BytesIO(files[0].document["content"]))  # type: ignore[index]
        paragraphs = "\n".join(p.text for p in document.paragraphs)
        assert "KATILIMCI LİSTESİ" in paragraphs
        assert "Gaziantep İl Göç Koordinasyon Kurulu" in paragraphs or "Gaziantep" in paragraphs
        assert "21 Ocak 2027 Perşembe, 14:00" in paragraphs
        assert "Valilik Toplantı Salonu" in paragraphs
        rows = [[c.text for c in row.cells] for row in document.tables[0].rows]
        assert rows[0] == ["SIRA", "KURUM İSMİ", "UNVAN", "AD-SOYAD", "TELEFON NUMARASI", "İMZA"]
        assert [r[:4] for r in rows[1:5]] == [
            ["1", people.institutions[0], "İl Müdürü", "Ayşe Yılmaz"],
            ["2", people.institutions[2], "Uzman", "Deniz Ak"],
            ["3", "Gaziantep Ticaret Odası", "Başkan", "Ahmet Usta"],
            ["4", "Göç İdaresi Başkanlığı", "Uzman", "Zeynep Kaya"],
        ]
        assert rows[1][4] == f"+90532{M1 % 10_000_000:07d}" and rows[1][5] == ""
        assert rows[5][1:] == ["", "", "", "", ""]  # blank rows to fill in on paper
        assert clock.now() - START > timedelta(days=17)
