"""The permission table (design.md principle 4) and Art. 9(2) on deputies."""

from __future__ import annotations

from bot.domain.models import CouncilKind, Rank, RoleKind
from bot.domain.permissions import (
    Grant,
    Permission,
    Target,
    allowed,
    inviteable_roles,
    permissions_of,
    with_subcommission,
)

PROVINCE, OTHER_PROVINCE = 1, 2
PROVINCIAL, DISTRICT, OTHER_DISTRICT = 10, 20, 21
SUBCOMMISSION = 11


def grant(kind: RoleKind, council: int = PROVINCIAL, council_kind: CouncilKind =
          CouncilKind.PROVINCIAL, institution: int | None = None) -> Grant:
    return Grant(kind=kind, province_id=PROVINCE, council_id=council, council_kind=council_kind,
                 institution_id=institution)


def test_provincial_secretariat_reaches_the_whole_province() -> None:
    """Art. 11(1), 12(5): the provincial directorate is secretariat and oversees districts."""
    secretariat = [grant(RoleKind.SECRETARIAT)]
    assert allowed(Permission.INVITE, secretariat, Target(PROVINCE, DISTRICT))
    assert allowed(Permission.MANAGE_DISTRICTS, secretariat, Target(PROVINCE))
    assert not allowed(Permission.INVITE, secretariat, Target(OTHER_PROVINCE, 99))


def test_district_secretariat_reaches_only_its_district() -> None:
    """Art. 11(2): a district's secretariat is its own directorate or the Kaymakamlık."""
    secretariat = [grant(RoleKind.SECRETARIAT, DISTRICT, CouncilKind.DISTRICT)]
    assert allowed(Permission.INVITE, secretariat, Target(PROVINCE, DISTRICT))
    assert not allowed(Permission.INVITE, secretariat, Target(PROVINCE, OTHER_DISTRICT))
    assert not allowed(Permission.MANAGE_DISTRICTS, secretariat, Target(PROVINCE))


def test_chair_views_members_but_cannot_invite() -> None:
    chair = [grant(RoleKind.CHAIR)]
    assert allowed(Permission.VIEW_MEMBERS, chair, Target(PROVINCE, PROVINCIAL))
    assert not allowed(Permission.VIEW_MEMBERS, chair, Target(PROVINCE, DISTRICT))
    assert not allowed(Permission.INVITE, chair, Target(PROVINCE, PROVINCIAL))


def test_art_9_2_member_may_name_a_deputy_for_own_institution_only() -> None:
    member = [grant(RoleKind.MEMBER, institution=5)]
    assert allowed(Permission.INVITE_DEPUTY, member, Target(PROVINCE, PROVINCIAL, 5))
    assert not allowed(Permission.INVITE_DEPUTY, member, Target(PROVINCE, PROVINCIAL, 6))
    assert inviteable_roles(member, Target(PROVINCE, PROVINCIAL, 5)) == [(RoleKind.DEPUTY, None)]


def test_art_9_2_a_deputy_cannot_appoint_another_deputy() -> None:
    deputy = [grant(RoleKind.DEPUTY, institution=5)]
    assert not allowed(Permission.INVITE_DEPUTY, deputy, Target(PROVINCE, PROVINCIAL, 5))
    assert inviteable_roles(deputy, Target(PROVINCE, PROVINCIAL, 5)) == []


def test_liaison_officers_have_no_administration() -> None:
    liaison = [Grant(RoleKind.LIAISON, PROVINCE, PROVINCIAL, CouncilKind.PROVINCIAL, 5,
                     Rank.PRINCIPAL)]
    # Seeing their councils' meetings and answering a notice is not administration: liaison
    # officers are the sub-commission's members (Art. 6(3)).
    theirs = {Permission.VIEW_OWN, Permission.VIEW_MEETINGS, Permission.ANSWER_MEETING,
              # Sending the institution's agenda proposals is their first duty (Art. 10(2)).
              Permission.PROPOSE, Permission.VIEW_AGENDA,
              # Reporting the institution's progress on a decision (Art. 12(4)).
              Permission.REPORT_PROGRESS, Permission.VIEW_DECISIONS}
    for permission in Permission:
        if permission in theirs:
            assert allowed(permission, liaison)
        else:
            assert not allowed(permission, liaison), permission


def test_art_6_3_liaison_officers_of_the_provincial_council_sit_on_its_subcommission() -> None:
    """Art. 6(3), 5(8), 6(6): the sub-commission is made up of the liaison officers of the
    provincial council's institutions; a member or deputy of the council does not sit on it."""
    principal = Grant(RoleKind.LIAISON, PROVINCE, PROVINCIAL, CouncilKind.PROVINCIAL, 5,
                      Rank.PRINCIPAL)
    district_liaison = Grant(RoleKind.LIAISON, PROVINCE, DISTRICT, CouncilKind.DISTRICT, 7,
                             Rank.SUBSTITUTE)
    member, deputy = grant(RoleKind.MEMBER, institution=6), grant(RoleKind.DEPUTY, institution=6)
    grants = with_subcommission([principal, district_liaison, member, deputy],
                                {PROVINCIAL: SUBCOMMISSION})
    seat = Grant(RoleKind.LIAISON, PROVINCE, SUBCOMMISSION, CouncilKind.SUBCOMMISSION, 5,
                 Rank.PRINCIPAL)
    assert grants == [principal, district_liaison, member, deputy, seat]
    sub = Target(PROVINCE, SUBCOMMISSION)
    for permission in (Permission.VIEW_MEETINGS, Permission.VIEW_AGENDA,
                       Permission.VIEW_DECISIONS):
        assert allowed(permission, [seat], sub)
        assert not allowed(permission, [member, deputy], sub)
    for permission in (Permission.ANSWER_MEETING, Permission.PROPOSE,
                       Permission.REPORT_PROGRESS):
        assert allowed(permission, [seat], Target(PROVINCE, SUBCOMMISSION, 5))
        assert not allowed(permission, [seat], Target(PROVINCE, SUBCOMMISSION, 6))
    # The seat gives nothing the liaison role does not give already, and nothing twice.
    assert permissions_of(grants) == permissions_of([principal, district_liaison, member, deputy])
    assert with_subcommission(grants, {PROVINCIAL: SUBCOMMISSION}) == grants
    # No sub-commission recorded (or another province's): nothing is derived.
    assert with_subcommission([principal], {}) == [principal]
    assert with_subcommission([principal], {99: SUBCOMMISSION}) == [principal]


def test_nobody_without_roles_may_do_anything() -> None:
    for permission in Permission:
        assert not allowed(permission, [])


def test_province_wide_actions_are_the_provincial_directorates_alone() -> None:
    """Leave days (idari izin) and district councils belong to the province (Art. 6(9), 8)."""
    district = [grant(RoleKind.SECRETARIAT, DISTRICT, CouncilKind.DISTRICT)]
    provincial = [grant(RoleKind.SECRETARIAT)]
    for permission in (Permission.MANAGE_LEAVE, Permission.MANAGE_DISTRICTS):
        assert not allowed(permission, district)  # not even offered in a menu
        assert not allowed(permission, district, Target(PROVINCE))
        assert allowed(permission, provincial, Target(PROVINCE))


def test_meetings_secretariat_schedules_chair_approves_institutions_answer() -> None:
    """Art. 11(3): the secretariat sends notices, the chair decides; Art. 9: members answer."""
    secretariat, chair = [grant(RoleKind.SECRETARIAT)], [grant(RoleKind.CHAIR)]
    member = [grant(RoleKind.MEMBER, institution=5)]
    council = Target(PROVINCE, PROVINCIAL)
    assert allowed(Permission.SCHEDULE_MEETING, secretariat, council)
    assert not allowed(Permission.SCHEDULE_MEETING, chair, council)
    assert allowed(Permission.APPROVE_MEETING, chair, council)
    assert not allowed(Permission.APPROVE_MEETING, secretariat, council)
    assert allowed(Permission.ANSWER_MEETING, member, Target(PROVINCE, PROVINCIAL, 5))
    assert not allowed(Permission.ANSWER_MEETING, member, Target(PROVINCE, PROVINCIAL, 6))
    for permission in (Permission.VIEW_ATTENDANCE,):
        assert allowed(permission, secretariat, council) and allowed(permission, chair, council)
        assert not allowed(permission, member, council)
    for permission in (Permission.MARK_ATTENDANCE, Permission.EXPORT_ATTENDANCE):
        assert allowed(permission, secretariat, council)
        assert not allowed(permission, chair, council)
    assert allowed(Permission.VIEW_MEETINGS, member, council)
    assert not allowed(Permission.VIEW_MEETINGS, member, Target(PROVINCE, DISTRICT))


def test_the_readme_shows_the_permission_table_of_the_code() -> None:
    """design.md principle 4: one table, in code, rendered into the README."""
    from pathlib import Path

    from bot.domain.entrypoints import readme_block
    from bot.domain.permissions import SUMMARY, TABLE

    assert set(SUMMARY) == set(TABLE) == set(Permission)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- permissions:start -->\n", 1)[1]
    shown = block.split("\n<!-- permissions:end -->")[0]
    assert shown == readme_block(), "run `python -m bot permissions` and update the README"
