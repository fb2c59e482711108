"""The meeting calendar as documents: plain text, JSON, CSV and iCalendar.

This module owns how a list of `CalendarEntry` (one ordinary meeting window, or one meeting
date, with the deadlines computed for it) is written out, and the translatable labels of the
calendar's codes (warnings, deadlines, kinds of council) that the bot's messages reuse.

JSON and CSV carry codes and ISO dates only, so they read the same in every language; text and
ICS are written through a `Translator` (dates as officials write them, ``14 Ocak 2027
Perşembe``). The rules that produce the dates live in `bot.domain.calendar`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from babel.dates import format_date

from bot.domain.calendar import (
    CalendarWarning,
    Deadline,
    DeadlineCode,
    MeetingDeadlines,
    MeetingWindow,
)
from bot.domain.models import CouncilKind
from bot.domain.workdays import DayKind
from bot.i18n import N_, Translator

__all__ = [
    "CSV_FIELDS",
    "DAY_KIND_LABELS",
    "DEADLINE_LABELS",
    "EXPORTED_DEADLINES",
    "FORMATS",
    "WARNING_LABELS",
    "CalendarEntry",
    "council_title",
    "entry_lines",
    "period_label",
    "render",
    "render_csv",
    "render_ics",
    "render_json",
    "render_text",
    "warning_texts",
]

FORMATS = ("text", "json", "csv", "ics")

# The deadlines exported as JSON/CSV fields. Agenda preparation starts on the day proposals are
# due (Art. 10(1), 10(2)) and a district's minutes go to the province on the day they go to the
# members (Art. 12(4), 12(5)), so those two add no date of their own; text and ICS show all six.
EXPORTED_DEADLINES = (
    DeadlineCode.AGENDA_PROPOSALS,
    DeadlineCode.NOTICE,
    DeadlineCode.MINUTES_DISTRIBUTION,
    DeadlineCode.PLATFORM_ENTRY,
)
CSV_FIELDS = (
    "council",
    "kind",
    "period",
    "window_start",
    "window_end",
    "suggested_date",
    "late_limit",
    *(code.value for code in EXPORTED_DEADLINES),
    "warnings",
)

# The same msgids as the council names in bot/handlers/labels.py: translated once.
COUNCIL_TITLES = {
    CouncilKind.PROVINCIAL: N_("{name} Provincial Migration Coordination Council"),
    CouncilKind.DISTRICT: N_("{name} District Migration Coordination Council"),
    CouncilKind.SUBCOMMISSION: N_("{name} Sub-commission"),
}
# A council without a name: an ad hoc calculation from the command line.
KIND_LABELS = {
    CouncilKind.PROVINCIAL: N_("Provincial council"),
    CouncilKind.DISTRICT: N_("District council"),
    CouncilKind.SUBCOMMISSION: N_("Sub-commission"),
}
DEADLINE_LABELS = {
    DeadlineCode.AGENDA_PREPARATION: N_("Agenda preparation starts"),
    DeadlineCode.AGENDA_PROPOSALS: N_("Agenda proposals of the institutions due"),
    DeadlineCode.NOTICE: N_("Notice of day, place and time to the members"),
    DeadlineCode.MINUTES_DISTRIBUTION: N_("Signed minutes sent to the member institutions"),
    DeadlineCode.DISTRICT_MINUTES_TO_PROVINCE: N_("Minutes sent to the provincial directorate"),
    DeadlineCode.PLATFORM_ENTRY: N_("Minutes entered on the Presidency's platform"),
}
WARNING_LABELS = {
    CalendarWarning.HALF_DAY_IN_WINDOW: N_(
        "A day of the window is a half day (arife or 28 October): the afternoon is off."
    ),
    CalendarWarning.FIRST_WEEK_PARTLY_OFF: N_(
        "Part of the first week is an official holiday or administrative leave, so the window "
        "is shorter than usual (Art. 6(9))."
    ),
    CalendarWarning.MOVED_AFTER_FIRST_WEEK: N_(
        "No working day is left in the first week: the sub-commission meets on the first "
        "working day after it (Art. 6(9))."
    ),
    CalendarWarning.SUGGESTED_HALF_DAY: N_(
        "The suggested date is a half day: the window has no full working day."
    ),
    CalendarWarning.NO_WORKING_DAY_IN_WINDOW: N_(
        "The window has no working day at all; the suggested date is the first working day "
        "after it."
    ),
    CalendarWarning.MEETING_ON_WEEKEND: N_("The meeting date falls on a weekend."),
    CalendarWarning.MEETING_ON_HOLIDAY: N_("The meeting date is an official holiday."),
    CalendarWarning.MEETING_ON_LEAVE: N_("The meeting date is an administrative leave day."),
    CalendarWarning.MEETING_ON_HALF_DAY: N_("The meeting date is a half day."),
}
DAY_KIND_LABELS = {
    DayKind.WORKING: N_("working day"),
    DayKind.HALF_DAY: N_("half day"),
    DayKind.WEEKEND: N_("weekend"),
    DayKind.HOLIDAY: N_("official holiday"),
    DayKind.LEAVE: N_("administrative leave"),
}

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One line of a calendar: an ordinary meeting window with the deadlines computed for its
    suggested date, or (``window`` None) the deadlines of one given meeting date.

    `council` is the council's name (the province's, or the district's), None for an ad hoc
    calculation; `council_id` keeps ICS UIDs stable across runs.
    """

    kind: CouncilKind
    council: str | None
    council_id: int | None
    window: MeetingWindow | None
    deadlines: MeetingDeadlines

    @property
    def meeting_date(self) -> date:
        return self.deadlines.meeting_date

    def deadline(self, code: DeadlineCode) -> Deadline | None:
        found: Deadline | None = getattr(self.deadlines, code.value)
        return found

    @property
    def warnings(self) -> tuple[str, ...]:
        """Warning codes: the window's and the meeting day's (`CalendarWarning` values), then
        ``<deadline>_on_<day kind>`` for each exported deadline that is not a full working day.
        """
        codes: list[str] = []
        if self.window is not None:
            codes += self.window.warnings
        for warning in self.deadlines.warnings:
            # The suggested date is always a working day; on a half day the window already
            # says so (SUGGESTED_HALF_DAY).
            if warning is CalendarWarning.MEETING_ON_HALF_DAY and self.window is not None and (
                CalendarWarning.SUGGESTED_HALF_DAY in self.window.warnings
            ):
                continue
            codes.append(warning)
        for code in EXPORTED_DEADLINES:
            deadline = self.deadline(code)
            if deadline is not None and deadline.warning:
                codes.append(f"{code.value}_on_{deadline.day_kind.value}")
        return tuple(dict.fromkeys(str(c) for c in codes))


# --- labels ----------------------------------------------------------------------------------


def council_title(t: Translator, kind: CouncilKind, name: str | None) -> str:
    if name is None:
        return t(KIND_LABELS[kind])
    return t(COUNCIL_TITLES[kind]).format(name=name)


def _month_year(t: Translator, year: int, month: int) -> str:
    # "LLLL": the stand-alone month name ("Ocak", not the genitive some languages use in dates).
    return format_date(date(year, month, 1), "LLLL y", locale=t.locale)


def period_label(t: Translator, window: MeetingWindow) -> str:
    """``Ocak 2027`` for a month's window, ``Şubat – Mart 2027`` for a district's."""
    if window.kind is CouncilKind.DISTRICT:
        first = format_date(window.window_start, "LLLL", locale=t.locale)
        return f"{first} – {_month_year(t, window.window_end.year, window.window_end.month)}"
    year, month = window.period.split("-")
    return _month_year(t, int(year), int(month))


def _range(t: Translator, start: date, end: date) -> str:
    return t.date(start) if start == end else f"{t.date(start)} – {t.date(end)}"


def warning_texts(t: Translator, entry: CalendarEntry) -> list[str]:
    """Every warning of an entry as a sentence, deadline days included."""
    texts: list[str] = []
    for code in entry.warnings:
        if code in WARNING_LABELS:
            texts.append(t(WARNING_LABELS[CalendarWarning(code)]))
    for code in EXPORTED_DEADLINES:
        deadline = entry.deadline(code)
        if deadline is not None and deadline.warning:
            texts.append(t("{deadline}: {date} is not a full working day ({day}); "
                           "plan for the working day before.").format(
                deadline=t(DEADLINE_LABELS[code]), date=t.date(deadline.due),
                day=t(DAY_KIND_LABELS[deadline.day_kind])))
    return texts


def entry_lines(t: Translator, entry: CalendarEntry) -> list[str]:
    """An entry as plain lines: heading, window, suggested date, deadlines, warnings."""
    window = entry.window
    lines: list[str] = []
    if window is not None:
        lines.append(t("{period} ({article})").format(
            period=period_label(t, window), article=t.article(window.article)))
        lines.append("  " + t("Window: {range}").format(
            range=_range(t, window.window_start, window.window_end)))
        lines.append("  " + t("Suggested date: {date}").format(date=t.date(window.suggested_date)))
        if window.late_limit is not None:
            lines.append("  " + t("At the latest, if not held in the window: {date} ({article})")
                         .format(date=t.date(window.late_limit),
                                 article=t.article(window.late_limit_article or "")))
        lines.append("  " + t("Deadlines for the suggested date:"))
    else:
        lines.append(t("Meeting on {date}").format(date=t.date(entry.meeting_date)))
        lines.append("  " + t("Deadlines:"))
    for deadline in entry.deadlines.in_order():
        lines.append("    " + t("{date} — {deadline} ({article})").format(
            date=t.date(deadline.due), deadline=t(DEADLINE_LABELS[deadline.code]),
            article=t.article(deadline.article)))
    lines += ["  ⚠ " + text for text in warning_texts(t, entry)]
    return lines


# --- formats ---------------------------------------------------------------------------------


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _record(entry: CalendarEntry) -> dict[str, Any]:
    window = entry.window
    deadlines: dict[str, str | None] = {}
    for code in EXPORTED_DEADLINES:
        deadline = entry.deadline(code)
        deadlines[code.value] = _iso(deadline.due) if deadline is not None else None
    return {
        "council": entry.council,
        "kind": entry.kind.value,
        "period": window.period if window else None,
        "window_start": _iso(window.window_start) if window else None,
        "window_end": _iso(window.window_end) if window else None,
        # For a single meeting (no window) the date the deadlines were computed for.
        "suggested_date": _iso(window.suggested_date if window else entry.meeting_date),
        "late_limit": _iso(window.late_limit) if window else None,
        "deadlines": deadlines,
        "warnings": list(entry.warnings),
    }


def render_json(entries: Iterable[CalendarEntry]) -> str:
    return json.dumps([_record(e) for e in entries], ensure_ascii=False, indent=2) + "\n"


def render_csv(entries: Iterable[CalendarEntry]) -> str:
    """One row per meeting; empty cells where JSON has null; warnings joined with ``;``."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for entry in entries:
        record = _record(entry)
        deadlines = record.pop("deadlines")
        flat = {**record, **deadlines, "warnings": ";".join(record["warnings"])}
        writer.writerow(["" if flat[f] is None else flat[f] for f in CSV_FIELDS])
    return out.getvalue()


def render_text(t: Translator, entries: Sequence[CalendarEntry]) -> str:
    """Grouped by council, a heading for each; one block per window."""
    lines: list[str] = []
    current: tuple[CouncilKind, str | None, int | None] | None = None
    for entry in entries:
        key = (entry.kind, entry.council, entry.council_id)
        if key != current:
            if lines:
                lines.append("")
            heading = council_title(t, entry.kind, entry.council)
            lines += [heading, "=" * len(heading)]
            current = key
        else:
            lines.append("")
        lines += entry_lines(t, entry)
    if not entries:
        lines.append(t("No ordinary meeting falls in this period."))
    return "\n".join(lines) + "\n"


def _uid(entry: CalendarEntry) -> str:
    # Stable across runs so that a calendar application updates the event instead of adding
    # a copy: the council's id when it comes from the database, else its kind.
    owner = f"council-{entry.council_id}" if entry.council_id is not None else entry.kind.value
    if entry.window is not None:
        return f"kurul-{owner}-{entry.window.period}@kurul"
    return f"kurul-{owner}-meeting-{entry.meeting_date.isoformat()}@kurul"


def render_ics(t: Translator, entries: Iterable[CalendarEntry], stamp: datetime) -> bytes:
    """One all-day event per window on its suggested date; the description carries the window
    and the deadlines. `stamp` (an aware instant) is every event's DTSTAMP."""
    # Imported here: only ICS needs the package, and the bot imports this module at start-up.
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Kurul//Migration Coordination Councils//TR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", t("Meeting calendar"))
    for entry in entries:
        title = council_title(t, entry.kind, entry.council)
        event = Event()
        event.add("uid", _uid(entry))
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.meeting_date)
        event.add("dtend", entry.meeting_date + _ONE_DAY)
        if entry.window is not None:
            summary = t("{council}: ordinary meeting, {period}").format(
                council=title, period=period_label(t, entry.window))
        else:
            summary = t("{council}: meeting").format(council=title)
        event.add("summary", summary)
        event.add("description", "\n".join(line.strip() for line in entry_lines(t, entry)))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()


def render(fmt: str, t: Translator, entries: Sequence[CalendarEntry], stamp: datetime) -> str:
    """The document in one of `FORMATS`, as text (ICS with its CRLF line ends)."""
    if fmt == "json":
        return render_json(entries)
    if fmt == "csv":
        return render_csv(entries)
    if fmt == "ics":
        return render_ics(t, entries, stamp).decode("utf-8")
    if fmt == "text":
        return render_text(t, entries)
    raise ValueError(f"unknown format {fmt!r}")
