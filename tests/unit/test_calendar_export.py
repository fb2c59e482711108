"""The calendar as documents (JSON, CSV, ICS, text in Turkish and English) and
``python -m bot calendar`` run in this process through `bot.__main__.execute`."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

from icalendar import Calendar

from bot.__main__ import execute
from bot.documents import calendar_export as export
from bot.domain.calendar import DeadlineCode
from bot.domain.models import CouncilKind
from bot.i18n import translator
from bot.services import calendar as service
from bot.store import Store
from bot.store.db import Database

D = date
STAMP = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
KEYS = {"council", "kind", "period", "window_start", "window_end", "suggested_date",
        "late_limit", "deadlines", "warnings"}
DEADLINE_KEYS = {"agenda_proposals", "notice", "minutes_distribution", "platform_entry"}


def _subcommission_2027_with_snow() -> list[export.CalendarEntry]:
    return service.adhoc_calendar(CouncilKind.SUBCOMMISSION, 2027, 420_000, False,
                                  service.days_of(D(2027, 3, 1), D(2027, 3, 5)))


# --- JSON -----------------------------------------------------------------------------------


def test_json_has_exactly_the_documented_shape() -> None:
    entries = [
        *service.adhoc_calendar(CouncilKind.PROVINCIAL, 2027, 420_000, False),
        *service.adhoc_calendar(CouncilKind.DISTRICT, 2027, 2_500, False),
        *_subcommission_2027_with_snow(),
    ]
    records = json.loads(export.render_json(entries))
    assert len(records) == 4 + 2 + 4
    for record in records:
        assert set(record) == KEYS and set(record["deadlines"]) == DEADLINE_KEYS
        assert isinstance(record["warnings"], list)
    january = records[0]
    assert january == {
        "council": None,
        "kind": "provincial",
        "period": "2027-01",
        "window_start": "2027-01-01",
        "window_end": "2027-01-31",
        "suggested_date": "2027-01-18",
        "late_limit": None,
        "deadlines": {"agenda_proposals": "2027-01-03", "notice": "2027-01-13",
                      "minutes_distribution": "2027-02-02", "platform_entry": "2027-01-31"},
        # 3 January and 31 January 2027 are Sundays
        "warnings": ["agenda_proposals_on_weekend", "platform_entry_on_weekend"],
    }
    district = records[4]
    assert district["period"] == "2027-H1" and district["late_limit"] == "2027-04-30"
    march = next(r for r in records if r["kind"] == "subcommission" and r["period"] == "2027-03")
    assert march["window_start"] == march["suggested_date"] == "2027-03-08"
    # Art. 10 and 12(6): no agenda proposals and no minutes distribution for the sub-commission
    assert march["deadlines"]["agenda_proposals"] is None
    assert march["deadlines"]["minutes_distribution"] is None
    assert march["deadlines"]["notice"] == "2027-03-05"
    assert march["warnings"][:3] == ["moved_after_first_week", "half_day_in_window",
                                     "suggested_half_day"]
    assert "notice_on_leave" in march["warnings"]


def test_json_of_one_meeting_has_the_date_and_no_window() -> None:
    [record] = json.loads(export.render_json(
        service.meeting_calendar(CouncilKind.DISTRICT, D(2027, 2, 16))))
    assert record["suggested_date"] == "2027-02-16"
    assert record["period"] is record["window_start"] is record["late_limit"] is None
    assert record["deadlines"]["minutes_distribution"] == "2027-03-03"


# --- CSV ------------------------------------------------------------------------------------


def test_csv_header_and_rows() -> None:
    text = export.render_csv(_subcommission_2027_with_snow())
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["council", "kind", "period", "window_start", "window_end",
                       "suggested_date", "late_limit", "agenda_proposals", "notice",
                       "minutes_distribution", "platform_entry", "warnings"]
    assert len(rows) == 5
    march = dict(zip(rows[0], rows[1], strict=True))
    assert march["period"] == "2027-03" and march["suggested_date"] == "2027-03-08"
    assert march["council"] == march["late_limit"] == march["agenda_proposals"] == ""
    assert march["warnings"].split(";")[0] == "moved_after_first_week"


# --- ICS ------------------------------------------------------------------------------------


def test_ics_parses_back_with_one_all_day_event_per_window() -> None:
    entries = service.adhoc_calendar(CouncilKind.PROVINCIAL, 2027, 420_000, False)
    t = translator("en")
    raw = export.render_ics(t, entries, STAMP)
    parsed = Calendar.from_ical(raw)
    events = list(parsed.walk("VEVENT"))
    assert len(events) == 4
    first = events[0]
    assert first.decoded("dtstart") == D(2027, 1, 18)
    assert first.decoded("dtend") == D(2027, 1, 19)
    assert str(first["uid"]) == "kurul-provincial-2027-01@kurul"
    assert "January 2027" in str(first["summary"])
    description = str(first["description"])
    assert "Window: 1 January 2027 Friday – 31 January 2027 Sunday" in description
    assert "13 January 2027 Wednesday — Notice of day, place and time" in description
    # UIDs do not depend on when the file was made: a re-import updates the events
    later = Calendar.from_ical(export.render_ics(t, entries, datetime(2027, 5, 1, tzinfo=UTC)))
    assert [str(e["uid"]) for e in later.walk("VEVENT")] == [str(e["uid"]) for e in events]
    assert len({str(e["uid"]) for e in events}) == 4


def test_ics_uid_names_the_council_from_the_database() -> None:
    [entry] = service.adhoc_calendar(CouncilKind.PROVINCIAL, 2027, 5_000, False)[:1]
    named = export.CalendarEntry(entry.kind, "Kilis", 7, entry.window, entry.deadlines)
    event = next(iter(Calendar.from_ical(export.render_ics(
        translator("tr"), [named], STAMP)).walk("VEVENT")))
    assert str(event["uid"]) == "kurul-council-7-2027-01@kurul"


# --- text -----------------------------------------------------------------------------------


def test_text_in_turkish_and_english() -> None:
    entries = _subcommission_2027_with_snow()
    for lang, suggested, window in [
        ("tr", "8 Mart 2027 Pazartesi", "1 Haziran 2027 Salı – 7 Haziran 2027 Pazartesi"),
        ("en", "8 March 2027 Monday", "1 June 2027 Tuesday – 7 June 2027 Monday"),
    ]:
        t = translator(lang)
        text = export.render_text(t, entries)
        assert text.startswith(t("Sub-commission") + "\n")
        assert t("Suggested date: {date}").format(date=suggested) in text
        assert t("Window: {range}").format(range=window) in text
        assert t(export.DEADLINE_LABELS[DeadlineCode.NOTICE]) in text
        assert t(export.WARNING_LABELS[export.CalendarWarning.MOVED_AFTER_FIRST_WEEK]) in text
        assert t.article("Art. 6(9)") in text and t.article("Art. 11(4)") in text
    assert "Mart 2027 (Madde 6/9)" in export.render_text(translator("tr"), entries)
    assert "March 2027 (Art. 6(9))" in export.render_text(translator("en"), entries)


def test_text_names_a_districts_two_month_window_and_late_limit() -> None:
    entries = service.adhoc_calendar(CouncilKind.DISTRICT, 2027, 100, True)
    text = export.render_text(translator("en"), entries)
    assert "February – March 2027 (Art. 8(1))" in text
    assert "30 April 2027 Friday (Art. 8(3))" in text
    named = [export.CalendarEntry(e.kind, "Kilis", 3, e.window, e.deadlines) for e in entries]
    t = translator("tr")
    heading = t("{name} District Migration Coordination Council").format(name="Kilis")
    assert export.render_text(t, named).startswith(heading + "\n")


# --- the command line ---------------------------------------------------------------------


async def _cli(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = await execute(["calendar", *args], env)
    return code, out.getvalue(), err.getvalue()


async def test_cli_ad_hoc_without_a_database(tmp_path: Path) -> None:
    env = {"BOT_DB_PATH": str(tmp_path / "none.db")}
    code, out, err = await _cli(["--year", "2027", "--kind", "subcommission",
                                 "--foreign-population", "420000",
                                 "--leave", "2027-03-01..2027-03-04", "--leave", "2027-03-05",
                                 "--format", "json"], env)
    assert code == 0, err
    records = json.loads(out)
    assert [r["suggested_date"] for r in records] == [
        "2027-03-08", "2027-06-01", "2027-09-01", "2027-12-01"]
    assert not (tmp_path / "none.db").exists()
    # Turkish text by default
    code, out, _ = await _cli(["--year", "2027", "--kind", "provincial",
                               "--foreign-population", "5000"], env)
    assert code == 0 and "18 Ocak 2027 Pazartesi" in out and "Temmuz 2027" in out
    code, out, _ = await _cli(["--year", "2027", "--kind", "district",
                               "--foreign-population", "100", "--format", "csv"], env)
    assert code == 0 and out.splitlines() == [",".join(export.CSV_FIELDS)]


async def test_cli_deadlines_of_one_meeting(tmp_path: Path) -> None:
    env = {"BOT_DB_PATH": str(tmp_path / "none.db")}
    code, out, _ = await _cli(["--kind", "subcommission", "--date", "2027-06-01",
                               "--lang", "en"], env)
    assert code == 0
    assert "Meeting on 1 June 2027 Tuesday" in out
    assert "29 May 2027 Saturday — Notice of day, place and time to the members (Art. 11(4))" \
        in out
    code, out, _ = await _cli(["--kind", "provincial", "--date", "2027-01-18",
                               "--format", "ics"], env)
    assert code == 0
    [event] = Calendar.from_ical(out.encode()).walk("VEVENT")
    assert event.decoded("dtstart") == D(2027, 1, 18)


async def test_cli_reads_every_council_and_its_leave_from_the_database(tmp_path: Path) -> None:
    db_path = tmp_path / "kurul.db"
    env = {"BOT_DB_PATH": str(db_path)}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert await execute(["init", "--province", "Gaziantep", "--foreign-population",
                              "420000", "--bot-username", "kurul_bot"], env) == 0
        assert await execute(["init", "--province", "Kilis", "--foreign-population", "9000",
                              "--bot-username", "kurul_bot"], env) == 0
        assert await execute(["district", "add", "--province", "Gaziantep", "--name",
                              "Karkamış", "--foreign-population", "300", "--border"], env) == 0
    async with Database(db_path) as db:
        store = Store(db)
        province = await store.councils.province_by_name("Gaziantep")
        assert province is not None
        await store.leave.add_days(province.id, service.days_of(D(2027, 3, 1), D(2027, 3, 5)),
                                   "kar", None, STAMP)

    code, text, err = await _cli(["--year", "2027", "--province", "Gaziantep",
                                  "--format", "json"], env)
    assert code == 0, err
    records = json.loads(text)
    assert {(r["council"], r["kind"]) for r in records} == {
        ("Gaziantep", "provincial"), ("Gaziantep", "subcommission"), ("Karkamış", "district")}
    march = next(r for r in records if r["period"] == "2027-03")
    assert march["suggested_date"] == "2027-03-08"  # Gaziantep's leave counted

    code, text, _ = await _cli(["--year", "2027", "--format", "csv"], env)
    rows = list(csv.DictReader(io.StringIO(text)))
    kilis = [r for r in rows if r["council"] == "Kilis"]
    # Kilis: under 10,000 — January and July councils, June and December sub-commissions;
    # Gaziantep's leave does not touch it.
    assert [(r["kind"], r["period"]) for r in kilis] == [
        ("provincial", "2027-01"), ("provincial", "2027-07"),
        ("subcommission", "2027-06"), ("subcommission", "2027-12")]

    code, text, _ = await _cli(["--year", "2027", "--province", "gaziantep", "--lang", "en"],
                               env)
    assert code == 0
    assert text.startswith("Gaziantep Provincial Migration Coordination Council\n")
    assert "Karkamış District Migration Coordination Council" in text


async def test_cli_explains_bad_arguments(tmp_path: Path) -> None:
    env = {"BOT_DB_PATH": str(tmp_path / "none.db")}
    for args in (["--kind", "provincial", "--year", "2027"],  # no population
                 ["--year", "2027", "--foreign-population", "5"],  # no kind
                 ["--date", "2027-01-18"],  # no kind
                 ["--province", "Kilis"]):  # no year
        code, _, err = await _cli(args, env)
        assert code == 2 and "error: use --year" in err, args
    code, _, err = await _cli(["--year", "2027", "--kind", "provincial",
                               "--foreign-population", "5", "--leave", "2027-03-05..2027-03-01"],
                              env)
    assert code == 2 and "--leave 2027-03-05..2027-03-01: end before start" in err
    code, _, err = await _cli(["--kind", "provincial", "--date", "18.01.2027"], env)
    assert code == 2 and "not a date" in err
    code, _, err = await _cli(["--year", "2027"], env)
    assert code == 2 and "no database" in err
    assert not (tmp_path / "none.db").exists()
    db_env = {"BOT_DB_PATH": str(tmp_path / "kurul.db")}
    async with Database(tmp_path / "kurul.db"):
        pass
    code, _, err = await _cli(["--year", "2027", "--province", "Kilis"], db_env)
    assert code == 1 and "no province named 'Kilis'" in err
