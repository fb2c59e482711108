"""Kinds of notification: how each is rendered, whether it is urgent, whether it still matters.

This module owns the registry the sender looks a row's kind up in, and the kinds the engine
itself needs:

* ``broadcast``: a free text from the secretariat to an audience (urgent: the secretariat
  confirmed it, it goes at once, quiet hours or not);
* ``delivery_report``: the report on a broadcast, to whoever sent it (urgent);
* ``unreachable``: "I cannot reach this person; ask them to press Start again", to the
  secretariat, once per person (not urgent).

Other capabilities register their own kinds (``bot.notify.reminders`` the calendar reminder;
meetings, agenda and decisions theirs) with ``register``. A renderer turns the stored payload
into text in the recipient's language at send time; it is pure (payload and translator in,
text out) so that what was queued yesterday reads in the language the person chose today.
A relevance check (optional, async, with the store) runs just before sending: a reminder that
became pointless is skipped, not sent.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.documents.calendar_export import council_title
from bot.domain.clock import Clock
from bot.domain.models import CouncilKind
from bot.i18n import N_, Translator
from bot.store import Store
from bot.store.outbox import Notice

Buttons = tuple[tuple[tuple[str, str], ...], ...]  # rows of (label, callback data)


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    parse_mode: str | None = "HTML"
    buttons: Buttons = ()


@dataclass(frozen=True, slots=True)
class WithDocument(Rendered):
    """A message that carries a file (a meeting's invitation, the minutes): sent as a document
    with the text as its caption (``bot.handlers.telegram_api``)."""

    filename: str = ""
    content: bytes = b""


@dataclass(frozen=True, slots=True)
class RenderInput:
    notice: dict[str, Any]        # the notice's payload
    item: dict[str, Any]          # the row's own payload (usually empty)
    t: Translator                 # in the recipient's language


Renderer = Callable[[RenderInput], Rendered]
Relevance = Callable[[Store, Clock, Notice], Awaitable[bool]]
Describer = Callable[[dict[str, Any], Translator], str]  # one line for report lists (plain)


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    render: Renderer
    urgent: bool = False          # goes at once, ignoring quiet hours
    reminder: bool = False        # shows a "late" marker when sent after it was due
    relevant: Relevance | None = None
    reported: bool = True         # listed in the secretariat's delivery reports
    describe: Describer | None = None

    def title(self, payload: dict[str, Any], t: Translator) -> str:
        return self.describe(payload, t) if self.describe is not None else self.name


@dataclass
class Kinds:
    by_name: dict[str, Kind] = field(default_factory=dict)

    def register(self, kind: Kind) -> Kind:
        self.by_name[kind.name] = kind
        return kind

    def get(self, name: str) -> Kind | None:
        return self.by_name.get(name)

    def reported(self) -> list[str]:
        return [k.name for k in self.by_name.values() if k.reported]


KINDS = Kinds()

LATE_MARKER = N_("⏰ <b>Late:</b> I was offline when this was due.")


def with_late_marker(rendered: Rendered, t: Translator) -> Rendered:
    """The visible mark of a reminder sent after its time (issue #4, 3)."""
    marker = t(LATE_MARKER)
    if rendered.parse_mode != "HTML":
        marker = marker.replace("<b>", "").replace("</b>", "")
    return Rendered(marker + "\n\n" + rendered.text, rendered.parse_mode, rendered.buttons)


# --- broadcast --------------------------------------------------------------------------------

# Who a broadcast went to, as the header of the message and in reports.
AUDIENCE_LABELS = {
    "members": N_("Members of the {council}"),
    "liaison": N_("Liaison officers of the {council}"),
    "province": N_("Everyone in {province}"),
    "group": N_("The Telegram group of the {council}"),
}


def council_name(t: Translator, payload: dict[str, Any]) -> str:
    return council_title(t, CouncilKind(payload["council_kind"]), payload["council_name"])


def audience_label(t: Translator, payload: dict[str, Any]) -> str:
    template = t(AUDIENCE_LABELS[payload["audience"]])
    return template.format(council=council_name(t, payload),
                           province=payload.get("province_name", ""))


def render_broadcast(data: RenderInput) -> Rendered:
    t, payload = data.t, data.notice
    header = t("📢 <b>Message from the secretariat of the {council}</b>").format(
        council=html.escape(council_name(t, payload)))
    return Rendered(header + "\n\n" + html.escape(payload["text"]))


# --- delivery report --------------------------------------------------------------------------

REASON_LABELS = {
    "blocked": N_("has blocked the bot"),
    "not_started": N_("has never started the bot"),
    "deactivated": N_("has deleted their Telegram account"),
    "chat_not_found": N_("cannot be found on Telegram"),
    "forbidden": N_("does not accept messages from the bot"),
}
START_AGAIN = N_(
    "Please ask them to open the bot in Telegram and press Start again; messages will reach "
    "them from then on."
)
# A report is one Telegram message (4,096 characters at most): long name lists are cut.
MAX_NAMES = 30


def reason_label(t: Translator, reason: str | None) -> str:
    return t(REASON_LABELS.get(reason or "", REASON_LABELS["forbidden"]))


def person_line(name: str, title: str) -> str:
    return html.escape(f"{name} ({title})" if title else name)


def name_lines(t: Translator, people: Sequence[Sequence[str]], with_reason: bool) -> list[str]:
    lines = []
    for entry in people[:MAX_NAMES]:
        line = "• " + person_line(entry[0], entry[1])
        if with_reason:
            line += " — " + html.escape(reason_label(t, entry[2]))
        lines.append(line)
    if len(people) > MAX_NAMES:
        more = len(people) - MAX_NAMES
        lines.append(t.ngettext("…and {n} more", "…and {n} more", more).format(n=more))
    return lines


def report_lines(t: Translator, payload: dict[str, Any]) -> list[str]:
    """The body of a delivery report from its payload (also used by /deliveries)."""
    total, sent = int(payload["total"]), int(payload["sent"])
    lines = [t.ngettext("Delivered to {sent} of {total} person.",
                        "Delivered to {sent} of {total} people.", total).format(
        sent=sent, total=total)]
    pending = int(payload.get("pending", 0))
    if pending:
        lines.append(t("Still being sent: {n}.").format(n=pending))
    unreachable = payload.get("unreachable") or []
    if unreachable:
        lines += ["", t("<b>Not reachable ({n}):</b>").format(n=len(unreachable))]
        lines += name_lines(t, unreachable, with_reason=True)
        lines.append(t(START_AGAIN))
    failed = payload.get("failed") or []
    if failed:
        lines += ["", t("<b>Could not be delivered ({n}):</b>").format(n=len(failed))]
        lines += name_lines(t, failed, with_reason=False)
        lines.append(t("Telegram kept failing for them; I gave up after several attempts."))
    skipped = int(payload.get("skipped", 0))
    if skipped:
        lines.append(t("Not sent because no longer relevant: {n}.").format(n=skipped))
    return lines


def render_delivery_report(data: RenderInput) -> Rendered:
    t, payload = data.t, data.notice
    title = t("📬 <b>Delivery report</b>: {audience}").format(
        audience=html.escape(audience_label(t, payload["about"])))
    lines = [title, "", *report_lines(t, payload)]
    return Rendered("\n".join(lines))


# --- an unreachable person, once --------------------------------------------------------------

def render_unreachable(data: RenderInput) -> Rendered:
    t, payload = data.t, data.notice
    text = t("⚠️ I could not deliver a message to {person}: {reason}.").format(
        person=person_line(payload["name"], payload["title"]),
        reason=html.escape(reason_label(t, payload["reason"])))
    return Rendered(text + "\n" + t(START_AGAIN))


def describe_broadcast(payload: dict[str, Any], t: Translator) -> str:
    text = " ".join(str(payload.get("text", "")).split())
    snippet = text if len(text) <= 40 else text[:39] + "…"
    return "📢 " + audience_label(t, payload) + ": “" + snippet + "”"


BROADCAST = KINDS.register(
    Kind("broadcast", render_broadcast, urgent=True, describe=describe_broadcast))
DELIVERY_REPORT = KINDS.register(
    Kind("delivery_report", render_delivery_report, urgent=True, reported=False))
UNREACHABLE = KINDS.register(Kind("unreachable", render_unreachable, reported=False))
