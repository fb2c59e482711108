"""The domain's vocabulary: kinds of council, roles and the records the rules work on."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime


class CouncilKind(enum.StrEnum):
    """The three bodies of the circular (Art. 4, 6)."""

    PROVINCIAL = "provincial"
    DISTRICT = "district"
    SUBCOMMISSION = "subcommission"


class RoleKind(enum.StrEnum):
    """What a person is in a council (domain.md section 2)."""

    SECRETARIAT = "secretariat"
    CHAIR = "chair"
    MEMBER = "member"
    DEPUTY = "deputy"
    LIAISON = "liaison"
    INVITEE = "invitee"


class Rank(enum.StrEnum):
    """A liaison officer is either the institution's principal (asil) or substitute (yedek)."""

    PRINCIPAL = "principal"
    SUBSTITUTE = "substitute"


# Roles that belong to an institution; the others belong to the council alone.
INSTITUTION_ROLES = frozenset({RoleKind.MEMBER, RoleKind.DEPUTY, RoleKind.LIAISON})


@dataclass(frozen=True, slots=True)
class Province:
    id: int
    name: str
    timezone: str


@dataclass(frozen=True, slots=True)
class Council:
    id: int
    province_id: int
    kind: CouncilKind
    name: str
    foreign_population: int
    border: bool
    parent_id: int | None
    district: str | None = None


@dataclass(frozen=True, slots=True)
class Institution:
    id: int
    council_id: int
    name: str
    sort_order: int


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    telegram_user_id: int
    full_name: str
    title: str
    phone: str
    language: str


@dataclass(frozen=True, slots=True)
class Role:
    id: int
    person_id: int
    council_id: int
    institution_id: int | None
    kind: RoleKind
    rank: Rank | None
    valid_from: datetime
    valid_to: datetime | None

    @property
    def active(self) -> bool:
        return self.valid_to is None


@dataclass(frozen=True, slots=True)
class LeaveDay:
    """An administrative leave day (idari izin) a secretariat entered for its province."""

    day: date
    note: str
