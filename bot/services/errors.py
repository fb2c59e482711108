"""Errors a use case reports to its caller; each carries a code the handler translates."""

from __future__ import annotations

import enum


class Refusal(enum.StrEnum):
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    PROVINCE_EXISTS = "province_exists"
    PROVINCE_UNKNOWN = "province_unknown"
    DISTRICT_EXISTS = "district_exists"
    INSTITUTION_EXISTS = "institution_exists"
    INSTITUTION_HAS_PEOPLE = "institution_has_people"
    DISTRICT_HAS_PEOPLE = "district_has_people"
    INVITE_UNKNOWN = "invite_unknown"
    INVITE_USED = "invite_used"
    INVITE_EXPIRED = "invite_expired"
    INVITE_REVOKED = "invite_revoked"
    ALREADY_HOLDS_ROLE = "already_holds_role"
    NO_SUBSTITUTE = "no_substitute"
    NOT_REGISTERED = "not_registered"
    # Meetings (issue 5): a button of an earlier notice, or an answer that came too late.
    MEETING_MOVED = "meeting_moved"
    MEETING_CANCELLED = "meeting_cancelled"
    MEETING_HELD = "meeting_held"
    MEETING_NOT_PENDING = "meeting_not_pending"  # no longer waiting for the chair
    MEETING_NOT_APPROVED = "meeting_not_approved"  # still waiting for the chair
    NO_DEPUTY = "no_deputy"
    DEPUTY_NOT_ASKED = "deputy_not_asked"  # the member changed the answer meanwhile
    CHECKIN_CLOSED = "checkin_closed"
    NOT_SEATED = "not_seated"  # the institution answers through another seat on this council


class ServiceError(Exception):
    def __init__(self, refusal: Refusal, detail: str = "") -> None:
        super().__init__(f"{refusal.value}: {detail}" if detail else refusal.value)
        self.refusal = refusal
        self.detail = detail
