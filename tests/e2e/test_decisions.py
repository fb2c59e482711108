"""Issue 7 end to end, on an injected clock: minutes with three decisions written in the chat
(a deadline in the past refused, nothing lost) → finalised: the Ek-1 DOCX read back with
python-docx (eight sections, three KARAR blocks) goes to the member institutions, each
responsible institution gets its task → editing the finalised minutes is refused → two
institutions report progress with evidence, one stays silent → after its deadline the
reminders and the escalation (member, then secretariat and chair) arrive in order → the
register shows who reported → the next meeting's minutes start with the evaluation."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

from docx import Document

from bot.domain.clock import ManualClock
from bot.domain.meetings import MeetingKind, MeetingStatus
from bot.domain.models import CouncilKind
from bot.i18n import translator
from bot.services import agenda as agenda_service
from bot.services import decisions as service
from bot.store import Store
from bot.store.db import Database
from tests.e2e.conftest import Province
from tests.e2e.harness import running
from tests.e2e.test_meetings import CHAIR, L1, M1, M2, M4, SEC, notifier, seed_people
from tests.fakebot import BotMessage, FakeBotAPI, FakeUser

# The meeting: Thursday 21 January 2027, 10:00 in Gaziantep; the minutes are written at 15:00.
MEETING_AT = datetime(2027, 1, 21, 7, 0, tzinfo=UTC)
AFTER = datetime(2027, 1, 21, 12, 0, tzinfo=UTC)


def at_nine(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 6, 0, tzinfo=UTC)  # 09:00 in Gaziantep


async def add_meeting(db_path: Path, clock: ManualClock, starts_at: datetime) -> int:
    async with Database(db_path) as db:
        store = Store(db)
        province = await store.councils.province_by_name("Gaziantep")
        assert province is not None
        council = await store.councils.council_of_kind(province.id, CouncilKind.PROVINCIAL)
        assert council is not None
        return await store.meetings.add(council.id, MeetingKind.ORDINARY,
                                        MeetingStatus.SCHEDULED, starts_at,
                                        "Valilik Toplantı Salonu", clock.now())


async def decision(sec: FakeUser, text: str, institutions: list[str], deadline: str,
                   menu: BotMessage) -> BotMessage:
    await sec.press("➕ Decision", menu)
    await sec.expect("step 1 of 5")
    await sec.send_text(text)
    await sec.expect("Step 2 of 5")
    await sec.send_text("Gerekçe: " + text)
    await sec.expect("Step 3 of 5")
    await sec.send_text("Amaç: " + text)
    chooser = await sec.expect("Step 4 of 5")
    for name in institutions:
        await sec.press(name, chooser)
        chooser = await sec.expect("Step 4 of 5")
        assert "✅ " + name in chooser.buttons()
    await sec.press("Done", chooser)
    await sec.expect("Step 5 of 5")
    await sec.send_text(deadline)
    await sec.expect("recorded. Deadline:")
    return await sec.expect("Minutes")


async def test_minutes_to_ek1_progress_reminders_and_escalation(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    clock = ManualClock(AFTER)
    people = await seed_people(db_path, province, clock, fake)
    meeting_id = await add_meeting(db_path, clock, MEETING_AT)
    sec, chair = people[SEC], people[CHAIR]
    inst = people.institutions
    async with running(fake, db_path, clock) as bot:
        assert bot.app is not None
        store = bot.app.runtime.store
        # --- the minutes, one section at a time ----------------------------------------------
        await sec.command("minutes")
        chooser = await sec.expect("Minutes: which meeting?")
        await sec.press("21.01.2027 10:00", chooser)
        menu = await sec.expect("Minutes")
        for label, text in (("Topics discussed", "Geçici koruma altındaki çocukların eğitimi"),
                            ("Problems identified", "Okul kayıtlarında gecikme"),
                            ("Proposed solutions", "Kayıt günleri düzenlenmesi")):
            await sec.press(label, menu)
            await sec.expect("Send the text of")
            await sec.send_text(text)
            await sec.expect("Saved.")
            menu = await sec.expect("Minutes")
            assert text in (menu.text or "")

        # --- three decisions; a deadline in the past is refused, nothing lost ----------------
        menu = await decision(sec, "Okul kayıt günleri düzenlenecek", [inst[0]], "30 gün", menu)
        await sec.press("➕ Decision", menu)
        await sec.expect("step 1 of 5")
        await sec.send_text("Sağlık taraması yapılacak")
        await sec.expect("Step 2 of 5")
        await sec.send_text("Gerekçe")
        await sec.expect("Step 3 of 5")
        await sec.send_text("Amaç")
        chooser = await sec.expect("Step 4 of 5")
        await sec.press("Done", chooser)
        await sec.expect("Please choose at least one responsible institution.")
        await sec.press(inst[1], chooser)
        await sec.press("Done", await sec.expect("Step 4 of 5"))
        await sec.expect("Step 5 of 5")
        await sec.send_text("01.01.2027")
        await sec.expect("This date is in the past.")
        await sec.send_text("yakında")
        await sec.expect("I could not read this time.")
        await sec.send_text("15.02.2027")
        await sec.expect("Decision 2027/2 recorded. Deadline: 15 February 2027")
        menu = await sec.expect("Minutes")
        menu = await decision(sec, "Tercüman desteği sağlanacak", [inst[3]], "10 gün", menu)
        assert "3 decisions" in (menu.text or "")

        # --- finalise: the Ek-1 to the member institutions, tasks to the responsible ones ---
        await sec.press("✅ Finalise and send", menu)
        confirm = await sec.expect("Finalise?")
        await sec.press("✅ Finalise and send", confirm)
        await sec.expect("Finalised. The minutes are being sent to")
        sent = await people[M1].expect("Minutes of the meeting of the Gaziantep")
        assert "3 decisions were taken." in (sent.text or "")
        assert sent.document is not None and sent.document["file_name"].endswith(".docx")
        ek1 = Document(io.BytesIO(sent.document["content"]))
        text = "\n".join(p.text for p in ek1.paragraphs)
        for n, section in enumerate(("KATEGORİ ADI", "İL/İLÇE ADI", "YER/TARİH",
                                     "KATILIMCI SAYISI", "GÖRÜŞÜLEN KONU BAŞLIKLARI",
                                     "TESPİT EDİLEN SORUNLAR", "ÇÖZÜM ÖNERİLERİ",
                                     "ALINAN KARARLAR/DİĞER HUSUSLAR"), start=1):
            assert f"{n}. {section}:" in text, section
        assert "İl Göç Koordinasyon Kurulu" in text and "21.01.2027" in text
        assert [p.text for p in ek1.paragraphs if p.text.startswith("KARAR-")] == [
            "KARAR-1 (2027/1)", "KARAR-2 (2027/2)", "KARAR-3 (2027/3)"]
        for field in ("Alınan Karar: Okul kayıt", "Karar Gerekçesi: Gerekçe",
                      "Amaç: Amaç", f"Sorumlu Kurum ve Kuruluşlar: {inst[1]}",
                      "Verilen Süre: 15.02.2027", "Verilen Süre: 20.02.2027",
                      "Verilen Süre: 31.01.2027"):
            assert field in text, field
        signatures = [[c.text for c in row.cells] for row in ek1.tables[0].rows]
        assert signatures[0] == ["GÖREVİ", "AD-SOYAD", "UNVANI / KURUMU", "İMZA"]
        assert ["Kurul Başkanı", "Vali Bey"] == signatures[1][:2]
        assert any(r[1] == "Ayşe Yılmaz" and r[3] == "" for r in signatures)
        await chair.expect("Minutes of the meeting")
        task = await people[L1].expect("Decision 2027/1")
        assert "Deadline: 20 February 2027" in (task.text or "")
        assert task.buttons() == ["📝 Report progress"]
        await people[M1].expect("Decision 2027/1")
        m2_task = await people[M2].expect("Decision 2027/2")
        await people[M4].expect("Decision 2027/3")

        # --- finalised minutes cannot be edited -----------------------------------------------
        await sec.command("minutes")
        await sec.press("21.01.2027 10:00", await sec.expect("Minutes: which meeting?"))
        final = await sec.expect("These minutes are finalised")
        assert "➕ Addendum" in final.buttons() and "Topics discussed" not in final.buttons()
        await sec.press("➕ Addendum", final)
        await sec.expect("Send the text of the addendum.")
        await sec.send_text("Karar 2027/2 için Sağlık Müdürlüğü de bilgilendirilecek.")
        await sec.expect("Addendum recorded.")
        await sec.command("cancel")

        # --- two institutions report, with evidence; one stays silent ------------------------
        l1 = people[L1]
        await l1.press("📝 Report progress", task)
        state = await l1.expect("What is the state of the work?")
        await l1.press("🔄 In progress", state)
        await l1.expect("What was done?")
        await l1.send_text("Kayıt takvimi okullara gönderildi")
        await l1.expect("Evidence (optional)")
        await l1.send_document("yazi.pdf", b"%PDF-1.4 fake")
        preview = await l1.expect("Preview — decision 2027/1")
        assert "Evidence: yazi.pdf" in (preview.text or "")
        await l1.press("✅ Save", preview)
        await l1.expect("Progress saved. The decision is now: 🔄 In progress")
        m2 = people[M2]
        await m2.press("📝 Report progress", m2_task)
        await m2.press("✅ Completed", await m2.expect("What is the state of the work?"))
        await m2.expect("What was done?")
        await m2.send_text("Tarama tamamlandı")
        await m2.expect("Evidence (optional)")
        await m2.send_photo()
        await m2.press("✅ Save", await m2.expect("Preview — decision 2027/2"))
        await m2.expect("The decision is now: ✅ Completed")
        # A closed decision takes no more progress.
        await m2.press("📝 Report progress", m2_task)
        await m2.expect("already reported this decision as done")
        latest = await store.decisions.latest_progress(
            [d.id for d in await store.decisions.of_meeting(meeting_id)])
        assert sum(1 for p in latest.values() if p.filename) == 2

        # --- the silent institution: reminders, then escalation, in order --------------------
        m4 = people[M4]
        clock.set(at_nine(date(2027, 1, 30)))  # D-1 of decision 2027/3
        await notifier(bot).rebuild()
        await m4.expect("Decision 2027/3: 1 day left until the deadline.")
        clock.set(at_nine(date(2027, 2, 7)))   # one week after its deadline
        await notifier(bot).rebuild()
        await m4.expect("Decision 2027/3 is overdue by 1 week.")
        await m4.expect(f"{inst[3]} has not reported on decision 2027/3")
        await notifier(bot).sender.settle()
        await fake.wait_idle()
        assert not [m for m in sec.messages() if "has not reported" in (m.text or "")]
        clock.set(at_nine(date(2027, 2, 14)))  # two weeks after: secretariat and chair
        await notifier(bot).rebuild()
        told = await sec.expect(f"{inst[3]} has not reported on decision 2027/3")
        assert "two weeks after the deadline" in (told.text or "")
        await chair.expect(f"{inst[3]} has not reported on decision 2027/3")
        await notifier(bot).sender.settle()
        await fake.wait_idle()
        # Institutions that reported are not escalated.
        assert not [m for m in people[M1].messages() if "has not reported" in (m.text or "")]

        # --- the register: who reported and who did not --------------------------------------
        await sec.command("decisions")
        register = await sec.expect("Decisions — Open")
        view = register.text or ""
        assert "2027/1 · 🔄 In progress" in view and "2027/2" not in view
        assert "2027/3 · ⚪ Not started · ⚠️ overdue" in view
        assert f"⏳ not reported — {inst[3]}" in view
        await sec.press("All", register)
        everything = await sec.expect("Decisions — All")
        assert "2027/2 · ✅ Completed" in (everything.text or "")
        await sec.press("🏢 By institution", everything)
        chooser = await sec.expect("Decisions of which institution?")
        while inst[3] not in chooser.buttons():
            await sec.press("Next ▶", chooser)
            chooser = await sec.reply()
        await sec.press(inst[3], chooser)
        only = (await sec.expect("Decisions — All")).text or ""
        assert "2027/3" in only and "2027/1" not in only and "2027/2" not in only

        # --- the next agenda starts with the evaluation of these decisions (Art. 5(7)) -------
        clock.set(datetime(2027, 2, 18, 12, 0, tzinfo=UTC))
        first = await store.meetings.get(meeting_id)
        assert first is not None
        next_id = await store.meetings.add(
            first.council_id, MeetingKind.ORDINARY, MeetingStatus.SCHEDULED,
            datetime(2027, 2, 25, 7, 0, tzinfo=UTC), "Valilik", clock.now())
        grants = await store.people.grants(SEC)
        secretary = await store.people.by_telegram_id(SEC)
        assert secretary is not None
        await agenda_service.publish(store, clock, grants, secretary, next_id, translator("en"))
        notifier(bot).queued()
        agenda = (await people[M1].expect("Agenda — ")).text or ""
        lines = agenda.splitlines()
        first_item = next(i for i, line in enumerate(lines) if line.startswith("1. "))
        assert "previous meeting" in lines[first_item]
        assert lines[first_item + 1:first_item + 4] == [
            "   • Decision 2027/1: Okul kayıt günleri düzenlenecek — 🔄 In progress",
            "   • Decision 2027/2: Sağlık taraması yapılacak — ✅ Completed",
            "   • Decision 2027/3: Tercüman desteği sağlanacak — ⚪ Not started"]
        # ... and so do its minutes, prefilled.
        clock.set(datetime(2027, 2, 25, 12, 0, tzinfo=UTC))
        minutes = await service.open_minutes(store, clock, grants, next_id)
        assert minutes.evaluation.splitlines() == [
            "Karar 2027/1: Okul kayıt günleri düzenlenecek — devam ediyor",
            "Karar 2027/2: Sağlık taraması yapılacak — tamamlandı",
            "Karar 2027/3: Tercüman desteği sağlanacak — başlanmadı"]

        # --- the Ek-3 annual report draft lists the decisions and what stayed unsolved ------
        await sec.command("annualreport", "2027")
        report = await sec.expect("Ek-3 annual report draft for 2027")
        assert report.document is not None and report.document["file_name"] == "ek3-2027.docx"
        ek3 = "\n".join(p.text for p in Document(io.BytesIO(report.document["content"]))
                        .paragraphs)
        assert "2027 YILI" in ek3 and "1. İL ADI: Gaziantep" in ek3
        assert "İl Göç Koordinasyon Kurulu: Okul kayıtlarında gecikme" in ek3
        assert "Karar 2027/2: Sağlık taraması yapılacak — tamamlandı" in ek3
        unsolved = ek3.split("4. KURULLARDA KARAR ALINMASINA RAĞMEN ÇÖZÜLEMİYEN SORUNLAR:")[1]
        assert "Karar 2027/3: Tercüman desteği sağlanacak" in unsolved
        assert "2027/2" not in unsolved.split("5. ")[0]
        await people[M1].command("annualreport")  # RECORD_MINUTES is the secretariat's
        await people[M1].expect("You are not authorised to do this.")

        # --- /overview: the chart for the secretariat ---------------------------------------
        await sec.command("overview")
        chart = await sec.expect("📊 Decisions by state")
        assert chart.photo is not None and chart.photo["content"].startswith(b"\x89PNG")
        assert "✅ Completed 1, 🔄 In progress 1, ⚪ Not started 1, ⛔ Blocked 0 · 2 overdue" in (
            chart.text or "")
