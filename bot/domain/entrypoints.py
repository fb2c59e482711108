"""Every way into the bot, and the permission it needs: the other half of the permission table.

An *entry point* is a command (``/invite``) or a button's callback-data pattern exactly as the
handler registers it (``^mem:c:\\d+$``). Each names what it needs — a ``Permission`` of
``permissions.TABLE``, or one of the ``Access`` levels below — and the kind of target its data
names (a province, a council, an institution, or none). The unit tests check that the real
Application registers exactly these entry points, and the end-to-end permission walk drives
every command for every role and presses every ``forge``-able button against targets in and
out of each role's reach, expecting what ``permissions.allowed`` says.

``forge`` is the callback data the walk presses, with placeholders it fills from the target:
``{council}``, ``{province}``, ``{institution}``, ``{meeting}`` (a meeting of the council),
``{seq}`` (its notice sequence), ``{held}`` (a held meeting whose minutes are open),
``{invite}``, ``{notice}`` (a broadcast), ``{proposal}`` (an agenda proposal of the
institution), ``{question}`` (the secretariat's question on it), ``{decision}`` (a decision the
institution is responsible for), ``{deputy}`` (a registered deputy) and ``{chat}`` (a group
the pressing person added the bot to; a council's group buttons need one). A step inside a guided
flow names in ``step_of`` the entry point that opens the flow: its buttons only exist once the
flow is open, so the walk opens it (as far as the step's state) before pressing the forged data,
and each step re-checks its draft's target.

Adding an entry point is one line here.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain.permissions import Grant, Permission, Target, allowed, markdown_table


class Access(enum.StrEnum):
    """Entry points no permission of the table guards."""

    PUBLIC = "public"            # anyone, registered or not
    REGISTERED = "any registered"  # anyone holding an active role
    OWN = "own data"             # a known person, about themselves only (even with roles ended)


class TargetKind(enum.StrEnum):
    NONE = "none"
    PROVINCE = "province"
    COUNCIL = "council"
    INSTITUTION = "institution"


Need = Permission | Access


@dataclass(frozen=True, slots=True)
class EntryPoint:
    key: str                      # "/name" for a command, the regex for a button
    need: Need
    target: TargetKind = TargetKind.NONE
    forge: str | None = None      # callback data to press, for a button with a target
    step_of: str | None = None    # the entry point opening the guided flow this step is in

    @property
    def is_command(self) -> bool:
        return self.key.startswith("/")


P, A, T = Permission, Access, TargetKind
PROVINCE, COUNCIL, INSTITUTION = T.PROVINCE, T.COUNCIL, T.INSTITUTION
MT_ANSWER = r"^mt:a:\d+:\d+:\d+:[ynd]$"  # an answer to a notice; "d" opens the deputy chooser
STALE = "*"  # the catch-all for buttons no one else took (the answer to stale buttons)


def _entry(key: str, need: Need, target: TargetKind = T.NONE,
           forge: str | None = None) -> EntryPoint:
    return EntryPoint(key, need, target, forge)


def _step(opener: str, key: str, need: Need, target: TargetKind, forge: str) -> EntryPoint:
    """A targeted button inside the guided flow ``opener`` opens."""
    return EntryPoint(key, need, target, forge, step_of=opener)


def _command(name: str, need: Need, menu: bool = True) -> list[EntryPoint]:
    """A command, and its button in /menu (``menu:<name>``) when it has one."""
    found = [EntryPoint("/" + name, need)]
    if menu:
        found.append(EntryPoint(f"^menu:{name}$", need))
    return found


ENTRY_POINTS: tuple[EntryPoint, ...] = (
    # Everyone: the gate lets people without a role use only these commands.
    *_command("start", A.PUBLIC, menu=False),
    *_command("help", A.PUBLIC),
    *_command("lang", A.PUBLIC),
    *_command("privacy", A.PUBLIC),
    *_command("cancel", A.PUBLIC, menu=False),
    _entry("^lang:", A.PUBLIC),
    _entry(STALE, A.PUBLIC),
    # Registration (an invitation link opens it).
    _entry("^reg:lang:", A.PUBLIC),
    _entry("^reg:ok$", A.PUBLIC),
    _entry("^reg:edit:", A.PUBLIC),
    _entry("^reg:cancel$", A.PUBLIC),
    # One's own data.
    *_command("menu", A.REGISTERED, menu=False),
    *_command("me", A.OWN),
    *_command("mydata", A.OWN),
    *_command("forgetme", A.OWN),
    _entry("^forget:(yes|no)$", A.OWN),
    # Invitations. INVITE_DEPUTY is the narrower of the two; the secretariat's INVITE covers it.
    *_command("invite", P.INVITE_DEPUTY),
    _step("/invite", "^inv:c:", P.INVITE_DEPUTY, COUNCIL, "inv:c:{council}"),
    _entry("^inv:cp:", P.INVITE_DEPUTY),
    _entry("^inv:r:", P.INVITE_DEPUTY),
    _step("/invite", "^inv:i:", P.INVITE_DEPUTY, INSTITUTION, "inv:i:{institution}"),
    _entry("^inv:ip:", P.INVITE_DEPUTY),
    _entry("^inv:x$", P.INVITE_DEPUTY),
    *_command("invites", P.MANAGE_INVITES),
    _entry(r"^invrev:\d+$", P.MANAGE_INVITES, COUNCIL, "invrev:{invite}"),
    # Members and liaison officers.
    *_command("members", P.VIEW_MEMBERS),
    _entry(r"^mem:c:\d+$", P.VIEW_MEMBERS, COUNCIL, "mem:c:{council}"),
    _entry(r"^mem:p:\d+$", P.VIEW_MEMBERS),
    *_command("promote", P.MANAGE_LIAISONS),
    _step("/promote", "^pro:c:", P.MANAGE_LIAISONS, COUNCIL, "pro:c:{council}"),
    _entry("^pro:cp:", P.MANAGE_LIAISONS),
    _step("/promote", "^pro:i:", P.MANAGE_LIAISONS, INSTITUTION,
          "pro:i:{institution}"),
    _entry("^pro:ok$", P.MANAGE_LIAISONS),
    _entry("^pro:x$", P.MANAGE_LIAISONS),
    # Institutions and district councils.
    *_command("institutions", P.MANAGE_INSTITUTIONS),
    _step("/institutions", "^ins:c:", P.MANAGE_INSTITUTIONS, COUNCIL, "ins:c:{council}"),
    _entry("^ins:cp:", P.MANAGE_INSTITUTIONS),
    _entry("^ins:a:(add|rename|remove)$", P.MANAGE_INSTITUTIONS),
    _step("/institutions", "^ins:i:", P.MANAGE_INSTITUTIONS, INSTITUTION,
          "ins:i:{institution}"),
    _entry("^ins:ip:", P.MANAGE_INSTITUTIONS),
    _entry("^ins:ok$", P.MANAGE_INSTITUTIONS),
    _entry("^ins:x$", P.MANAGE_INSTITUTIONS),
    *_command("districts", P.MANAGE_DISTRICTS),
    _entry("^dis:a:(add|rename|remove)$", P.MANAGE_DISTRICTS),
    _entry("^dis:b:[01]$", P.MANAGE_DISTRICTS),
    _step("/districts", "^dis:i:", P.MANAGE_DISTRICTS, COUNCIL, "dis:i:{council}"),
    _entry("^dis:ip:", P.MANAGE_DISTRICTS),
    _entry("^dis:ok$", P.MANAGE_DISTRICTS),
    _entry("^dis:rm$", P.MANAGE_DISTRICTS),
    _entry("^dis:x$", P.MANAGE_DISTRICTS),
    # Calendar and administrative leave.
    *_command("calendar", P.VIEW_CALENDAR),
    _entry(r"^cal:c:\d+$", P.VIEW_CALENDAR, COUNCIL, "cal:c:{council}"),
    _entry(r"^cal:p:\d+$", P.VIEW_CALENDAR),
    _entry("^cal:all$", P.VIEW_CALENDAR),
    *_command("leave", P.MANAGE_LEAVE),
    _step("/leave", r"^lv:p:\d+$", P.MANAGE_LEAVE, PROVINCE, "lv:p:{province}"),
    _entry("^lv:a:(add|list|remove)$", P.MANAGE_LEAVE),
    _entry("^lv:ok$", P.MANAGE_LEAVE),
    _entry(r"^lv:r:\d{8}:\d{8}$", P.MANAGE_LEAVE),
    _entry(r"^lv:rp:\d+$", P.MANAGE_LEAVE),
    _entry("^lv:rm$", P.MANAGE_LEAVE),
    _entry("^lv:x$", P.MANAGE_LEAVE),
    # Broadcasts: to a council's audience, or (the provincial directorate) a whole province.
    *_command("broadcast", P.BROADCAST),
    _entry("^bc:a:(members|liaison|group)$", P.BROADCAST),
    _step("/broadcast", r"^bc:p:\d+$", P.BROADCAST_PROVINCE, PROVINCE, "bc:p:{province}"),
    _step("/broadcast", r"^bc:c:\d+$", P.BROADCAST, COUNCIL, "bc:c:{council}"),
    _entry(r"^bc:cp:\d+$", P.BROADCAST),
    _entry("^bc:ok$", P.BROADCAST),
    _entry("^bc:edit$", P.BROADCAST),
    _entry("^bc:x$", P.BROADCAST),
    # Council groups (announcements only): whoever may broadcast to a council links its group.
    *_command("groups", P.BROADCAST),
    _entry(r"^grp:c:-?\d+:\d+$", P.BROADCAST, COUNCIL, "grp:c:{chat}:{council}"),
    _entry(r"^grp:ok:-?\d+:\d+$", P.BROADCAST, COUNCIL, "grp:ok:{chat}:{council}"),
    _entry(r"^grp:no:-?\d+$", P.BROADCAST),
    _entry(r"^grp:l:-?\d+$", P.BROADCAST),
    _entry(r"^grp:u:\d+$", P.BROADCAST, COUNCIL, "grp:u:{council}"),
    _entry(r"^grp:uy:\d+$", P.BROADCAST, COUNCIL, "grp:uy:{council}"),
    _entry("^grp:keep$", P.BROADCAST),
    *_command("deliveries", P.VIEW_DELIVERIES),
    _entry(r"^dlv:n:\d+$", P.VIEW_DELIVERIES, COUNCIL, "dlv:n:{notice}"),
    # Meetings: scheduling, moving and cancelling.
    *_command("newmeeting", P.SCHEDULE_MEETING),
    _entry(r"^mt:mv:\d+$", P.SCHEDULE_MEETING, COUNCIL, "mt:mv:{meeting}"),
    _step("/newmeeting", r"^nm:c:\d+$", P.SCHEDULE_MEETING, COUNCIL, "nm:c:{council}"),
    _entry(r"^nm:cp:\d+$", P.SCHEDULE_MEETING),
    _entry("^nm:k:[oe]$", P.SCHEDULE_MEETING),
    _entry(r"^nm:w:\w+$", P.SCHEDULE_MEETING),
    _entry(r"^nm:d:\d{8}$", P.SCHEDULE_MEETING),
    _entry(r"^nm:m:\d{6}$", P.SCHEDULE_MEETING),
    _entry("^nm:_$", P.SCHEDULE_MEETING),
    _entry(r"^nm:t:\d{4}$", P.SCHEDULE_MEETING),
    _entry("^nm:ch$", P.SCHEDULE_MEETING),
    _entry("^nm:pl$", P.SCHEDULE_MEETING),
    _entry(r"^nm:i:(\d+|done)$", P.SCHEDULE_MEETING),
    _entry("^nm:ok$", P.SCHEDULE_MEETING),
    _entry("^nm:r$", P.SCHEDULE_MEETING),
    _entry("^nm:q$", P.SCHEDULE_MEETING),
    _entry(r"^mt:cx:\d+$", P.SCHEDULE_MEETING, COUNCIL, "mt:cx:{meeting}"),
    _entry("^mt:cxok$", P.SCHEDULE_MEETING),
    # Meetings: answers to a notice, the chair's decision, the list.
    _entry(MT_ANSWER, P.ANSWER_MEETING, INSTITUTION,
           "mt:a:{meeting}:{seq}:{institution}:n"),
    _step(MT_ANSWER, r"^mt:dc:\d+:\d+:\d+:\d+$", P.ANSWER_MEETING, INSTITUTION,
          "mt:dc:{meeting}:{seq}:{institution}:{deputy}"),
    _entry(r"^mt:dr:\d+:\d+:\d+:[yn]$", P.ANSWER_MEETING, INSTITUTION,
           "mt:dr:{meeting}:{seq}:{institution}:y"),
    _entry("^mt:x$", A.REGISTERED),  # ends an excuse, a chair's proposal or a cancellation
    _entry(r"^mt:ch:\d+:\d+:(ok|p)$", P.APPROVE_MEETING, COUNCIL, "mt:ch:{meeting}:{seq}:p"),
    _entry(r"^mt:ca:\d+$", P.SET_APPROVAL_STEP, COUNCIL, "mt:ca:{council}"),
    *_command("meetings", P.VIEW_MEETINGS, menu=False),
    _entry("^(menu:meetings|mt:l)$", P.VIEW_MEETINGS),
    _entry("^mt:_$", P.VIEW_MEETINGS),
    _entry(r"^mt:v:\d+$", P.VIEW_MEETINGS, COUNCIL, "mt:v:{meeting}"),
    _entry(r"^mt:at:\d+$", P.VIEW_ATTENDANCE, COUNCIL, "mt:at:{meeting}"),
    *_command("away", P.MARK_AWAY),
    _entry("^aw:back$", P.MARK_AWAY),
    _entry("^aw:x$", P.MARK_AWAY),
    # Meetings: on the day.
    _entry(r"^md:mk:\d+$", P.MARK_ATTENDANCE, COUNCIL, "md:mk:{meeting}"),
    _entry(r"^md:p:\d+:\d+$", P.MARK_ATTENDANCE, COUNCIL, "md:p:{meeting}:0"),
    _entry(r"^md:g:\d+:\d+$", P.MARK_ATTENDANCE, COUNCIL, "md:g:{meeting}:{institution}"),
    _entry(r"^md:t:\d+:\d+:[pri]\d+$", P.MARK_ATTENDANCE, COUNCIL,
           "md:t:{meeting}:{institution}:p1"),
    _entry(r"^md:oc:\d+$", P.MARK_ATTENDANCE, COUNCIL, "md:oc:{meeting}"),
    _entry(r"^md:ad:\d+$", P.MARK_ATTENDANCE, COUNCIL, "md:ad:{meeting}"),
    _entry("^md:x$", P.MARK_ATTENDANCE),
    # The check-in button goes to whoever the meeting expects; the service checks the person.
    _entry(r"^mt:ci:\d+:\d+$", A.REGISTERED),
    *_command("export", P.EXPORT_ATTENDANCE),
    _entry(r"^md:ek:\d+$", P.EXPORT_ATTENDANCE, COUNCIL, "md:ek:{meeting}"),
    # Agenda proposals.
    *_command("propose", P.PROPOSE),
    _entry(r"^ag:new:\d+$", P.PROPOSE, COUNCIL, "ag:new:{meeting}"),
    _entry(r"^ag:ed:\d+$", P.PROPOSE, INSTITUTION, "ag:ed:{proposal}"),
    _entry(r"^ap:t:\d+$", P.PROPOSE),
    _entry(r"^ap:a:\w+$", P.PROPOSE),
    _entry("^ap:back$", P.PROPOSE),
    _entry(r"^ap:k:\w+$", P.PROPOSE),
    _entry("^ap:done$", P.PROPOSE),
    _entry("^ap:clr$", P.PROPOSE),
    _entry("^ap:fdone$", P.PROPOSE),
    _entry("^ap:frm$", P.PROPOSE),
    _entry(r"^ap:ok:\d+$", P.PROPOSE, INSTITUTION, "ap:ok:{proposal}"),
    _entry(r"^ap:e:\w+$", P.PROPOSE),
    _entry("^ap:x$", P.PROPOSE),
    *_command("myproposals", P.PROPOSE),
    _entry(r"^ag:mp:\d+$", P.PROPOSE, INSTITUTION, "ag:mp:{proposal}"),
    _entry(r"^ag:wd:\d+$", P.PROPOSE, INSTITUTION, "ag:wd:{proposal}"),
    _entry(r"^ag:wdy:\d+$", P.PROPOSE, INSTITUTION, "ag:wdy:{proposal}"),
    # Reviewing proposals; ``ag:qa`` is the proposer answering the secretariat's question.
    *_command("proposals", P.REVIEW_PROPOSALS),
    _entry(r"^ag:(rj|q):\d+$", P.REVIEW_PROPOSALS, COUNCIL, "ag:q:{proposal}"),
    _entry(r"^ag:qa:\d+$", P.PROPOSE, INSTITUTION, "ag:qa:{question}"),
    _entry("^agt:x$", A.REGISTERED),  # ends the reviewer's or the proposer's text
    _entry(r"^ag:rq:[\w:-]+$", P.REVIEW_PROPOSALS, COUNCIL, "ag:rq:m:{meeting}"),
    _entry(r"^ag:rv:\d+$", P.REVIEW_PROPOSALS, COUNCIL, "ag:rv:{proposal}"),
    _entry(r"^ag:(ac|up|dn|mg|fw):\d+$", P.REVIEW_PROPOSALS, COUNCIL, "ag:mg:{proposal}"),
    _entry(r"^ag:mi:\d+:\d+$", P.REVIEW_PROPOSALS, COUNCIL, "ag:mi:{proposal}:{proposal}"),
    _entry(r"^ag:f:\d+:\d+$", P.REVIEW_PROPOSALS, COUNCIL, "ag:f:{proposal}:1"),
    _entry(r"^ag:pub:\d+$", P.REVIEW_PROPOSALS, COUNCIL, "ag:pub:{meeting}"),
    *_command("agenda", P.VIEW_AGENDA),
    _entry(r"^ag:ag:[\w:-]+$", P.VIEW_AGENDA, COUNCIL, "ag:ag:m:{meeting}"),
    _entry(r"^ag:doc:[\w:-]+$", P.VIEW_AGENDA, COUNCIL, "ag:doc:m:{meeting}"),
    # Minutes, decisions and progress.
    *_command("minutes", P.RECORD_MINUTES),
    _step("/minutes", r"^mn:m:\d+$", P.RECORD_MINUTES, COUNCIL, "mn:m:{held}"),
    _entry(r"^mn:s:\w+$", P.RECORD_MINUTES),
    _entry("^mn:d$", P.RECORD_MINUTES),
    _entry("^mn:fin$", P.RECORD_MINUTES),
    _entry("^mn:fok$", P.RECORD_MINUTES),
    _entry("^mn:back$", P.RECORD_MINUTES),
    _entry("^mn:add$", P.RECORD_MINUTES),
    _step("/minutes", r"^mn:i:\d+$", P.RECORD_MINUTES, INSTITUTION, "mn:i:{institution}"),
    _entry("^mn:idone$", P.RECORD_MINUTES),
    _entry("^mn:x$", P.RECORD_MINUTES),
    *_command("annualreport", P.RECORD_MINUTES),
    *_command("progress", P.REPORT_PROGRESS),
    _entry(r"^dc:r:\d+:\d+$", P.REPORT_PROGRESS, INSTITUTION, "dc:r:{decision}:{institution}"),
    _step("/progress", r"^pg:t:\d+:\d+$", P.REPORT_PROGRESS, INSTITUTION,
          "pg:t:{decision}:{institution}"),
    _entry(r"^pg:s:\w+$", P.REPORT_PROGRESS),
    _entry("^pg:skip$", P.REPORT_PROGRESS),
    _entry("^pg:ok$", P.REPORT_PROGRESS),
    _entry("^pg:x$", P.REPORT_PROGRESS),
    *_command("decisions", P.VIEW_DECISIONS, menu=False),
    _entry(r"^(menu:decisions|dl:f:\w+|dl:i:\d+)$", P.VIEW_DECISIONS),
    _entry(r"^dl:ip:\d+$", P.VIEW_REPORTS),
    *_command("overview", P.VIEW_REPORTS),
    # The audit trail: the scope comes from the person's grants, never from the button.
    *_command("audit", P.VIEW_AUDIT),
    _entry("^au:", P.VIEW_AUDIT),
)

BY_KEY: dict[str, EntryPoint] = {entry.key: entry for entry in ENTRY_POINTS}
COMMAND_NAMES: tuple[str, ...] = tuple(e.key[1:] for e in ENTRY_POINTS if e.is_command)


_BUTTONS = [(re.compile(e.key), e) for e in ENTRY_POINTS if not e.is_command and e.key != STALE]


def entry_for_data(data: str) -> EntryPoint | None:
    """The button entry point callback data belongs to (None: no handler takes it)."""
    return next((entry for pattern, entry in _BUTTONS if pattern.match(data)), None)


def permits(need: Need, grants: Iterable[Grant], target: Target | None = None, *,
            registered: bool, known: bool | None = None) -> bool:
    """May someone holding ``grants`` use an entry point needing ``need``, on ``target``?

    As the handlers decide: the secretariat's INVITE covers inviting a deputy, and an
    institution-bound permission reaches a council through one's own institution on it.
    ``known``: the person is on record, perhaps with every role ended (their own data stays
    theirs); unsaid, only the registered are taken to be known.
    """
    if need is Access.PUBLIC:
        return True
    if need is Access.OWN:
        return registered if known is None else known or registered
    if isinstance(need, Access):
        return registered
    grants = list(grants)
    if allowed(need, grants, target):
        return True
    if need is Permission.INVITE_DEPUTY and allowed(Permission.INVITE, grants, target):
        return True
    if target is None or target.council_id is None or target.institution_id is not None:
        return False
    return any(allowed(need, grants, Target(target.province_id, target.council_id,
                                            g.institution_id))
               for g in grants if g.council_id == target.council_id and g.institution_id)


def need_label(need: Need) -> str:
    return need.value if isinstance(need, Access) else f"`{need.value}`"


def markdown_entry_table() -> str:
    """Entry point → what it needs and what its data names, for the README."""
    lines = ["| entry point | needs | target |", "|---|---|---|"]
    for entry in ENTRY_POINTS:
        shown = entry.key.replace("|", "\\|")
        lines.append(f"| `{shown}` | {need_label(entry.need)} | {entry.target.value} |")
    return "\n".join(lines)


def readme_block() -> str:
    """What `python -m bot permissions` prints and the README shows between its markers."""
    return (markdown_table() + "\n\nEvery command and button, and what it needs "
            "(the target is what its data names; each handler re-checks it):\n\n"
            + markdown_entry_table())
