"""Issue 5, bad input and edge cases: impossible, past and wrongly formatted dates and times,
buttons of days that cannot be chosen, a reason required outside the window, an answer to a
cancelled or held meeting, roles without the right. Each gets a clear answer; nothing typed so
far is lost."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from icalendar import Calendar

from bot.domain.clock import ManualClock
from bot.store import Store
from bot.store.db import Database
from tests.e2e.conftest import Province
from tests.e2e.harness import running
from tests.e2e.test_meetings import (
    M1,
    M4,
    NAMES,
    PROVINCIAL,
    SEC,
    START,
    schedule,
    seed_people,
)
from tests.fakebot import FakeBotAPI


async def _no_approval(db_path: Path) -> None:
    async with Database(db_path) as db:
        await Store(db).meetings.set_chair_approval(1, False)


async def test_typed_dates_and_times_are_checked_and_the_flow_keeps_its_state(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    clock = ManualClock(START)
    people = await seed_people(db_path, province, clock, fake)
    sec = people[SEC]
    async with running(fake, db_path, clock):
        await sec.command("newmeeting")
        await sec.press(PROVINCIAL, await sec.expect("Which council is the meeting of?"))
        await sec.press("Ordinary meeting", await sec.expect("What kind of meeting is it?"))
        calendar = await sec.expect("Choose the day on the calendar")
        # 1-3 January have passed: shown as dots, refused when pressed.
        assert calendar.buttons().count("·") == 3
        await sec.press_data("nm:_", calendar.message_id)
        assert "cannot be chosen" in ((await sec.answer()).get("text") or "")
        await sec.press_data("nm:d:20270102", calendar.message_id)  # forged: a past day
        await sec.expect("This day has passed. Please choose a day from today on.")
        await sec.send_text("2027-01-14")
        await sec.expect("Please type it as dd.mm.yyyy, for example 14.01.2027.")
        await sec.send_text("31.02.2027")
        await sec.expect("There is no such day in the calendar.")
        await sec.send_text("01.01.2027")
        await sec.expect("This day has passed.")
        await sec.send_text("14.01.2029")
        await sec.expect("Please choose a day within 400 days from today.")
        await sec.send_sticker()
        await sec.expect("Please answer with a text message.")
        await sec.send_text("10.02.2027")  # after the January window
        await sec.expect("At what time?")
        await sec.send_text("25:00")
        await sec.expect("There is no such time of day.")
        await sec.send_text("on buçuk")
        await sec.expect("Please type it as HH:MM on the 24-hour clock")
        await sec.send_text("10.30")
        await sec.expect("Where will it be held?")
        await sec.send_text("   ")
        await sec.expect("This cannot be empty.")
        await sec.send_text("Valilik Toplantı Salonu")
        await sec.press("✅ Done", await sec.expect("Invitees for this meeting"))
        preview = await sec.expect("Statutory checks")
        text = preview.text or ""
        assert "Date: 10 February 2027 Wednesday" in text and "Time: 10:30" in text
        assert "Outside the ordinary window (01.01.2027 – 31.01.2027, Art. 7(1))." in text
        assert "✅ Save" not in preview.buttons()
        await sec.press("✍️ Confirm with a reason", preview)
        await sec.expect("Why is the meeting held on this date?")
        await sec.send_text("Vali Bey'in Ankara programı nedeniyle Şubat'a kaldı.")
        preview = await sec.expect("Reason recorded: Vali Bey'in Ankara programı")
        await sec.press("✅ Save", preview)
        await sec.expect("It went to the chair for approval")
        request = await people[8002].expect("Your decision")
        assert "reason given: Vali Bey'in Ankara programı" in (request.text or "")


async def test_answers_to_a_cancelled_or_held_meeting_and_roles_without_the_right(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    clock = ManualClock(START)
    people = await seed_people(db_path, province, clock, fake)
    await _no_approval(db_path)
    sec, m1, m4 = people[SEC], people[M1], people[M4]
    async with running(fake, db_path, clock):
        await m1.command("newmeeting")
        await m1.expect("You are not authorised to do this.")
        await schedule(sec, "14", "10:30", "Valilik Toplantı Salonu")
        await sec.press("✅ Done", await sec.expect("Invitees for this meeting"))
        await sec.press("✅ Save", await sec.expect("Statutory checks"))
        await sec.expect("Saved. The notice is being sent to 8 people.")
        notice = await m1.expect("Meeting notice")
        m4_notice = await m4.expect("Meeting notice")
        # A forged chair's button from a member, and a forged answer for another institution.
        await m1.press_data("mt:ch:1:0:ok", notice.message_id)
        assert "not authorised" in ((await m1.answer()).get("text") or "")
        await m1.press_data("mt:a:1:0:2:y", notice.message_id)
        assert "not authorised" in ((await m1.answer()).get("text") or "")
        await m1.press("👥 My deputy will attend", notice)  # no deputy registered
        assert "no registered deputy" in ((await m1.answer()).get("text") or "")
        # The secretariat cancels.
        await sec.command("meetings")
        await sec.press("14.01.2027 10:30", await sec.expect("Meetings of my councils"))
        await sec.press("🚫 Cancel", await sec.expect("Status: scheduled"))
        await sec.expect("Why is the meeting cancelled?")
        await sec.send_text("Valinin Ankara programı")
        await sec.press("🚫 Cancel the meeting", await sec.expect("Cancel the meeting?"))
        await sec.expect("Cancelled. The cancellation is being sent to 8 people.")
        cancelled = await m1.expect("Meeting cancelled")
        assert "Reason: Valinin Ankara programı" in (cancelled.text or "")
        assert cancelled.buttons() == [] and cancelled.document is not None
        ics = Calendar.from_ical(cancelled.document["content"])
        assert str(ics["method"]) == "CANCEL"
        await m1.press("✅ I will attend", notice)
        assert "This meeting was cancelled." in ((await m1.answer()).get("text") or "")
        await m4.press("❌ I cannot attend", m4_notice)
        assert "This meeting was cancelled." in ((await m4.answer()).get("text") or "")
        await fake.wait_idle()
        assert not [m for m in m4.messages() if "excuse" in (m.text or "")]

        # A meeting already held.
        await schedule(sec, "18", "10:00", "Valilik Toplantı Salonu")
        await sec.press("✅ Done", await sec.expect("Invitees for this meeting"))
        await sec.press("✅ Save", await sec.expect("Statutory checks"))
        notice = await m4.expect("Meeting notice")
        clock.set(datetime(2027, 1, 18, 9, 0, tzinfo=UTC))
        await m4.press("✅ I will attend", notice)
        assert "already taken place" in ((await m4.answer()).get("text") or "")
        assert NAMES[M4] == "Emre Çelik"


async def test_the_chair_proposes_another_date_a_member_away_and_the_check_in(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    clock = ManualClock(START)
    people = await seed_people(db_path, province, clock, fake)
    sec, chair, m3, d3 = people[SEC], people[8002], people[8103], people[8113]
    async with running(fake, db_path, clock) as bot:
        # Art. 9(2): the member is away until the end of the month; the deputy answers.
        await m3.command("away")
        await m3.expect("Type the last day you will be away")
        await m3.send_text("31.01.2027")
        await m3.expect("Noted: until 31 January 2027 Sunday the notices go to your deputy.")
        await schedule(sec, "14", "10:30", "Valilik Toplantı Salonu")
        await sec.press("✅ Done", await sec.expect("Invitees for this meeting"))
        await sec.press("✅ Save", await sec.expect("Statutory checks"))
        first = await chair.expect("Your decision")
        await chair.press("🗓 Propose another date", first)
        await chair.expect("Type the day, time or place you would like instead")
        await chair.send_text("18.01.2027 14:00 olabilir mi?")
        await chair.expect("Sent to the secretariat.")
        told = await sec.expect("The chair asks for another date")
        assert "“18.01.2027 14:00 olabilir mi?”" in (told.text or "")
        await sec.command("meetings")
        await sec.press("14.01.2027 10:30", await sec.expect("Meetings of my councils"))
        page = await sec.expect("The chair proposes: 18.01.2027 14:00 olabilir mi?")
        await sec.press("🔁 Move", page)
        await sec.press("18", await sec.expect("Move the meeting"))
        await sec.press("14:00", await sec.expect("At what time?"))
        await sec.press("📍 Valilik Toplantı Salonu", await sec.expect("Where will it be held?"))
        await sec.press("✅ Save", await sec.expect("Statutory checks"))
        await sec.expect("Saved. It went to the chair for approval")
        second = await chair.expect("Your decision")
        assert "18 January 2027 Monday" in (second.text or "")
        await chair.press("✅ Approve", first)  # the request for the earlier date
        assert "This meeting was moved" in ((await chair.answer()).get("text") or "")
        await chair.press("✅ Approve", second)
        await chair.expect("Approved.")
        notice = await d3.expect("Meeting notice")
        assert "You receive this as the deputy of " + people.institutions[2] in (
            notice.text or "")
        assert "👥 My deputy will attend" not in notice.buttons()
        await d3.press("✅ I will attend", notice)
        await d3.expect("✅ Recorded: you attend for " + people.institutions[2])
        await fake.wait_idle()
        assert not [m for m in m3.messages() if "Meeting notice" in (m.text or "")]

        # On the day the secretariat opens the check-in; the deputy signs in.
        clock.set(datetime(2027, 1, 18, 10, 55, tzinfo=UTC))
        await sec.command("meetings")
        await sec.press("18.01.2027 14:00", await sec.expect("Meetings of my councils"))
        await sec.press("✋ Open check-in", await sec.expect("Status: scheduled"))
        await sec.expect("Check-in is open until the meeting ends: 6 people got")
        checkin = await d3.expect("Check-in: meeting of the " + PROVINCIAL)
        await d3.press("✋ I am here", checkin)
        assert "Signed in" in ((await d3.answer()).get("text") or "")
        assert bot.app is not None
        rows = await bot.app.runtime.store.meetings.attendance(1)
        assert [(r.name, r.present) for r in rows] == [("Deniz Ak", True)]
