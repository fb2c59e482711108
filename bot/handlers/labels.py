"""How domain terms read in each language: roles, councils, refusals and input problems.

The circular's official names are used in Turkish (kurul, alt komisyon, irtibat görevlisi).
"""

from __future__ import annotations

from bot.domain.models import Council, CouncilKind, Rank, RoleKind
from bot.domain.validation import InvalidInput, Problem
from bot.i18n import N_, Translator
from bot.services.errors import Refusal, ServiceError

ROLE_LABELS = {
    RoleKind.SECRETARIAT: N_("Secretariat"),
    RoleKind.CHAIR: N_("Chair"),
    RoleKind.MEMBER: N_("Member"),
    RoleKind.DEPUTY: N_("Deputy member"),
    RoleKind.INVITEE: N_("Invitee"),
}
LIAISON_LABELS = {
    Rank.PRINCIPAL: N_("Liaison officer (principal)"),
    Rank.SUBSTITUTE: N_("Liaison officer (substitute)"),
}
COUNCIL_LABELS = {
    CouncilKind.PROVINCIAL: N_("{name} Provincial Migration Coordination Council"),
    CouncilKind.DISTRICT: N_("{name} District Migration Coordination Council"),
    CouncilKind.SUBCOMMISSION: N_("{name} Sub-commission"),
}
REFUSALS = {
    Refusal.NOT_SEATED: N_(
        "On this council your institution answers through its member or deputy, not through "
        "you."
    ),
    Refusal.FORBIDDEN: N_("You are not authorised to do this."),
    Refusal.NOT_FOUND: N_("That record no longer exists. Please start again."),
    Refusal.PROVINCE_EXISTS: N_("This province is already set up."),
    Refusal.PROVINCE_UNKNOWN: N_("No such province is set up."),
    Refusal.DISTRICT_EXISTS: N_("A district council with this name already exists."),
    Refusal.INSTITUTION_EXISTS: N_(
        "An institution with this name already exists on this council."
    ),
    Refusal.INSTITUTION_HAS_PEOPLE: N_(
        "People still hold roles for this institution. End their roles before removing it."
    ),
    Refusal.DISTRICT_HAS_PEOPLE: N_(
        "People still hold roles on this district council. End their roles before removing it."
    ),
    Refusal.INVITE_UNKNOWN: N_(
        "This invitation link is not valid. Please ask the secretariat for a new one."
    ),
    Refusal.INVITE_USED: N_(
        "This invitation has already been used. Please ask the secretariat for a new one."
    ),
    Refusal.INVITE_EXPIRED: N_(
        "This invitation has expired. Please ask the secretariat for a new one."
    ),
    Refusal.INVITE_REVOKED: N_(
        "This invitation was withdrawn by the secretariat. Please ask them for a new one."
    ),
    Refusal.ALREADY_HOLDS_ROLE: N_("You already hold this role."),
    Refusal.NO_SUBSTITUTE: N_("This institution has no substitute liaison officer to promote."),
    Refusal.NOT_REGISTERED: N_("You are not registered yet."),
    Refusal.MEETING_MOVED: N_(
        "This meeting was moved. Please use the buttons of the latest notice."
    ),
    Refusal.MEETING_CANCELLED: N_("This meeting was cancelled."),
    Refusal.MEETING_HELD: N_("This meeting has already taken place."),
    Refusal.MEETING_NOT_PENDING: N_(
        "This meeting is no longer waiting for the chair's decision."
    ),
    Refusal.MEETING_NOT_APPROVED: N_(
        "The chair has not approved this meeting yet; notices have not gone out."
    ),
    Refusal.NO_DEPUTY: N_(
        "Your institution has no registered deputy. The member can invite one with /invite; "
        "until then, please answer for yourself."
    ),
    Refusal.CHECKIN_CLOSED: N_("Check-in is not open for this meeting."),
    Refusal.DEPUTY_NOT_ASKED: N_(
        "The member has changed the institution's answer meanwhile: there is nothing for you "
        "to confirm."
    ),
}
PROBLEMS = {
    Problem.EMPTY: N_("This cannot be empty."),
    Problem.TOO_LONG: N_("This is too long: at most {limit} characters, please."),
    Problem.NOT_A_NAME: N_("This does not look like a name. Please use letters."),
    Problem.INVALID_PHONE: N_(
        "This is not a valid phone number. Please type it like 0532 123 45 67, "
        "or share your contact with the button below."
    ),
    Problem.NOT_A_NUMBER: N_("Please type a whole number, like 12500."),
}


def role_label(t: Translator, kind: RoleKind, rank: Rank | None = None) -> str:
    if kind is RoleKind.LIAISON and rank is not None:
        return t(LIAISON_LABELS[rank])
    if kind is RoleKind.LIAISON:
        return t("Liaison officer")
    return t(ROLE_LABELS[kind])


def council_label(t: Translator, council: Council) -> str:
    return t(COUNCIL_LABELS[council.kind]).format(name=council.name)


def refusal_text(t: Translator, error: ServiceError) -> str:
    return t(REFUSALS[error.refusal])


def problem_text(t: Translator, error: InvalidInput) -> str:
    return t(PROBLEMS[error.problem]).format(limit=error.limit)
