"""The agenda's rules (Art. 10), purely."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.agenda import (
    DOWNLOAD_LIMIT,
    AgendaTextError,
    FileProblem,
    Fixed,
    Item,
    ProposalKind,
    ProposalStatus,
    TopicArea,
    appended,
    areas_for,
    build_agenda,
    check_file,
    clean_title,
    editable,
    fixed_items,
    is_late,
)
from bot.domain.models import CouncilKind


def test_art_10_5_council_areas_start_with_social_cohesion_and_6_7_for_the_subcommission() -> None:
    assert areas_for(CouncilKind.PROVINCIAL)[0] is TopicArea.SOCIAL_COHESION
    assert TopicArea.EDUCATION not in areas_for(CouncilKind.DISTRICT)
    assert areas_for(CouncilKind.SUBCOMMISSION)[0] is TopicArea.EDUCATION
    assert areas_for(CouncilKind.SUBCOMMISSION)[-1] is TopicArea.OTHER


def test_art_10_2_due_fifteen_days_before_on_the_day_is_on_time() -> None:
    due = date(2027, 3, 28)
    assert not is_late(date(2027, 3, 28), due)
    assert is_late(date(2027, 3, 29), due)
    assert not is_late(date(2027, 6, 1), None)  # the sub-commission: no statutory deadline


def test_editable_until_the_secretariat_decides() -> None:
    assert editable(ProposalStatus.DRAFT) and editable(ProposalStatus.SUBMITTED)
    assert not any(editable(s) for s in (ProposalStatus.ACCEPTED, ProposalStatus.REJECTED,
                                         ProposalStatus.MERGED))


def test_texts_say_how_much_is_over() -> None:
    with pytest.raises(AgendaTextError) as error:
        clean_title("x" * 125)
    assert error.value.over == 5 and error.value.limit == 120
    text = appended("", "a" * 2990)
    with pytest.raises(AgendaTextError) as error:
        appended(text, "b" * 20)
    assert error.value.over == 12
    assert appended("one", "two") == "one\n\ntwo"


def test_attachments_checked_before_download() -> None:
    assert check_file("rapor.PDF", 1000, 0) is None
    assert check_file("photo.jpg", DOWNLOAD_LIMIT, 0) is None
    assert check_file("big.pdf", DOWNLOAD_LIMIT + 1, 0) is FileProblem.TOO_BIG
    assert check_file("unknown.pdf", None, 0) is FileProblem.TOO_BIG
    assert check_file("tool.exe", 10, 0) is FileProblem.WRONG_TYPE
    assert check_file("a.pdf", 10, 10) is FileProblem.TOO_MANY


def test_art_5_7_and_10_4_fixed_items_first_then_items_by_area_risks_marked() -> None:
    items = [
        Item(1, TopicArea.IRREGULAR_MIGRATION, ProposalKind.RISK, "Risk", "Emniyet", 1),
        Item(2, TopicArea.SOCIAL_COHESION, ProposalKind.REGULAR, "B", "MEM", 3),
        Item(3, TopicArea.SOCIAL_COHESION, ProposalKind.REGULAR, "A", "Sağlık", 2),
    ]
    agenda = build_agenda(CouncilKind.PROVINCIAL, False, items)
    numbered = agenda.numbered()
    assert [e for _n, e in numbered[:2]] == [Fixed.PREVIOUS_DECISIONS, Fixed.ACTION_PLAN]
    assert [g.area for g in agenda.groups] == [TopicArea.SOCIAL_COHESION,
                                               TopicArea.IRREGULAR_MIGRATION]
    assert [i.title for i in agenda.groups[0].items] == ["A", "B"]  # the secretariat's order


def test_art_5_8_5_12_5_13_13_2_first_provincial_council_of_the_year() -> None:
    assert fixed_items(CouncilKind.PROVINCIAL, True) == [
        Fixed.YEAR_REVIEW, Fixed.ANNUAL_REPORT, Fixed.SUBCOMMISSION_LIST,
        Fixed.ACTION_PLAN_APPROVAL]
    assert fixed_items(CouncilKind.DISTRICT, True) == [Fixed.PREVIOUS_DECISIONS,
                                                       Fixed.ACTION_PLAN]
    assert fixed_items(CouncilKind.SUBCOMMISSION, False) == [Fixed.ACTION_PLAN_MONITORING]
