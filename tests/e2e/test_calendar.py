"""Issue 3, end to end: the secretariat enters, lists and removes administrative leave with
/leave (bad dates explained, the flow keeping its place, a restart in the middle); /calendar
shows the windows, deadlines and leave days of this and the next quarter; a liaison officer
is refused politely.

The clock stands at 1 December 2026 (Istanbul): this quarter is Q4 2026, the next Q1 2027.
1–5 March 2027 is Monday to Friday, so leave on those days moves the sub-commission's March
meeting to Monday 8 March, a half day (the eve of Ramazan Bayramı) (Art. 6(9)).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.documents.calendar_export import DEADLINE_LABELS, WARNING_LABELS
from bot.domain.calendar import CalendarWarning, DeadlineCode
from bot.domain.clock import ManualClock
from bot.i18n import translator
from bot.services import setup
from bot.store import Store
from bot.store.db import Database
from tests.e2e.harness import running
from tests.e2e.steps import fragment, invite, register
from tests.fakebot import BotMessage, FakeBotAPI, FakeUser

SECRETARIAT, OFFICER = 8001, 8002
SNOW = "Valilik kararı: kar yağışı"
t = translator("en")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
async def token(db_path: Path, clock: ManualClock) -> str:
    """Gaziantep set up on the bot's own clock, so its first link is valid on that clock."""
    async with Database(db_path) as db:
        done = await setup.init_province(Store(db), clock, "Gaziantep", 420_000)
    return done.token


async def _menu(user: FakeUser) -> BotMessage:
    return await user.expect(t("Administrative leave days — {province}").format(
        province="Gaziantep"))


async def _add_march_snow(secretariat: FakeUser) -> None:
    await secretariat.command("leave")
    await secretariat.press(t("➕ Add"), await _menu(secretariat))
    await secretariat.expect(fragment(t(
        "Type the day of leave as dd.mm.yyyy, or a range as dd.mm.yyyy-dd.mm.yyyy (at most "
        "{limit} days). For example: 05.01.2027-08.01.2027")))
    await secretariat.send_text("01.03.2027-05.03.2027")
    await secretariat.expect(t("Now type a short note")[:20])
    await secretariat.send_text(SNOW)
    preview = await secretariat.expect(t("New administrative leave — {province}").format(
        province="Gaziantep"))
    await secretariat.press(t("✅ Confirm"), preview)


async def test_secretariat_adds_lists_and_removes_leave(
    fake: FakeBotAPI, db_path: Path, token: str, clock: ManualClock
) -> None:
    secretariat = fake.user(SECRETARIAT, "Selin", language_code="en")
    async with running(fake, db_path, clock) as bot:
        await register(secretariat, token, "Selin Kaya", "Uzman", lang="en")
        await secretariat.command("leave")
        menu = await _menu(secretariat)
        assert t.ngettext("{n} day is entered for this year and later.",
                          "{n} days are entered for this year and later.", 0).format(n=0) \
            in (menu.text or "")
        await secretariat.press(t("➕ Add"), menu)
        await secretariat.expect("dd.mm.yyyy-dd.mm.yyyy")

        # bad input: explained, asked again, nothing lost
        await secretariat.send_text("32.13.2027")
        await secretariat.expect(t("I could not read this as a date.")[:25])
        await secretariat.send_text("05.03.2027-01.03.2027")
        await secretariat.expect(t("This range ends before it starts.")[:25])
        await secretariat.send_text("01.03.2027-29.04.2027")  # 60 days
        await secretariat.expect(t(
            "One entry can cover at most {limit} days. Please enter a longer leave in parts."
        ).format(limit=31))
        await secretariat.send_text("06.03.2027-07.03.2027")
        await secretariat.expect(t("Every day of this is a weekend or an official holiday")[:30])
        await secretariat.send_photo()
        await secretariat.expect(t("Please answer with a text message."))
        await secretariat.send_text("01.03.2027-05.03.2027")
        await secretariat.expect(t("Now type a short note")[:20])
        await bot.restart()  # the flow resumes where it was
        await secretariat.send_text(SNOW)
        preview = await secretariat.expect(t("New administrative leave — {province}").format(
            province="Gaziantep"))
        text = preview.text or ""
        assert t("Dates: {range}").format(
            range="1 March 2027 Monday – 5 March 2027 Friday") in text
        assert t.ngettext("{n} working day becomes a leave day.",
                          "{n} working days become leave days.", 5).format(n=5) in text
        assert SNOW in text
        await secretariat.press(t("✅ Confirm"), preview)
        saved = await secretariat.expect(t.ngettext(
            "Saved: {n} day of administrative leave ({range}).",
            "Saved: {n} days of administrative leave ({range}).", 5).format(
            n=5, range="1 March 2027 Monday – 5 March 2027 Friday"))
        saved_text = saved.text or ""
        assert "Gaziantep Sub-commission, March 2027 (Art. 6(9))" in saved_text
        assert "suggested date 8 March 2027 Monday (was 1 March 2027 Monday)" in saved_text
        assert t(WARNING_LABELS[CalendarWarning.MOVED_AFTER_FIRST_WEEK]) in saved_text
        menu = await _menu(secretariat)
        # the old preview's button does nothing any more
        await secretariat.press(t("✅ Confirm"), preview)
        assert "no longer active" in str((await secretariat.answer()).get("text"))

        # list
        await secretariat.press(t("📋 List"), menu)
        listing = await secretariat.expect(t("Administrative leave days"))
        run = t.ngettext("{range} ({n} day): {note}", "{range} ({n} days): {note}", 5).format(
            range="1 March 2027 Monday – 5 March 2027 Friday", n=5, note=SNOW)
        assert run in (listing.text or "")

        # remove: pick from the list, confirm
        menu = await _menu(secretariat)
        await secretariat.press(t("🗑 Remove"), menu)
        picker = await secretariat.expect(t("Which leave do you want to remove?"))
        await secretariat.press("1 March 2027 Monday", picker)
        confirm = await secretariat.expect(t("Remove this administrative leave?\n{leave}")
                                           .split("\n")[0])
        assert SNOW in (confirm.text or "")
        await secretariat.press(t("🗑 Remove"), confirm)
        removed = await secretariat.expect(fragment(t.ngettext(
            "Removed: {n} day of administrative leave ({range}).",
            "Removed: {n} days of administrative leave ({range}).", 5), n="5"))
        assert "window 1 March 2027 Monday – 5 March 2027 Friday" in (removed.text or "")
        await _menu(secretariat)
        await secretariat.command("cancel")
        await secretariat.expect(t("Done."))

    async with Database(db_path) as db:
        store = Store(db)
        province = await store.councils.province_by_name("Gaziantep")
        assert province is not None
        assert await store.leave.days(province.id) == []
        entries = await store.audit.entries(f"province:{province.id}")
        leave = [e for e in entries if e.action.startswith("leave.")]
        assert [e.action for e in leave] == ["leave.remove", "leave.add"]
        assert leave[1].details["after"]["days"] == [f"2027-03-0{d}" for d in range(1, 6)]
        assert leave[0].details["before"]["days"] == leave[1].details["after"]["days"]
        assert leave[1].actor_id == leave[0].actor_id is not None


async def test_calendar_shows_windows_deadlines_and_leave(
    fake: FakeBotAPI, db_path: Path, token: str, clock: ManualClock
) -> None:
    secretariat = fake.user(SECRETARIAT, "Selin", language_code="en")
    async with running(fake, db_path, clock):
        await register(secretariat, token, "Selin Kaya", "Uzman", lang="en")
        await _add_march_snow(secretariat)
        await _menu(secretariat)
        await secretariat.command("cancel")
        await secretariat.expect(t("Done."))

        await secretariat.command("calendar")
        picker = await secretariat.expect(t("Which council?"))
        sub_title = t("{name} Sub-commission").format(name="Gaziantep")
        await secretariat.press(sub_title, picker)
        sub = await secretariat.expect(sub_title)
        text = sub.text or ""
        assert t("Ordinary meetings of this and the next quarter, as of {today}.").format(
            today="1 December 2026 Tuesday") in text
        # December: open now; March: moved by the leave to Monday 8 March
        assert "December 2026 (Art. 6(9)) — " + t("open now") in text
        assert "March 2027 (Art. 6(9)) — " + t("upcoming") in text
        assert t("Suggested date: {date}").format(date="8 March 2027 Monday") in text
        assert t(WARNING_LABELS[CalendarWarning.MOVED_AFTER_FIRST_WEEK]) in text
        notice = t(DEADLINE_LABELS[DeadlineCode.NOTICE])
        assert f"5 March 2027 Friday — {notice} (Art. 11(4))" in text
        # a deadline on a day off gets its warning line
        assert t("{deadline}: {date} is not a full working day ({day}); "
                 "plan for the working day before.").format(
            deadline=notice, date="5 March 2027 Friday", day=t("administrative leave")) in text
        assert t("Administrative leave days counted:") in text
        assert t.ngettext("{range} ({n} day): {note}", "{range} ({n} days): {note}", 5).format(
            range="1 March 2027 Monday – 5 March 2027 Friday", n=5, note=SNOW) in text

        # every council at once
        await secretariat.command("calendar")
        picker = await secretariat.expect(t("Which council?"))
        await secretariat.press(t("All councils"), picker)
        provincial = await secretariat.expect(
            t("{name} Provincial Migration Coordination Council").format(name="Gaziantep"))
        text = provincial.text or ""
        assert "January 2027 (Art. 7(1)) — " + t("upcoming") in text
        assert t("Window: {range}").format(
            range="1 January 2027 Friday – 31 January 2027 Sunday") in text
        assert t("Suggested date: {date}").format(date="18 January 2027 Monday") in text
        proposals = t(DEADLINE_LABELS[DeadlineCode.AGENDA_PROPOSALS])
        assert f"3 January 2027 Sunday — {proposals} (Art. 10(2))" in text
        await secretariat.expect(sub_title)


async def test_a_liaison_officer_is_refused_politely(
    fake: FakeBotAPI, db_path: Path, token: str, clock: ManualClock
) -> None:
    secretariat = fake.user(SECRETARIAT, "Selin", language_code="en")
    officer = fake.user(OFFICER, "Okan", language_code="en")
    async with running(fake, db_path, clock):
        await register(secretariat, token, "Selin Kaya", "Uzman", lang="en")
        provincial = t("{name} Provincial Migration Coordination Council").format(
            name="Gaziantep")
        link = await invite(secretariat, provincial, t("Liaison officer (principal)"),
                            "İl Sağlık Müdürlüğü", lang="en")
        await register(officer, link, "Okan Demir", "Şube Müdürü", lang="en")

        await officer.command("leave")
        await officer.expect(t("You are not authorised to do this."))
        await officer.command("calendar")
        await officer.expect(t("You are not authorised to do this."))
        await officer.command("help")
        help_text = (await officer.expect("/help")).text or ""
        assert "/leave" not in help_text and "/calendar" not in help_text
        # a forged button for the provincial council's calendar changes nothing
        await officer.press_data("cal:c:1", officer.last_message().message_id)
        answered = await officer.answer()
        assert answered.get("text") == t("You are not authorised to do this.")
        await fake.wait_idle()
        officer.assert_no_reply()
