"""Who may do what, and where: the one permission table (design.md principle 4).

A role reaches a *scope*: the secretariat of a provincial council reaches its whole province
(the provincial directorate is the secretariat of the provincial council and the sub-commission,
and oversees the districts, Art. 11(1), 12(5)); every other role reaches its own council, and
institution-bound actions only the role's own institution. Every handler names the permission
it needs and asks ``allowed`` with the target it is about to touch; callback data is re-checked.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from bot.domain.models import CouncilKind, Rank, RoleKind


class Permission(enum.StrEnum):
    INVITE = "invite"                    # create an invitation for any role
    INVITE_DEPUTY = "invite_deputy"      # create an invitation for a deputy (vekil)
    MANAGE_INVITES = "manage_invites"    # list and revoke open invitations
    VIEW_MEMBERS = "view_members"        # the council's institutions and who sits for them
    MANAGE_INSTITUTIONS = "manage_institutions"
    MANAGE_DISTRICTS = "manage_districts"
    MANAGE_LIAISONS = "manage_liaisons"  # promote a substitute liaison officer
    VIEW_OWN = "view_own"                # /me
    VIEW_CALENDAR = "view_calendar"      # meeting windows and deadlines (/calendar)
    MANAGE_LEAVE = "manage_leave"        # the province's administrative leave days (/leave)
    BROADCAST = "broadcast"              # a message to a council's members or liaison officers
    BROADCAST_PROVINCE = "broadcast_province"  # a message to everyone in the province
    VIEW_DELIVERIES = "view_deliveries"  # delivery reports of a council's notices
    # Meetings (issue 5)
    VIEW_MEETINGS = "view_meetings"      # upcoming and past meetings of my councils
    SCHEDULE_MEETING = "schedule_meeting"  # draft, move and cancel a meeting; send its notices
    APPROVE_MEETING = "approve_meeting"  # the chair decides day, place and time (Art. 11(3))
    SET_APPROVAL_STEP = "set_approval_step"  # whether a council's meetings wait for the chair
    ANSWER_MEETING = "answer_meeting"    # confirm attendance, excuse, name the deputy
    VIEW_ATTENDANCE = "view_attendance"  # who answered what, per institution
    MARK_ATTENDANCE = "mark_attendance"  # who actually attended, on the day
    EXPORT_ATTENDANCE = "export_attendance"  # the Ek-2 attendance list (Art. 12(7))
    MARK_AWAY = "mark_away"              # a member is away: the deputy gets notices (Art. 9(2))
    # Agenda (issue 6)
    PROPOSE = "propose"                  # send the institution's agenda proposals (Art. 10(2))
    REVIEW_PROPOSALS = "review_proposals"  # accept, reject, merge, ask; publish the agenda
    VIEW_AGENDA = "view_agenda"          # a meeting's published agenda
    # Decisions (issue 7)
    RECORD_MINUTES = "record_minutes"    # minutes and decisions; finalise and distribute (Art. 12)
    REPORT_PROGRESS = "report_progress"  # the institution's progress on a decision (Art. 12(4))
    VIEW_DECISIONS = "view_decisions"    # the decision register of my councils
    VIEW_REPORTS = "view_reports"        # who has reported on decisions and who has not
    # Audit (issue 8)
    VIEW_AUDIT = "view_audit"            # the trail of changes in my scope, and its export


class Reach(enum.StrEnum):
    PROVINCE = "province"
    COUNCIL = "council"
    INSTITUTION = "institution"


@dataclass(frozen=True, slots=True)
class Grant:
    """An active role as the permission check sees it."""

    kind: RoleKind
    province_id: int
    council_id: int
    council_kind: CouncilKind
    institution_id: int | None = None
    rank: Rank | None = None

    @property
    def reach(self) -> Reach:
        if self.kind is RoleKind.SECRETARIAT and self.council_kind is CouncilKind.PROVINCIAL:
            return Reach.PROVINCE
        return Reach.COUNCIL


@dataclass(frozen=True, slots=True)
class Target:
    """What an action is about: a province, one of its councils, maybe one institution."""

    province_id: int
    council_id: int | None = None
    institution_id: int | None = None


def with_subcommission(grants: Iterable[Grant], subcommissions: Mapping[int, int]) -> list[Grant]:
    """``grants`` with the seats liaison officers hold on their province's sub-commission.

    Art. 6(3) (with Art. 5(8), 6(6)): the sub-commission is made up of the liaison officers of
    the institutions on the provincial council; Art. 6(5) has the council appoint them, so their
    roles are recorded on the provincial council, for its institutions. Each such liaison role
    therefore also sits on the sub-commission, for the same institution and with the same rank
    (principal or substitute): a grant of kind LIAISON on the sub-commission, which the
    permission table then treats like a seat on any council (its meetings, agenda and
    decisions; answering and proposing for the institution). Nothing else is derived: a
    member or deputy of the provincial council does not sit on the sub-commission, and the
    directorate reaches it as the secretariat of the whole province.

    ``subcommissions`` maps a provincial council's id to its sub-commission's id. A grant
    already held is not added twice.
    """
    found = list(grants)
    for grant in list(found):
        sub = subcommissions.get(grant.council_id)
        if (grant.kind is RoleKind.LIAISON and grant.council_kind is CouncilKind.PROVINCIAL
                and sub is not None):
            seat = replace(grant, council_id=sub, council_kind=CouncilKind.SUBCOMMISSION)
            if seat not in found:
                found.append(seat)
    return found


# The table. For each permission: the roles that hold it and how far it reaches for them.
# INSTITUTION means "only for the role's own institution".
TABLE: dict[Permission, dict[RoleKind, Reach]] = {
    Permission.INVITE: {RoleKind.SECRETARIAT: Reach.COUNCIL},
    # Art. 9(2): a member may name a deputy; a deputy cannot pass the seat on.
    Permission.INVITE_DEPUTY: {
        RoleKind.SECRETARIAT: Reach.COUNCIL,
        RoleKind.MEMBER: Reach.INSTITUTION,
    },
    Permission.MANAGE_INVITES: {RoleKind.SECRETARIAT: Reach.COUNCIL},
    Permission.VIEW_MEMBERS: {RoleKind.SECRETARIAT: Reach.COUNCIL, RoleKind.CHAIR: Reach.COUNCIL},
    Permission.MANAGE_INSTITUTIONS: {RoleKind.SECRETARIAT: Reach.COUNCIL},
    Permission.MANAGE_DISTRICTS: {RoleKind.SECRETARIAT: Reach.PROVINCE},
    Permission.MANAGE_LIAISONS: {RoleKind.SECRETARIAT: Reach.COUNCIL},
    Permission.VIEW_OWN: {kind: Reach.COUNCIL for kind in RoleKind},
    Permission.VIEW_CALENDAR: {RoleKind.SECRETARIAT: Reach.COUNCIL, RoleKind.CHAIR: Reach.COUNCIL},
    # Administrative leave is declared for a province; its directorate enters it, and every
    # council's calendar in the province counts it.
    Permission.MANAGE_LEAVE: {RoleKind.SECRETARIAT: Reach.PROVINCE},
    # Notices are the secretariat's (Art. 11(3), 11(4)); a whole province is written to only
    # by its provincial directorate, which oversees every council of it.
    Permission.BROADCAST: {RoleKind.SECRETARIAT: Reach.COUNCIL},
    Permission.BROADCAST_PROVINCE: {RoleKind.SECRETARIAT: Reach.PROVINCE},
    Permission.VIEW_DELIVERIES: {RoleKind.SECRETARIAT: Reach.COUNCIL},
    # Meetings. Everyone sees the meetings of their own councils; the secretariat schedules
    # and sends notices (Art. 11(3), 11(4)); the chair decides day, place and time (Art.
    # 11(3)); an institution's member or deputy answers for it (Art. 9), and in the
    # sub-commission its liaison officers, who are its members (Art. 6(3)); attendance lists
    # are the secretariat's (Art. 12(7)), which the chair may see.
    Permission.VIEW_MEETINGS: {kind: Reach.COUNCIL for kind in RoleKind},
    Permission.SCHEDULE_MEETING: {RoleKind.SECRETARIAT: Reach.COUNCIL},
    Permission.APPROVE_MEETING: {RoleKind.CHAIR: Reach.COUNCIL},
    Permission.SET_APPROVAL_STEP: {RoleKind.SECRETARIAT: Reach.COUNCIL,
                                   RoleKind.CHAIR: Reach.COUNCIL},
    Permission.ANSWER_MEETING: {
        RoleKind.MEMBER: Reach.INSTITUTION,
        RoleKind.DEPUTY: Reach.INSTITUTION,
        RoleKind.LIAISON: Reach.INSTITUTION,
    },
    Permission.VIEW_ATTENDANCE: {RoleKind.SECRETARIAT: Reach.COUNCIL,
                                 RoleKind.CHAIR: Reach.COUNCIL},
    Permission.MARK_ATTENDANCE: {RoleKind.SECRETARIAT: Reach.COUNCIL},
    Permission.EXPORT_ATTENDANCE: {RoleKind.SECRETARIAT: Reach.COUNCIL},
    Permission.MARK_AWAY: {RoleKind.MEMBER: Reach.INSTITUTION},
    # Agenda. Liaison officers send their institution's proposals (Art. 10(2)); the member,
    # who answers for the institution (Art. 5(6)), may too; the directorate prepares the agenda
    # (Art. 10(1)) and so may add items and decides on every proposal. Everyone sees it.
    Permission.PROPOSE: {
        RoleKind.LIAISON: Reach.INSTITUTION,
        RoleKind.MEMBER: Reach.INSTITUTION,
        RoleKind.SECRETARIAT: Reach.COUNCIL,
    },
    Permission.REVIEW_PROPOSALS: {RoleKind.SECRETARIAT: Reach.COUNCIL},
    Permission.VIEW_AGENDA: {kind: Reach.COUNCIL for kind in RoleKind},
    # Decisions. The secretariat writes the minutes (Art. 12(2)); each responsible
    # institution reports through its liaison officers or its member, who answers for it
    # (Art. 5(6), 12(4)); the secretariat and the chair follow who has reported.
    Permission.RECORD_MINUTES: {RoleKind.SECRETARIAT: Reach.COUNCIL},
    Permission.REPORT_PROGRESS: {
        RoleKind.LIAISON: Reach.INSTITUTION,
        RoleKind.MEMBER: Reach.INSTITUTION,
        RoleKind.DEPUTY: Reach.INSTITUTION,
    },
    Permission.VIEW_DECISIONS: {kind: Reach.COUNCIL for kind in RoleKind},
    Permission.VIEW_REPORTS: {RoleKind.SECRETARIAT: Reach.COUNCIL,
                              RoleKind.CHAIR: Reach.COUNCIL},
    # The audit trail is the secretariat's record of its own work (Art. 11(1), 12(5)): a
    # district secretariat reads its council's, the provincial directorate the whole province's.
    Permission.VIEW_AUDIT: {RoleKind.SECRETARIAT: Reach.COUNCIL},
}


def _covers(grant: Grant, reach: Reach, target: Target) -> bool:
    if grant.province_id != target.province_id:
        return False
    if grant.reach is Reach.PROVINCE:
        # A provincial secretariat's council-level grants cover the whole province.
        return reach is not Reach.INSTITUTION or target.institution_id is not None
    if reach is Reach.PROVINCE:
        return False
    if target.council_id is not None and target.council_id != grant.council_id:
        return False
    if reach is Reach.INSTITUTION:
        return target.institution_id is not None and target.institution_id == grant.institution_id
    return True


def allowed(permission: Permission, grants: Iterable[Grant], target: Target | None = None) -> bool:
    """May someone holding ``grants`` do ``permission`` on ``target``?

    Without a target the question is "anywhere at all", which decides whether to offer the
    action in a menu; the action itself is checked again with its real target.
    """
    holders = TABLE[permission]
    for grant in grants:
        reach = holders.get(grant.kind)
        if reach is None:
            continue
        if reach is Reach.PROVINCE and grant.reach is not Reach.PROVINCE:
            continue
        if target is None:
            return True
        if _covers(grant, reach, target):
            return True
    return False


def permissions_of(grants: Iterable[Grant]) -> list[Permission]:
    """Every permission held anywhere, in table order (what the menu offers)."""
    grants = list(grants)
    return [p for p in TABLE if allowed(p, grants)]


def inviteable_roles(
    grants: Iterable[Grant], target: Target
) -> list[tuple[RoleKind, Rank | None]]:
    """The roles someone may create an invitation for, on a council (and institution)."""
    grants = list(grants)
    options: list[tuple[RoleKind, Rank | None]] = []
    if allowed(Permission.INVITE, grants, target):
        options = [
            (RoleKind.MEMBER, None),
            (RoleKind.DEPUTY, None),
            (RoleKind.LIAISON, Rank.PRINCIPAL),
            (RoleKind.LIAISON, Rank.SUBSTITUTE),
            (RoleKind.CHAIR, None),
            (RoleKind.SECRETARIAT, None),
            (RoleKind.INVITEE, None),
        ]
    elif allowed(Permission.INVITE_DEPUTY, grants, target):
        options = [(RoleKind.DEPUTY, None)]
    return options


# What each permission lets one do, for the table rendered into the README
# (`python -m bot permissions`); the test suite checks the README shows the current table.
SUMMARY: dict[Permission, str] = {
    Permission.INVITE: "invite anyone (`/invite`)",
    Permission.INVITE_DEPUTY: "invite a deputy (Art. 9(2))",
    Permission.MANAGE_INVITES: "open invitations (`/invites`)",
    Permission.VIEW_MEMBERS: "member list (`/members`)",
    Permission.MANAGE_INSTITUTIONS: "institutions (`/institutions`)",
    Permission.MANAGE_DISTRICTS: "district councils (`/districts`)",
    Permission.MANAGE_LIAISONS: "promote a substitute liaison officer (`/promote`)",
    Permission.VIEW_OWN: "own data (`/me`, `/mydata`, `/forgetme`)",
    Permission.VIEW_CALENDAR: "meeting calendar (`/calendar`)",
    Permission.MANAGE_LEAVE: "administrative leave days (`/leave`)",
    Permission.BROADCAST: "broadcast to a council's members or liaison officers (`/broadcast`)",
    Permission.BROADCAST_PROVINCE: "broadcast to a whole province",
    Permission.VIEW_DELIVERIES: "delivery reports (`/deliveries`)",
    Permission.VIEW_MEETINGS: "meetings (`/meetings`)",
    Permission.SCHEDULE_MEETING: "schedule, move, cancel a meeting (`/newmeeting`)",
    Permission.APPROVE_MEETING: "approve a meeting's day, place and time (Art. 11(3))",
    Permission.SET_APPROVAL_STEP: "whether a council's meetings wait for the chair's approval",
    Permission.ANSWER_MEETING: "answer a notice for the institution",
    Permission.VIEW_ATTENDANCE: "attendance per institution",
    Permission.MARK_ATTENDANCE: "mark attendance, open the check-in",
    Permission.EXPORT_ATTENDANCE: "Ek-2 attendance list (`/export`)",
    Permission.MARK_AWAY: "mark oneself away (`/away`, Art. 9(2))",
    Permission.PROPOSE: "agenda proposals (`/propose`, `/myproposals`)",
    Permission.REVIEW_PROPOSALS: "review proposals, publish the agenda (`/proposals`)",
    Permission.VIEW_AGENDA: "published agenda (`/agenda`)",
    Permission.RECORD_MINUTES: "minutes and decisions, Ek-1 (`/minutes`, Art. 12)",
    Permission.REPORT_PROGRESS: "report progress on a decision (`/progress`, Art. 12(4))",
    Permission.VIEW_DECISIONS: "decision register (`/decisions`)",
    Permission.VIEW_REPORTS: "who has reported on decisions",
    Permission.VIEW_AUDIT: "audit trail of changes, with export (`/audit`)",
}
# The README's columns: the liaison officers' two ranks hold the same permissions (the
# substitute stands in for the principal, Art. 6(3)); someone unregistered holds none.
_COLUMNS: tuple[tuple[str, RoleKind | None], ...] = (
    ("secretariat", RoleKind.SECRETARIAT), ("chair", RoleKind.CHAIR),
    ("member", RoleKind.MEMBER), ("deputy", RoleKind.DEPUTY),
    ("liaison principal", RoleKind.LIAISON), ("liaison substitute", RoleKind.LIAISON),
    ("invitee", RoleKind.INVITEE), ("unregistered", None),
)


def _cell(kind: RoleKind | None, reach: Reach | None) -> str:
    if kind is None or reach is None:
        return "–"
    if reach is Reach.PROVINCE:
        return "provincial secretariat"
    if reach is Reach.INSTITUTION:
        return "own institution"
    if kind is RoleKind.SECRETARIAT:
        return "own council (provincial: whole province)"
    return "own council"


def markdown_table() -> str:
    """The permission table as Markdown: a row per permission, a column per role."""
    lines = [
        "| permission | " + " | ".join(label for label, _kind in _COLUMNS) + " |",
        "|---|" + "---|" * len(_COLUMNS),
    ]
    for permission, holders in TABLE.items():
        label = SUMMARY.get(permission, permission.value)
        cells = [_cell(kind, holders.get(kind) if kind else None) for _label, kind in _COLUMNS]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
