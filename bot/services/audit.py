"""Reading the audit trail (`/audit`): the secretariat's own scope, filtered by period, kind of
change and person, in pages, rendered in the reader's language and the province's time zone.

Scope: a provincial secretariat reads every entry of its province (the province's own
settings included); any other secretariat the entries of its councils. Entries are scoped
when written (``bot/store/audit.py``), so the filter is one indexed query.
"""

from __future__ import annotations

import asyncio
import enum
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.documents import audit_export
from bot.documents.audit_export import ExportRow
from bot.domain.clock import Clock
from bot.domain.permissions import Grant, Permission, Reach, Target, allowed
from bot.i18n import N_, Translator
from bot.services.access import reachable_councils, require
from bot.store import Store
from bot.store.audit import AuditEntry, AuditQuery

PAGE_SIZE = 5
EXPORT_LIMIT = 20_000
VALUE_MAX = 80   # characters of one value shown in a chat; the export keeps them whole


class Period(enum.StrEnum):
    TODAY = "d"
    WEEK = "w"
    MONTH = "m"
    ALL = "a"


PERIOD_LABELS = {
    Period.TODAY: N_("Today"),
    Period.WEEK: N_("Last 7 days"),
    Period.MONTH: N_("Last 30 days"),
    Period.ALL: N_("All time"),
}
_PERIOD_DAYS = {Period.TODAY: 0, Period.WEEK: 6, Period.MONTH: 29}


class Kind(enum.StrEnum):
    PEOPLE = "people"
    MEETINGS = "meetings"
    AGENDA = "agenda"
    DECISIONS = "decisions"
    SETTINGS = "settings"
    MESSAGES = "messages"


KIND_PREFIXES: dict[Kind, tuple[str, ...]] = {
    Kind.PEOPLE: ("person.", "role.", "invite.", "liaison.", "member."),
    Kind.MEETINGS: ("meeting.", "council."),
    Kind.AGENDA: ("proposal.", "agenda."),
    Kind.DECISIONS: ("minutes.", "decision.", "progress."),
    Kind.SETTINGS: ("province.", "district.", "institution.", "leave.", "group."),
    Kind.MESSAGES: ("broadcast.",),
}
KIND_LABELS = {
    Kind.PEOPLE: N_("People and roles"),
    Kind.MEETINGS: N_("Meetings"),
    Kind.AGENDA: N_("Agenda"),
    Kind.DECISIONS: N_("Minutes and decisions"),
    Kind.SETTINGS: N_("Councils and settings"),
    Kind.MESSAGES: N_("Messages"),
}

ACTION_LABELS: dict[str, str] = {
    "person.register": N_("Registered"),
    "person.update": N_("Personal details changed"),
    "person.language": N_("Language changed"),
    "person.forget": N_("Personal data erased (KVKK)"),
    "role.grant": N_("Role granted"),
    "role.end": N_("Role ended"),
    "invite.create": N_("Invitation created"),
    "invite.revoke": N_("Invitation revoked"),
    "liaison.promote": N_("Substitute liaison officer promoted"),
    "member.away": N_("Member marked away"),
    "meeting.schedule": N_("Meeting scheduled"),
    "meeting.approve": N_("Meeting approved by the chair"),
    "meeting.propose": N_("Chair proposed another date"),
    "meeting.move": N_("Meeting moved"),
    "meeting.cancel": N_("Meeting cancelled"),
    "meeting.answer": N_("Answer to a notice"),
    "meeting.deputy": N_("Deputy answered"),
    "meeting.attendance": N_("Attendance marked"),
    "meeting.attendee": N_("Attendee added on the spot"),
    "meeting.checkin": N_("Check-in opened"),
    "council.chair_approval": N_("Chair's approval step changed"),
    "proposal.draft": N_("Agenda proposal drafted"),
    "proposal.edit": N_("Agenda proposal edited"),
    "proposal.attachment": N_("File attached to a proposal"),
    "proposal.attachments_removed": N_("Files removed from a proposal"),
    "proposal.submit": N_("Agenda proposal sent"),
    "proposal.withdraw": N_("Agenda proposal withdrawn"),
    "proposal.accepted": N_("Agenda proposal accepted"),
    "proposal.rejected": N_("Agenda proposal rejected"),
    "proposal.merged": N_("Agenda proposal merged"),
    "proposal.ask": N_("Question on a proposal"),
    "proposal.answer": N_("Question answered"),
    "proposal.reorder": N_("Agenda order changed"),
    "proposal.forward": N_("Item forwarded to the provincial council"),
    "agenda.publish": N_("Agenda published"),
    "minutes.open": N_("Minutes opened"),
    "minutes.section": N_("Minutes edited"),
    "minutes.addendum": N_("Addendum to the minutes"),
    "minutes.finalise": N_("Minutes finalised and sent"),
    "decision.add": N_("Decision recorded"),
    "progress.report": N_("Progress reported on a decision"),
    "province.init": N_("Province set up"),
    "district.add": N_("District council added"),
    "district.rename": N_("District council renamed"),
    "district.remove": N_("District council removed"),
    "institution.add": N_("Institution added"),
    "institution.rename": N_("Institution renamed"),
    "institution.remove": N_("Institution removed"),
    "leave.add": N_("Administrative leave added"),
    "leave.remove": N_("Administrative leave removed"),
    "broadcast.queue": N_("Message broadcast"),
    "group.added": N_("Bot added to a group"),
    "group.left": N_("Bot removed from a group"),
    "group.migrated": N_("Group became a supergroup"),
    "group.link": N_("Group linked to a council"),
    "group.unlink": N_("Group unlinked from a council"),
}

SUBJECT_LABELS = {
    "person": N_("person"),
    "role": N_("role"),
    "invite": N_("invitation"),
    "meeting": N_("meeting"),
    "proposal": N_("proposal"),
    "decision": N_("decision"),
    "council": N_("council"),
    "institution": N_("institution"),
    "province": N_("province"),
    "notice": N_("message"),
    "chat": N_("group"),
}

FIELD_LABELS = {
    "full_name": N_("name"),
    "name": N_("name"),
    "title": N_("title"),
    "phone": N_("phone"),
    "language": N_("language"),
    "status": N_("status"),
    "starts_at": N_("date and time"),
    "place": N_("place"),
    "reason": N_("reason"),
    "answer": N_("answer"),
    "excuse": N_("excuse"),
    "present": N_("present"),
    "role": N_("role"),
    "rank": N_("rank"),
    "active": N_("active"),
    "days": N_("days"),
    "note": N_("note"),
    "text": N_("text"),
    "description": N_("description"),
    "deadline": N_("deadline"),
    "version": N_("version"),
    "question": N_("question"),
    "institution": N_("institution"),
    "recipients": N_("recipients"),
    "group": N_("group"),
}


@dataclass(frozen=True, slots=True)
class Filters:
    period: Period = Period.ALL
    kind: Kind | None = None
    actor_id: int | None = None


@dataclass(frozen=True, slots=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class Line:
    """One entry as a reader sees it."""

    entry: AuditEntry
    when: str        # in the province's time zone, dd.mm.yyyy HH:MM
    who: str
    what: str
    subject: str
    changes: tuple[Change, ...]


@dataclass(frozen=True, slots=True)
class Page:
    lines: list[Line]
    total: int
    page: int
    pages: int


# --- scope and filters ------------------------------------------------------------------------


async def _zone(store: Store, grants: Sequence[Grant]) -> ZoneInfo:
    for province_id in sorted({g.province_id for g in grants}):
        province = await store.councils.province(province_id)
        if province is not None:
            return ZoneInfo(province.timezone)
    return ZoneInfo("Europe/Istanbul")


async def query(store: Store, clock: Clock, grants: list[Grant], filters: Filters) -> AuditQuery:
    """The reader's scope with the filters applied; refuses anyone without VIEW_AUDIT."""
    require(Permission.VIEW_AUDIT, grants)
    provinces = sorted({g.province_id for g in grants
                        if g.reach is Reach.PROVINCE
                        and allowed(Permission.VIEW_AUDIT, [g], Target(g.province_id))})
    councils = [c.id for c in await reachable_councils(store, grants, Permission.VIEW_AUDIT)
                if c.province_id not in provinces]
    since = None
    if filters.period is not Period.ALL:
        zone = await _zone(store, grants)
        today = clock.now().astimezone(zone).date()
        first = today - timedelta(days=_PERIOD_DAYS[filters.period])
        since = datetime.combine(first, time(0, 0), zone)
    return AuditQuery(province_ids=provinces, council_ids=councils, since=since,
                      action_prefixes=KIND_PREFIXES[filters.kind] if filters.kind else (),
                      actor_id=filters.actor_id)


async def page(store: Store, clock: Clock, grants: list[Grant], t: Translator,
               filters: Filters, number: int) -> Page:
    found = await query(store, clock, grants, filters)
    total = await store.audit.count(found)
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(max(number, 0), pages - 1)
    entries = await store.audit.search(found, PAGE_SIZE, number * PAGE_SIZE)
    zone = await _zone(store, grants)
    return Page([describe(e, t, zone) for e in entries], total, number, pages)


async def actors(store: Store, clock: Clock, grants: list[Grant],
                 filters: Filters) -> list[tuple[int, str, int]]:
    """Who made changes in the scope and period (whatever person is chosen now)."""
    found = await query(store, clock, grants, Filters(filters.period, filters.kind))
    return [(pid, name, n) for pid, name, n in await store.audit.actors(found) if name]


async def export(store: Store, clock: Clock, grants: list[Grant], t: Translator,
                 filters: Filters) -> list[Line]:
    """Every entry the filters find (up to EXPORT_LIMIT), values whole, for the files."""
    found = await query(store, clock, grants, filters)
    zone = await _zone(store, grants)
    return [describe(e, t, zone, whole=True)
            for e in await store.audit.search(found, EXPORT_LIMIT)]


# --- rendering --------------------------------------------------------------------------------


_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _moment(text: str, zone: ZoneInfo) -> str:
    """Instants stored in UTC read in the province's time zone; days as officials write them."""
    try:
        if _DAY.match(text):
            return f"{date.fromisoformat(text):%d.%m.%Y}"
        if _INSTANT.match(text):
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is not None:
                moment = moment.astimezone(zone)
            return f"{moment:%d.%m.%Y %H:%M}"
    except ValueError:
        pass
    return text


def _value(t: Translator, value: Any, zone: ZoneInfo, whole: bool) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    if isinstance(value, list):
        text = ", ".join(_value(t, v, zone, True) for v in value)
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = _moment(str(value), zone)
    if not whole and len(text) > VALUE_MAX:
        text = text[: VALUE_MAX - 1] + "…"
    return text


def changes_of(t: Translator, details: dict[str, Any], zone: ZoneInfo,
               whole: bool = False) -> list[Change]:
    """Field by field, what was before and what is after (a creation has nothing before)."""
    before, after = details.get("before"), details.get("after")
    if not isinstance(before, dict) and not isinstance(after, dict):
        if before == after:
            return []
        return [Change("", _value(t, before, zone, whole), _value(t, after, zone, whole))]
    old = before if isinstance(before, dict) else {}
    new = after if isinstance(after, dict) else {}
    keys = list(dict.fromkeys([*old, *new]))
    result = []
    for key in keys:
        if key in old and key in new and old[key] == new[key]:
            continue
        label = t(FIELD_LABELS[key]) if key in FIELD_LABELS else key
        result.append(Change(label, _value(t, old.get(key), zone, whole),
                             _value(t, new.get(key), zone, whole)))
    return result


def describe(entry: AuditEntry, t: Translator, zone: ZoneInfo, whole: bool = False) -> Line:
    local = entry.at.astimezone(zone)
    if entry.actor_id is None:
        who = t("the system")
    elif entry.actor_name:
        who = entry.actor_name
    else:
        who = t("an erased person")
    label = ACTION_LABELS.get(entry.action)
    kind, _, ident = entry.subject.partition(":")
    subject_label = SUBJECT_LABELS.get(kind)
    subject = f"{t(subject_label) if subject_label else kind} #{ident}" if ident else kind
    return Line(entry, f"{local:%d.%m.%Y %H:%M}", who, t(label) if label else entry.action,
                subject, tuple(changes_of(t, entry.details, zone, whole)))


# --- export -----------------------------------------------------------------------------------

EXPORT_HEADERS = (N_("When"), N_("Who"), N_("What"), N_("About"), N_("Changes"), N_("Before"),
                  N_("After"))


class Format(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True, slots=True)
class File:
    count: int
    content: bytes
    format: Format

    def filename(self, day: str) -> str:
        return f"audit_{day}.{self.format.value}"


def changes_text(changes: Sequence[Change]) -> str:
    return "; ".join(f"{c.field}: {c.before} → {c.after}" if c.field
                     else f"{c.before} → {c.after}" for c in changes)


async def export_file(store: Store, clock: Clock, grants: list[Grant], t: Translator,
                      filters: Filters, format: Format) -> File:
    """The filtered entries as one file; built in a worker thread, since a large trail takes
    seconds and the bot keeps answering others meanwhile."""
    lines = await export(store, clock, grants, t, filters)
    rows = [ExportRow(line.when, line.who, line.what, line.subject, changes_text(line.changes),
                      line.entry.details.get("before"), line.entry.details.get("after"))
            for line in lines]
    headers = [t(h) for h in EXPORT_HEADERS]
    if format is Format.CSV:
        content = await asyncio.to_thread(audit_export.csv_bytes, headers, rows)
    else:
        content = await asyncio.to_thread(audit_export.xlsx_bytes, t("Audit trail"), headers,
                                          rows)
    return File(len(rows), content, format)
