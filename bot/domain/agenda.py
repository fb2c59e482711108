"""The agenda of a meeting (Art. 10): topic areas, kinds and states of a proposal, the "late"
rule, and the order in which an agenda is read. Pure: no I/O.

* Topic areas: a council's agenda is built on social cohesion, then regular migration,
  international protection, temporary protection, combating human trafficking, irregular
  migration and other topics the chair accepts (Art. 10(5)); the sub-commission works in the
  areas of Art. 6(7) (education, health, labour market, social support, information, social
  participation, public order, public security, public health, other).
* Kinds: a regular item of an institution (Art. 10(2)); a special agenda request (Art. 10(2),
  "özel gündem talebi"); an incident or social-tension risk, which gets its own mark and on
  which the council must decide (Art. 10(9)); an institution's activities for foreigners
  (Art. 10(8)); and findings forwarded upwards by the secretariat: the sub-commission's
  (Art. 10(3)) and a district council's (Art. 10(7)).
* Deadline: proposals are due 15 days before a council (Art. 10(2)); one sent after that is
  still taken, marked late, and the secretariat decides. The sub-commission has no statutory
  deadline: Art. 10 speaks of "kurul" (see ``bot.domain.calendar.meeting_deadlines``).
* Order: the fixed items first — the evaluation of the previous meeting's decisions (Art.
  5(7)); at the first council of the year, instead, last year's decisions and the new year's
  plan (Art. 5(12)), the annual evaluation report (Art. 5(12), 13(2)), the sub-commission and
  its member list (Art. 5(8), 6(1), 6(5)); always the Local Cohesion Action Plan (Art. 10(4);
  its approval at the first council, Art. 5(13)) — then accepted items grouped by topic area
  in the article's order, each group in the secretariat's order, risk items marked.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.domain.models import CouncilKind

TITLE_MAX = 120
TEXT_MAX = 3000
QUESTION_MAX = 1000
ANSWER_MAX = 3000
REASON_MAX = 500
MAX_ATTACHMENTS = 10
# Telegram lets a bot download files up to 20 MB (getFile).
DOWNLOAD_LIMIT = 20 * 1024 * 1024


class TopicArea(enum.StrEnum):
    # Art. 10(5), in the article's order: social cohesion is the main one.
    SOCIAL_COHESION = "social_cohesion"
    REGULAR_MIGRATION = "regular_migration"
    INTERNATIONAL_PROTECTION = "international_protection"
    TEMPORARY_PROTECTION = "temporary_protection"
    HUMAN_TRAFFICKING = "human_trafficking"
    IRREGULAR_MIGRATION = "irregular_migration"
    # Art. 6(7), the sub-commission's work areas.
    EDUCATION = "education"
    HEALTH = "health"
    LABOUR_MARKET = "labour_market"
    SOCIAL_SUPPORT = "social_support"
    INFORMATION = "information"
    SOCIAL_PARTICIPATION = "social_participation"
    PUBLIC_ORDER = "public_order"
    PUBLIC_SECURITY = "public_security"
    PUBLIC_HEALTH = "public_health"
    OTHER = "other"   # both lists end with "other" (the chair's, Art. 10(5); Art. 6(7))


COUNCIL_AREAS = (
    TopicArea.SOCIAL_COHESION, TopicArea.REGULAR_MIGRATION, TopicArea.INTERNATIONAL_PROTECTION,
    TopicArea.TEMPORARY_PROTECTION, TopicArea.HUMAN_TRAFFICKING, TopicArea.IRREGULAR_MIGRATION,
    TopicArea.OTHER,
)
SUBCOMMISSION_AREAS = (
    TopicArea.EDUCATION, TopicArea.HEALTH, TopicArea.LABOUR_MARKET, TopicArea.SOCIAL_SUPPORT,
    TopicArea.INFORMATION, TopicArea.SOCIAL_PARTICIPATION, TopicArea.PUBLIC_ORDER,
    TopicArea.PUBLIC_SECURITY, TopicArea.PUBLIC_HEALTH, TopicArea.OTHER,
)


def areas_for(kind: CouncilKind) -> tuple[TopicArea, ...]:
    """Art. 10(5) for the councils, Art. 6(7) for the sub-commission."""
    return SUBCOMMISSION_AREAS if kind is CouncilKind.SUBCOMMISSION else COUNCIL_AREAS


class ProposalKind(enum.StrEnum):
    REGULAR = "regular"          # Art. 10(2)
    SPECIAL = "special"          # Art. 10(2): "özel gündem talebi"
    RISK = "risk"                # Art. 10(9)
    ACTIVITY = "activity"        # Art. 10(8)
    FINDING = "finding"          # forwarded upwards: Art. 10(3) sub-commission, 10(7) district


# What an officer may choose; findings are only forwarded by the secretariat.
PROPOSABLE_KINDS = (ProposalKind.REGULAR, ProposalKind.SPECIAL, ProposalKind.RISK,
                    ProposalKind.ACTIVITY)
KIND_ARTICLES = {
    ProposalKind.REGULAR: "Art. 10(2)",
    ProposalKind.SPECIAL: "Art. 10(2)",
    ProposalKind.RISK: "Art. 10(9)",
    ProposalKind.ACTIVITY: "Art. 10(8)",
    ProposalKind.FINDING: "Art. 10(3)",
}


def finding_article(origin: CouncilKind) -> str:
    """Sub-commission findings and reports go on the council's agenda (Art. 10(3)); findings
    of the district councils too (Art. 10(7))."""
    return "Art. 10(3)" if origin is CouncilKind.SUBCOMMISSION else "Art. 10(7)"


class ProposalStatus(enum.StrEnum):
    DRAFT = "draft"              # being written; the institution's, not yet sent
    SUBMITTED = "submitted"      # waiting for the secretariat
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    MERGED = "merged"            # merged into another proposal of the same meeting
    WITHDRAWN = "withdrawn"


# The institution may change or withdraw a proposal until the secretariat decides.
EDITABLE = frozenset({ProposalStatus.DRAFT, ProposalStatus.SUBMITTED})
DECIDED = frozenset({ProposalStatus.ACCEPTED, ProposalStatus.REJECTED, ProposalStatus.MERGED})


def editable(status: ProposalStatus) -> bool:
    return status in EDITABLE


def is_late(sent_on: date, due: date | None) -> bool:
    """Art. 10(2): due 15 days before the council; sent on the due day is on time. No due date
    (the sub-commission, or an extraordinary meeting called at short notice is still dated)
    means never late."""
    return due is not None and sent_on > due


# --- typed text -------------------------------------------------------------------------------


class TextProblem(enum.StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"


class AgendaTextError(ValueError):
    """A typed text that cannot be used; ``over`` says by how many characters it is too long."""

    def __init__(self, problem: TextProblem, limit: int = 0, over: int = 0) -> None:
        super().__init__(problem.value)
        self.problem, self.limit, self.over = problem, limit, over


def _normalized(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").strip()


def clean_title(text: str | None) -> str:
    """A title on one line, at most TITLE_MAX characters."""
    cleaned = " ".join(_normalized(text).split())
    return _checked(cleaned, TITLE_MAX)


def clean_body(text: str | None, limit: int) -> str:
    """A longer text keeps its paragraphs (line breaks), at most ``limit`` characters."""
    lines = [" ".join(line.split()) for line in _normalized(text).split("\n")]
    return _checked("\n".join(lines).strip(), limit)


def _checked(cleaned: str, limit: int) -> str:
    if not cleaned:
        raise AgendaTextError(TextProblem.EMPTY, limit)
    if len(cleaned) > limit:
        raise AgendaTextError(TextProblem.TOO_LONG, limit, len(cleaned) - limit)
    return cleaned


def appended(current: str, more: str | None, limit: int = TEXT_MAX) -> str:
    """The description with one more message added (it may come in several messages)."""
    piece = clean_body(more, limit)
    joined = f"{current}\n\n{piece}" if current else piece
    if len(joined) > limit:
        raise AgendaTextError(TextProblem.TOO_LONG, limit, len(joined) - limit)
    return joined


# --- attachments ------------------------------------------------------------------------------

# The types kept with a proposal: office documents, PDFs and photos. Anything else (archives,
# executables, audio, video) is refused: the agenda is read by officials on office machines.
ALLOWED_EXTENSIONS = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}


class FileProblem(enum.StrEnum):
    TOO_BIG = "too_big"
    WRONG_TYPE = "wrong_type"
    TOO_MANY = "too_many"


def check_file(filename: str, size: int | None, count_so_far: int) -> FileProblem | None:
    """Whether a file may be kept with a proposal (size unknown counts as too big: Telegram
    will not say, and the download would fail beyond 20 MB)."""
    if count_so_far >= MAX_ATTACHMENTS:
        return FileProblem.TOO_MANY
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in ALLOWED_EXTENSIONS:
        return FileProblem.WRONG_TYPE
    if size is None or size > DOWNLOAD_LIMIT:
        return FileProblem.TOO_BIG
    return None


# --- the agenda -------------------------------------------------------------------------------


class Fixed(enum.StrEnum):
    PREVIOUS_DECISIONS = "previous_decisions"      # Art. 5(7)
    YEAR_REVIEW = "year_review"                    # Art. 5(12), first council of the year
    ANNUAL_REPORT = "annual_report"                # Art. 5(12), 13(2)
    SUBCOMMISSION_LIST = "subcommission_list"      # Art. 5(8), 6(1), 6(5)
    ACTION_PLAN = "action_plan"                    # Art. 10(4)
    ACTION_PLAN_APPROVAL = "action_plan_approval"  # Art. 5(13)
    ACTION_PLAN_MONITORING = "action_plan_monitoring"  # Art. 5(14), the sub-commission


FIXED_ARTICLES = {
    Fixed.PREVIOUS_DECISIONS: "Art. 5(7)",
    Fixed.YEAR_REVIEW: "Art. 5(12)",
    Fixed.ANNUAL_REPORT: "Art. 13(2)",
    Fixed.SUBCOMMISSION_LIST: "Art. 5(8)",
    Fixed.ACTION_PLAN: "Art. 10(4)",
    Fixed.ACTION_PLAN_APPROVAL: "Art. 5(13)",
    Fixed.ACTION_PLAN_MONITORING: "Art. 5(14)",
}


def fixed_items(kind: CouncilKind, first_of_year: bool) -> list[Fixed]:
    """The items every agenda opens with.

    Councils evaluate the previous meeting's decisions (Art. 5(7)) and always have the Local
    Cohesion Action Plan (Art. 10(4)). The first provincial council of the year reviews last
    year and plans the new one (Art. 5(12)), approves the annual report (Art. 5(12), 13(2)),
    forms the sub-commission and signs its list (Art. 5(8), 6(1), 6(5)) and approves the
    action plan (Art. 5(13)); those duties are the provincial council's (the sub-commission
    and the report are provincial, Art. 6(1), 13(1)). The sub-commission, to which Art. 10 does
    not speak, follows the action plan and reports on it (Art. 5(14)).
    """
    if kind is CouncilKind.SUBCOMMISSION:
        return [Fixed.ACTION_PLAN_MONITORING]
    if first_of_year and kind is CouncilKind.PROVINCIAL:
        return [Fixed.YEAR_REVIEW, Fixed.ANNUAL_REPORT, Fixed.SUBCOMMISSION_LIST,
                Fixed.ACTION_PLAN_APPROVAL]
    return [Fixed.PREVIOUS_DECISIONS, Fixed.ACTION_PLAN]


@dataclass(frozen=True, slots=True)
class Item:
    """An accepted proposal as the agenda orders it."""

    proposal_id: int
    area: TopicArea
    kind: ProposalKind
    title: str
    source: str          # the institution, or where a forwarded finding came from
    position: int        # the secretariat's order within the meeting


@dataclass(frozen=True, slots=True)
class Group:
    area: TopicArea
    items: list[Item]


@dataclass(frozen=True, slots=True)
class Agenda:
    fixed: list[Fixed]
    groups: list[Group]

    def numbered(self) -> list[tuple[int, Fixed | Item]]:
        """Every entry with its number, as the agenda is read."""
        entries: list[Fixed | Item] = [*self.fixed]
        for group in self.groups:
            entries += group.items
        return list(enumerate(entries, start=1))


def build_agenda(kind: CouncilKind, first_of_year: bool, accepted: Sequence[Item]) -> Agenda:
    """Fixed items first, then the accepted items by topic area in the article's order (Art.
    10(5) / 6(7)); inside an area the secretariat's order."""
    order = {area: n for n, area in enumerate([*areas_for(kind), *TopicArea])}
    groups: dict[TopicArea, list[Item]] = {}
    for item in sorted(accepted, key=lambda i: (order[i.area], i.position, i.proposal_id)):
        groups.setdefault(item.area, []).append(item)
    return Agenda(fixed_items(kind, first_of_year),
                  [Group(area, items) for area, items in groups.items()])


def is_risk(item: Item) -> bool:
    """Art. 10(9): incidents and social tensions are marked; the council must decide on them."""
    return item.kind is ProposalKind.RISK
