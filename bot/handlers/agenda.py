"""Agenda proposals on Telegram (issue 6): ``/propose``, ``/myproposals``, ``/proposals``,
``/agenda``.

``/propose`` (a liaison officer, a member, the secretariat), short enough for a phone: the
meeting (with its deadline, Art. 10(2)) → topic area → kind → title → description in one or
several messages → attachments (optional) → preview → send. Back on every step, /cancel
anywhere. The draft is saved as soon as it has a title and belongs to the institution: the
substitute continues what the principal started (from ``/myproposals``), and a restart loses
nothing; the flow's own state (``ctx.draft``) holds only ids.

``/myproposals``: the institution's proposals with their status; change or withdraw until the
secretariat decides; answer its questions. ``/proposals`` (secretariat): a queue per meeting;
accept, reject with a reason, merge, ask, reorder, forward upwards; publish the agenda.
``/agenda``: a meeting's agenda and its DOCX.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InputFile, Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)
from telegram.ext import filters as f

from bot.documents.agenda_docx import AgendaDocument, AgendaSection, docx_bytes
from bot.documents.calendar_export import council_title
from bot.domain.agenda import (
    ANSWER_MAX,
    DOWNLOAD_LIMIT,
    PROPOSABLE_KINDS,
    QUESTION_MAX,
    REASON_MAX,
    TEXT_MAX,
    TITLE_MAX,
    AgendaTextError,
    FileProblem,
    ProposalKind,
    ProposalStatus,
    TextProblem,
    TopicArea,
    appended,
    areas_for,
    editable,
)
from bot.domain.models import CouncilKind
from bot.domain.validation import upper_tr
from bot.handlers.base import (
    END,
    KurulContext,
    answer,
    buttons,
    command_entry,
    conversation,
    data_parts,
    edit_or_send,
    guarded,
    int_part,
    remember_prompt,
    send,
    split_messages,
    text_of,
    want_button,
    want_text,
)
from bot.handlers.labels import refusal_text
from bot.i18n import N_, Translator
from bot.notify.agenda_kinds import agenda_lines
from bot.notify.engine import notifier_of
from bot.notify.quiet import QuietHours
from bot.services import agenda as service
from bot.services.errors import Refusal, ServiceError
from bot.store.agenda import Proposal

FLOW = "propose"
TEXT_FLOW = "agenda_text"
P_TARGET, P_AREA, P_KIND, P_TITLE, P_TEXT, P_FILES, P_PREVIEW = (
    "ap_target", "ap_area", "ap_kind", "ap_title", "ap_text", "ap_files", "ap_preview")
T_TEXT = "ag_text"

AGENDA_REFUSALS = {
    service.HELD: N_("This meeting has already taken place or was cancelled: it takes no more "
                     "proposals."),
    service.DECIDED_ALREADY: N_("The secretariat has already decided on this proposal: it "
                                "can no longer be changed."),
    service.EMPTY_DESCRIPTION: N_("Please write the description first."),
    service.SAME_PROPOSAL: N_("A proposal cannot be merged into itself."),
    service.NO_PROVINCIAL_TARGET: N_("The provincial council has no upcoming meeting or "
                                     "period to forward this to."),
    service.ANSWERED_ALREADY: N_("This question has already been answered."),
}
FILE_PROBLEMS = {
    FileProblem.TOO_BIG: N_("This file is larger than 20 MB, the most Telegram lets me "
                            "download. Please send a smaller file or a PDF."),
    FileProblem.WRONG_TYPE: N_("I do not keep this type of file. Please send a PDF, Word, "
                               "Excel, OpenDocument or PowerPoint file, or a photo."),
    FileProblem.TOO_MANY: N_("A proposal can have at most 10 attachments."),
}


def _quiet(ctx: KurulContext) -> QuietHours | None:
    return notifier_of(ctx.application).quiet


def _queued(ctx: KurulContext) -> None:
    notifier_of(ctx.application).queued()


def refusal(t: Translator, error: ServiceError) -> str:
    if isinstance(error, service.AgendaRefused):
        return t(AGENDA_REFUSALS[error.reason])
    return refusal_text(t, error)


def text_problem(t: Translator, error: AgendaTextError) -> str:
    if error.problem is TextProblem.EMPTY:
        return t("This cannot be empty.")
    return t.ngettext(
        "This is {over} character too long: at most {limit} characters, please. Nothing was "
        "lost; please send a shorter version.",
        "This is {over} characters too long: at most {limit} characters, please. Nothing was "
        "lost; please send a shorter version.", error.over).format(
        over=error.over, limit=f"{error.limit:,}".replace(",", "."))


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def deadline_line(t: Translator, target: service.AgendaTarget, today: Any) -> str:
    if target.due is None:
        return t("The sub-commission has no statutory deadline for proposals; please send "
                 "yours as early as you can.")
    due = t.date(target.due)
    if today > target.due:
        return t("⚠️ Proposals were due on {date} ({article}). Yours is still taken, marked "
                 "late, and the secretariat decides.").format(
            date=due, article=t.article("Art. 10(2)"))
    text = t("Proposals are due on {date} ({article}).").format(
        date=due, article=t.article("Art. 10(2)"))
    if target.estimated:
        text += " " + t("The date is estimated from the calendar until the meeting is "
                        "scheduled.")
    return text


# --- /propose ---------------------------------------------------------------------------------


async def _prompt(update: Update, ctx: KurulContext, text: str,
                  rows: list[list[tuple[str, str]]], new: bool = False) -> None:
    markup = buttons(rows)
    message = (await send(update, ctx, text, markup, parse_mode="HTML") if new
               else await edit_or_send(update, ctx, text, markup, parse_mode="HTML"))
    remember_prompt(ctx.draft(FLOW), message)


def _nav(ctx: KurulContext, back: bool = True) -> list[tuple[str, str]]:
    row = [(ctx.t("◀ Back"), "ap:back")] if back else []
    return [*row, (ctx.t("Cancel"), "ap:x")]


async def _target(ctx: KurulContext) -> service.AgendaTarget:
    draft = ctx.draft(FLOW)
    return await service.offer_for(ctx.store, ctx.clock, ctx.grants, draft["key"],
                                   draft.get("institution"))


async def _proposal(ctx: KurulContext) -> Proposal | None:
    pid = ctx.draft(FLOW).get("pid")
    return await service.get_own(ctx.store, ctx.grants, int(pid)) if pid else None


def safe(state: str) -> Any:
    """Refusals inside the flow end it, saying why; a saved draft stays for /myproposals."""

    def wrap(step: Any) -> Any:
        async def run(update: Update, ctx: KurulContext) -> str | int:
            try:
                return await step(update, ctx)  # type: ignore[no-any-return]
            except ServiceError as error:
                await answer(update, ctx)
                text = refusal(ctx.t, error)
                # The draft row stays; say so unless the person may no longer reach it.
                if ctx.draft(FLOW).get("pid") and isinstance(error, service.AgendaRefused):
                    text += "\n" + ctx.t("What you wrote is kept as a draft in /myproposals.")
                await send(update, ctx, text)
                ctx.drop_draft(FLOW)
                return END

        return run

    return wrap


async def propose_start(update: Update, ctx: KurulContext) -> str | int:
    await answer(update, ctx)
    ctx.drop_draft(FLOW)
    found = await service.offers(ctx.store, ctx.clock, ctx.grants)
    if not found:
        await send(update, ctx, ctx.t("There is no meeting you can send a proposal to now."))
        return END
    draft = ctx.draft(FLOW)
    draft["offers"] = [[o.target.key, o.institution_id] for o in found]
    if len(found) == 1:
        draft.update(key=found[0].target.key, institution=found[0].institution_id)
        return await _ask_area(update, ctx, new=True)
    many = len({o.institution_id for o in found}) > 1
    rows = [[(service.target_title(ctx.t, o.target)
              + (f" — {o.institution_name}" if many and o.institution_name else ""),
              f"ap:t:{n}")] for n, o in enumerate(found[:20])]
    rows.append(_nav(ctx, back=False))
    await _prompt(update, ctx, ctx.t("Which meeting is your proposal for?"), rows, new=True)
    return P_TARGET


async def propose_from_call(update: Update, ctx: KurulContext) -> str | int:
    """The agenda call's button: straight to the topic area of that meeting."""
    await answer(update, ctx)
    key = f"m:{int_part(update, 2)}"
    found = [o for o in await service.offers(ctx.store, ctx.clock, ctx.grants)
             if o.target.key == key]
    if not found:
        try:
            target = await service.resolve(ctx.store, ctx.clock, key)
            if not await service.may_propose_to(ctx.store, ctx.grants, target.council.id):
                raise ServiceError(Refusal.FORBIDDEN, "propose")
        except ServiceError as error:
            # Someone else's meeting (a forged or forwarded button) is refused as such.
            await send(update, ctx, refusal(ctx.t, error))
            return END
        await send(update, ctx, ctx.t("You cannot send a proposal to this meeting (any more)."))
        return END
    ctx.drop_draft(FLOW)
    ctx.draft(FLOW).update(key=key, institution=found[0].institution_id)
    return await _ask_area(update, ctx, new=True)


@guarded(FLOW, P_TARGET)
@safe(P_TARGET)
async def target_chosen(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(FLOW)
    index = int_part(update, 2)
    offered = draft.get("offers", [])
    if index is None or not 0 <= index < len(offered):
        await answer(update, ctx, ctx.t("This button is no longer active."), alert=True)
        return P_TARGET
    draft.update(key=offered[index][0], institution=offered[index][1])
    return await _ask_area(update, ctx)


async def _header(ctx: KurulContext) -> str:
    target = await _target(ctx)
    today = target.where.local(ctx.clock.now()).date()
    return "<b>" + html.escape(service.target_title(ctx.t, target)) + "</b>\n" + \
        html.escape(deadline_line(ctx.t, target, today))


async def _ask_area(update: Update, ctx: KurulContext, new: bool = False) -> str | int:
    target = await _target(ctx)
    areas = areas_for(target.council.kind)
    labels = [(ctx.t(service.AREA_LABELS[a]), f"ap:a:{a.value}") for a in areas]
    rows = [labels[n:n + 2] for n in range(0, len(labels), 2)]
    article = "Art. 6(7)" if target.council.kind is CouncilKind.SUBCOMMISSION else "Art. 10(5)"
    rows.append(_nav(ctx, back=len(ctx.draft(FLOW).get("offers", [])) > 1))
    text = await _header(ctx) + "\n\n" + ctx.t("Step 1 of 6 — Topic area ({article}):").format(
        article=ctx.t.article(article))
    await _prompt(update, ctx, text, rows, new=new)
    return P_AREA


@guarded(FLOW, P_AREA)
@safe(P_AREA)
async def area_chosen(update: Update, ctx: KurulContext) -> str | int:
    target = await _target(ctx)
    return await _chosen(update, ctx, P_AREA, "area", TopicArea,
                         {a.value for a in areas_for(target.council.kind)}, _ask_kind)


async def _chosen(update: Update, ctx: KurulContext, state: str, field: str,
                  parse: Callable[[str], Any], valid: set[str],
                  then: Callable[[Update, KurulContext], Awaitable[str | int]]) -> str | int:
    """A button answering one field of the draft: kept, and then the next step, or (when
    editing a proposal already saved) the proposal changed and its preview shown again."""
    value = data_parts(update)[-1]
    if value not in valid:
        await answer(update, ctx, ctx.t("This button is no longer active."), alert=True)
        return state
    draft = ctx.draft(FLOW)
    draft[field] = value
    if draft.get("pid"):
        await service.change(ctx.store, ctx.clock, ctx.grants, _person(ctx), int(draft["pid"]),
                             **{field: parse(value)})
        return await _preview(update, ctx)
    return await then(update, ctx)


KIND_BUTTONS = {
    ProposalKind.REGULAR: N_("Regular agenda item"),
    ProposalKind.SPECIAL: N_("Special agenda request (Art. 10(2))"),
    ProposalKind.RISK: N_("⚠️ Incident or social-tension risk (Art. 10(9))"),
    ProposalKind.ACTIVITY: N_("Activities of our institution for foreigners (Art. 10(8))"),
}


async def _ask_kind(update: Update, ctx: KurulContext) -> str | int:
    rows = [[(ctx.t(KIND_BUTTONS[k]), f"ap:k:{k.value}")] for k in PROPOSABLE_KINDS]
    rows.append(_nav(ctx))
    await _prompt(update, ctx, await _header(ctx) + "\n\n" + ctx.t("Step 2 of 6 — Kind of item:"),
                  rows)
    return P_KIND


@guarded(FLOW, P_KIND)
@safe(P_KIND)
async def kind_chosen(update: Update, ctx: KurulContext) -> str | int:
    await _target(ctx)  # re-checked on every step: a role may have ended meanwhile
    return await _chosen(update, ctx, P_KIND, "kind", ProposalKind,
                         {k.value for k in PROPOSABLE_KINDS}, _ask_title)


async def _ask_title(update: Update, ctx: KurulContext) -> str | int:
    text = ctx.t("Step 3 of 6 — Type the title of the item (at most {limit} characters).").format(
        limit=TITLE_MAX)
    await _prompt(update, ctx, text, [_nav(ctx)])
    return P_TITLE


def _person(ctx: KurulContext) -> Any:
    assert ctx.person is not None
    return ctx.person


@safe(P_TITLE)
async def title_received(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(FLOW)
    try:
        if draft.get("pid"):
            await service.change(ctx.store, ctx.clock, ctx.grants, _person(ctx),
                                 int(draft["pid"]), title=text_of(update))
            return await _preview(update, ctx, new=True)
        proposal = await service.start(
            ctx.store, ctx.clock, ctx.grants, _person(ctx), draft["key"],
            draft.get("institution"), TopicArea(draft["area"]), ProposalKind(draft["kind"]),
            text_of(update) or "")
    except AgendaTextError as error:
        await send(update, ctx, text_problem(ctx.t, error))
        return P_TITLE
    draft["pid"] = proposal.id
    return await _ask_text(update, ctx, new=True)


async def _ask_text(update: Update, ctx: KurulContext, new: bool = False) -> str | int:
    proposal = await _proposal(ctx)
    current = len(proposal.description) if proposal else 0
    lines = [ctx.t("Step 4 of 6 — Describe the item and why it should be on the agenda (at "
                   "most {limit} characters). You may send several messages; press Done "
                   "when finished.").format(limit=f"{TEXT_MAX:,}".replace(",", "."))]
    rows = [[(ctx.t("✅ Done"), "ap:done")]]
    if current:
        lines.append(ctx.t("So far: {n} of {limit} characters.").format(
            n=current, limit=f"{TEXT_MAX:,}".replace(",", ".")))
        rows.append([(ctx.t("🗑 Start the description over"), "ap:clr")])
    rows.append(_nav(ctx))
    await _prompt(update, ctx, "\n".join(lines), rows, new=new)
    return P_TEXT


@safe(P_TEXT)
async def text_received(update: Update, ctx: KurulContext) -> str | int:
    proposal = await _proposal(ctx)
    assert proposal is not None
    try:
        joined = appended(proposal.description, text_of(update))
    except AgendaTextError as error:
        await send(update, ctx, text_problem(ctx.t, error))
        return P_TEXT
    await service.change(ctx.store, ctx.clock, ctx.grants, _person(ctx), proposal.id,
                         description=joined)
    return await _ask_text(update, ctx, new=True)


@guarded(FLOW, P_TEXT)
@safe(P_TEXT)
async def text_cleared(update: Update, ctx: KurulContext) -> str | int:
    await service.change(ctx.store, ctx.clock, ctx.grants, _person(ctx),
                         int(ctx.draft(FLOW)["pid"]), description="")
    return await _ask_text(update, ctx)


@guarded(FLOW, P_TEXT)
@safe(P_TEXT)
async def text_done(update: Update, ctx: KurulContext) -> str | int:
    proposal = await _proposal(ctx)
    if proposal is None or not proposal.description:
        await answer(update, ctx)
        await send(update, ctx, ctx.t("Please write the description first."))
        return P_TEXT
    return await _ask_files(update, ctx)


async def _ask_files(update: Update, ctx: KurulContext, new: bool = False,
                     note: str | None = None) -> str | int:
    proposal = await _proposal(ctx)
    assert proposal is not None
    kept = await ctx.store.agenda.attachments(proposal.id)
    lines = [note] if note else []
    lines.append(ctx.t("Step 5 of 6 — Attachments (optional): send documents (PDF, Word, Excel, "
                       "OpenDocument) or photos, up to 20 MB each, then press Done."))
    lines += [f"📎 {html.escape(a.filename)} ({_size(a.size)})" for a in kept]
    rows = [[(ctx.t("✅ Done") if kept else ctx.t("Skip: no attachments"), "ap:fdone")]]
    if kept:
        rows.append([(ctx.t("🗑 Remove the attachments"), "ap:frm")])
    rows.append(_nav(ctx))
    await _prompt(update, ctx, "\n".join(lines), rows, new=new)
    return P_FILES


@safe(P_FILES)
async def file_received(update: Update, ctx: KurulContext) -> str | int:
    message = update.effective_message
    assert message is not None
    proposal = await _proposal(ctx)
    assert proposal is not None
    if message.document is not None:
        doc = message.document
        file_id, unique, size = doc.file_id, doc.file_unique_id, doc.file_size
        name, mime = doc.file_name or "file", doc.mime_type
    else:
        photo = message.photo[-1]
        file_id, unique, size = photo.file_id, photo.file_unique_id, photo.file_size
        name, mime = f"photo-{photo.file_unique_id}.jpg", "image/jpeg"

    async def fetch() -> bytes:
        return bytes(await (await ctx.bot.get_file(file_id)).download_as_bytearray())

    try:
        kept = await service.add_attachment(
            ctx.store, ctx.clock, ctx.grants, _person(ctx), proposal.id, file_unique_id=unique,
            filename=name, mime_type=mime, size=size, fetch=fetch)
    except service.FileRefused as problem:
        await send(update, ctx, ctx.t(FILE_PROBLEMS[problem.problem]))
        return P_FILES
    note = (ctx.t("📎 Kept: {name}").format(name=html.escape(kept.filename)) if kept
            else ctx.t("This file is already attached."))
    return await _ask_files(update, ctx, new=True, note=note)


async def not_a_file(update: Update, ctx: KurulContext) -> str:
    await send(update, ctx, ctx.t(FILE_PROBLEMS[FileProblem.WRONG_TYPE]) + "\n" + ctx.t(
        "Or press Done to go on without attachments."))
    return P_FILES


@guarded(FLOW, P_FILES)
@safe(P_FILES)
async def files_removed(update: Update, ctx: KurulContext) -> str | int:
    assert ctx.person is not None
    await service.remove_attachments(ctx.store, ctx.clock, ctx.grants, ctx.person,
                                     int(ctx.draft(FLOW)["pid"]))
    return await _ask_files(update, ctx)


@guarded(FLOW, P_FILES)
@safe(P_FILES)
async def files_done(update: Update, ctx: KurulContext) -> str | int:
    return await _preview(update, ctx)


def proposal_lines(t: Translator, view: service.ProposalView, today: Any = None) -> list[str]:
    p = view.proposal
    lines = [
        "<b>" + html.escape(p.title) + "</b>",
        html.escape(service.target_title(t, view.target)),
        t("From: {source}").format(source=html.escape(view.source)),
        t("Topic area: {area}").format(area=html.escape(t(service.AREA_LABELS[p.area]))),
        t("Kind: {kind}").format(kind=html.escape(t(service.KIND_LABELS[p.kind]))),
        t("Status: {status}").format(status=html.escape(t(service.STATUS_LABELS[p.status]))),
    ]
    if p.late:
        lines.append(t("⏰ Sent after the deadline (late): the secretariat decides."))
    elif p.status is ProposalStatus.DRAFT and today is not None:
        lines.append(html.escape(deadline_line(t, view.target, today)))
    if p.reason:
        lines.append(t("Reason: {reason}").format(reason=html.escape(p.reason)))
    lines += ["", html.escape(p.description)]
    for a in view.attachments:
        lines.append(f"📎 {html.escape(a.filename)} ({_size(a.size)})")
    for q in view.questions:
        lines.append(t("❓ Question: {text}").format(text=html.escape(q.question)))
        if q.answer:
            lines.append(t("💬 Answer: {text}").format(text=html.escape(q.answer)))
    return lines


async def _preview(update: Update, ctx: KurulContext, new: bool = False) -> str | int:
    proposal = await _proposal(ctx)
    assert proposal is not None
    view = await service.view(ctx.store, ctx.clock, ctx.t, proposal)
    today = view.target.where.local(ctx.clock.now()).date()
    head = ctx.t("Step 6 of 6 — <b>Preview</b>. Please check and send.")
    sending = proposal.status is ProposalStatus.DRAFT
    rows = [[(ctx.t("✅ Send to the secretariat") if sending else ctx.t("✅ Save changes"),
              f"ap:ok:{proposal.id}")],
            [(ctx.t("✏️ Title"), "ap:e:title"), (ctx.t("✏️ Description"), "ap:e:text")],
            [(ctx.t("📎 Attachments"), "ap:e:files"), (ctx.t("🏷 Topic and kind"), "ap:e:area")],
            _nav(ctx)]
    text = "\n".join([head, "", *proposal_lines(ctx.t, view, today)])
    await _prompt(update, ctx, split_messages([text])[0], rows, new=new)
    return P_PREVIEW


@guarded(FLOW, P_PREVIEW)
@safe(P_PREVIEW)
async def edit_part(update: Update, ctx: KurulContext) -> str | int:
    part = data_parts(update)[-1]
    if part == "title":
        return await _ask_title(update, ctx)
    if part == "text":
        return await _ask_text(update, ctx)
    if part == "files":
        return await _ask_files(update, ctx)
    return await _ask_area(update, ctx)


@guarded(FLOW, P_PREVIEW)
@safe(P_PREVIEW)
async def submit(update: Update, ctx: KurulContext) -> str | int:
    pid = int_part(update, 2)
    if pid is None or pid != ctx.draft(FLOW).get("pid"):
        await answer(update, ctx, ctx.t("This button is no longer active."), alert=True)
        return P_PREVIEW
    was_draft = (await service.get_own(ctx.store, ctx.grants, pid)).status is \
        ProposalStatus.DRAFT
    done = await service.submit(ctx.store, ctx.clock, ctx.grants, _person(ctx), pid)
    ctx.drop_draft(FLOW)
    if not was_draft:
        await send(update, ctx, ctx.t("Changes saved. The secretariat sees the proposal as it "
                                      "is now."))
    elif done.already:
        await send(update, ctx, ctx.t("This proposal has already been sent."))
    elif done.late:
        await send(update, ctx, ctx.t(
            "Sent to the secretariat, marked late: the deadline ({date}) had passed, so the "
            "secretariat decides whether to take it. Follow it with /myproposals.").format(
            date=ctx.t.date(done.target.due) if done.target.due else ""))
    else:
        await send(update, ctx, ctx.t("Sent to the secretariat. Follow it with /myproposals."))
    return END


async def submit_again(update: Update, ctx: KurulContext) -> None:
    """A Send button pressed after the flow ended: a second tap, or an old preview."""
    try:
        proposal = await service.get_own(ctx.store, ctx.grants, int_part(update, 2) or 0)
    except ServiceError as error:
        await answer(update, ctx, refusal(ctx.t, error), alert=True)
        return
    if proposal.status is not ProposalStatus.DRAFT:
        await answer(update, ctx, ctx.t("This proposal has already been sent."), alert=True)
        return
    await answer(update, ctx, ctx.t("This button is no longer active. Open the draft from "
                                    "/myproposals."), alert=True)


def _back(state: str, step: Any) -> Any:
    @guarded(FLOW, state)
    @safe(state)
    async def back(update: Update, ctx: KurulContext) -> str | int:
        return await step(update, ctx)  # type: ignore[no-any-return]

    return back


async def _back_to_target(update: Update, ctx: KurulContext) -> str | int:
    return await propose_start(update, ctx)


async def _back_from_area(update: Update, ctx: KurulContext) -> str | int:
    if ctx.draft(FLOW).get("pid"):
        return await _preview(update, ctx)
    return await _back_to_target(update, ctx)


async def _back_from_title(update: Update, ctx: KurulContext) -> str | int:
    if ctx.draft(FLOW).get("pid"):
        return await _preview(update, ctx)
    return await _ask_kind(update, ctx)


async def _back_from_text(update: Update, ctx: KurulContext) -> str | int:
    return await _ask_title(update, ctx)


async def propose_cancel(update: Update, ctx: KurulContext) -> int:
    await answer(update, ctx)
    kept = ctx.draft(FLOW).get("pid")
    ctx.drop_draft(FLOW)
    if kept:
        proposal = await ctx.store.agenda.get(int(kept))
        if proposal is not None and proposal.status is ProposalStatus.DRAFT:
            await send(update, ctx, ctx.t("Stopped. Your draft is kept: continue or delete it "
                                          "from /myproposals."))
            return END
        await send(update, ctx, ctx.t("Stopped. The proposal stays as it was last saved."))
        return END
    await send(update, ctx, ctx.t("Cancelled. Nothing was saved."))
    return END


async def edit_start(update: Update, ctx: KurulContext) -> str | int:
    """``ag:ed:<proposal>``: continue a draft, or change a proposal not yet decided."""
    await answer(update, ctx)
    try:
        proposal = await service.get_own(ctx.store, ctx.grants, int_part(update, 2) or 0)
        if not editable(proposal.status):
            raise service.AgendaRefused(service.DECIDED_ALREADY)
        target = await service.target_of_proposal(ctx.store, ctx.clock, proposal)
    except ServiceError as error:
        await send(update, ctx, refusal(ctx.t, error))
        return END
    ctx.drop_draft(FLOW)
    ctx.draft(FLOW).update(pid=proposal.id, key=target.key, institution=proposal.institution_id,
                           area=proposal.area.value, kind=proposal.kind.value)
    return await safe(P_PREVIEW)(_preview_new)(update, ctx)  # type: ignore[no-any-return]


async def _preview_new(update: Update, ctx: KurulContext) -> str | int:
    return await _preview(update, ctx, new=True)


def build_propose_conversation() -> ConversationHandler[KurulContext]:
    text = f.TEXT & ~f.COMMAND
    other = ~f.TEXT & ~f.COMMAND
    files = f.Document.ALL | f.PHOTO
    cancel = [CommandHandler("cancel", propose_cancel),
              CallbackQueryHandler(propose_cancel, pattern=r"^ap:x$")]
    return conversation(
        name=FLOW,
        entry_points=[*command_entry("propose", propose_start),
                      CallbackQueryHandler(propose_from_call, pattern=r"^ag:new:\d+$"),
                      CallbackQueryHandler(edit_start, pattern=r"^ag:ed:\d+$")],
        states={
            P_TARGET: [CallbackQueryHandler(target_chosen, pattern=r"^ap:t:\d+$"),
                       MessageHandler(~f.COMMAND, want_button)],
            P_AREA: [CallbackQueryHandler(area_chosen, pattern=r"^ap:a:\w+$"),
                     CallbackQueryHandler(_back(P_AREA, _back_from_area),
                                          pattern=r"^ap:back$"),
                     MessageHandler(~f.COMMAND, want_button)],
            P_KIND: [CallbackQueryHandler(kind_chosen, pattern=r"^ap:k:\w+$"),
                     CallbackQueryHandler(_back(P_KIND, _ask_area), pattern=r"^ap:back$"),
                     MessageHandler(~f.COMMAND, want_button)],
            P_TITLE: [MessageHandler(text, title_received),
                      CallbackQueryHandler(_back(P_TITLE, _back_from_title),
                                           pattern=r"^ap:back$"),
                      MessageHandler(other, want_text)],
            P_TEXT: [MessageHandler(text, text_received),
                     CallbackQueryHandler(text_done, pattern=r"^ap:done$"),
                     CallbackQueryHandler(text_cleared, pattern=r"^ap:clr$"),
                     CallbackQueryHandler(_back(P_TEXT, _back_from_text), pattern=r"^ap:back$"),
                     MessageHandler(other, want_text)],
            P_FILES: [MessageHandler(files, file_received),
                      CallbackQueryHandler(files_done, pattern=r"^ap:fdone$"),
                      CallbackQueryHandler(files_removed, pattern=r"^ap:frm$"),
                      CallbackQueryHandler(_back(P_FILES, _ask_text), pattern=r"^ap:back$"),
                      MessageHandler(~f.COMMAND, not_a_file)],
            P_PREVIEW: [CallbackQueryHandler(submit, pattern=r"^ap:ok:\d+$"),
                        CallbackQueryHandler(edit_part, pattern=r"^ap:e:\w+$"),
                        CallbackQueryHandler(_back(P_PREVIEW, _ask_files),
                                             pattern=r"^ap:back$"),
                        MessageHandler(~f.COMMAND, want_button)],
        },
        fallbacks=cancel,
    )


# --- /myproposals ---------------------------------------------------------------------------


async def my_proposals(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    found = await service.mine(ctx.store, ctx.grants)
    if not found:
        await send(update, ctx, ctx.t("Your institution has no agenda proposals yet. Send one "
                                      "with /propose."))
        return
    rows = [[(f"{ctx.t(service.STATUS_LABELS[p.status]).split(' ')[0]} {p.title[:40]}",
              f"ag:mp:{p.id}")] for p in found[:20]]
    await send(update, ctx, ctx.t("<b>My institution's proposals</b>"), buttons(rows),
               parse_mode="HTML")


async def my_proposal(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    try:
        proposal = await service.get_own(ctx.store, ctx.grants, int_part(update, 2) or 0)
    except ServiceError as error:
        await send(update, ctx, refusal(ctx.t, error))
        return
    found = await service.view(ctx.store, ctx.clock, ctx.t, proposal)
    rows: list[list[tuple[str, str]]] = []
    if editable(proposal.status):
        rows.append([(ctx.t("✏️ Continue") if proposal.status is ProposalStatus.DRAFT
                      else ctx.t("✏️ Change"), f"ag:ed:{proposal.id}"),
                     (ctx.t("🗑 Withdraw"), f"ag:wd:{proposal.id}")])
    rows += [[(ctx.t("✍️ Answer the question"), f"ag:qa:{q.id}")]
             for q in found.questions if q.answer is None]
    today = found.target.where.local(ctx.clock.now()).date()
    await send(update, ctx, split_messages(["\n".join(proposal_lines(ctx.t, found, today))])[0],
               buttons(rows) if rows else None, parse_mode="HTML")


async def withdraw_ask(update: Update, ctx: KurulContext) -> None:
    pid = int_part(update, 2) or 0
    await answer(update, ctx)
    try:
        await service.get_own(ctx.store, ctx.grants, pid)
    except ServiceError as error:
        await send(update, ctx, refusal(ctx.t, error))
        return
    await edit_or_send(update, ctx, ctx.t("Withdraw this proposal? The secretariat will no "
                                          "longer see it."),
                       buttons([[(ctx.t("🗑 Yes, withdraw"), f"ag:wdy:{pid}"),
                                 (ctx.t("No"), f"ag:mp:{pid}")]]))


async def withdraw_confirmed(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    try:
        await service.withdraw(ctx.store, ctx.clock, ctx.grants, _person(ctx),
                               int_part(update, 2) or 0)
    except ServiceError as error:
        await send(update, ctx, refusal(ctx.t, error))
        return
    await edit_or_send(update, ctx, ctx.t("The proposal was withdrawn."))


# --- /proposals (the secretariat) -------------------------------------------------------------


def _key(update: Update) -> str:
    return ":".join(data_parts(update)[2:])


async def proposals_command(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    found = await service.review_targets(ctx.store, ctx.clock, ctx.grants)
    if not found:
        await send(update, ctx, ctx.t("There are no agenda proposals to review."))
        return
    rows = [[(service.target_title(ctx.t, t), f"ag:rq:{t.key}")] for t in found[:20]]
    await send(update, ctx, ctx.t("Proposals for which meeting?"), buttons(rows))


async def _show_queue(update: Update, ctx: KurulContext, key: str) -> None:
    target, found = await service.queue_of(ctx.store, ctx.clock, ctx.grants, key)
    lines = ["<b>" + html.escape(service.target_title(ctx.t, target)) + "</b>"]
    if target.due:
        lines.append(ctx.t("Proposals due: {date}").format(date=ctx.t.date(target.due)))
    rows: list[list[tuple[str, str]]] = []
    for n, p in enumerate(found, start=1):
        source = await service.source_of(ctx.store, ctx.t, p)
        marks = ("⏰" if p.late else "") + ("⚠️" if p.kind is ProposalKind.RISK else "")
        status = ctx.t(service.STATUS_LABELS[p.status]).split(" ")[0]
        lines.append(f"{n}. {status}{marks} {html.escape(p.title)} — <i>"
                     f"{html.escape(source)}</i>")
        rows.append([(f"{n}. {p.title[:40]}", f"ag:rv:{p.id}")])
    if not found:
        lines.append(ctx.t("No proposals yet."))
    extra = [(ctx.t("🗂 Agenda"), f"ag:ag:{target.key}")]
    if target.meeting is not None:
        extra.append((ctx.t("📢 Publish the agenda"), f"ag:pub:{target.meeting.id}"))
    rows.append(extra)
    await edit_or_send(update, ctx, split_messages(["\n".join(lines)])[0], buttons(rows),
                       parse_mode="HTML")


async def queue_page(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    try:
        await _show_queue(update, ctx, _key(update))
    except ServiceError as error:
        await send(update, ctx, refusal(ctx.t, error))


async def _show_review(update: Update, ctx: KurulContext, pid: int, new: bool = False) -> None:
    found = await service.for_review(ctx.store, ctx.clock, ctx.grants, ctx.t, pid)
    p = found.proposal
    rows: list[list[tuple[str, str]]] = []
    if p.status is ProposalStatus.SUBMITTED:
        rows += [[(ctx.t("✅ Accept"), f"ag:ac:{p.id}"), (ctx.t("❌ Reject"), f"ag:rj:{p.id}")],
                 [(ctx.t("🔗 Merge into…"), f"ag:mg:{p.id}"),
                  (ctx.t("❓ Ask the proposer"), f"ag:q:{p.id}")]]
    rows.append([(ctx.t("⬆️ Up"), f"ag:up:{p.id}"), (ctx.t("⬇️ Down"), f"ag:dn:{p.id}")])
    if service.forwardable(found.target.council) and p.status is ProposalStatus.ACCEPTED:
        rows.append([(ctx.t("⤴️ Forward to the provincial council"), f"ag:fw:{p.id}")])
    rows += [[(f"📎 {a.filename[:40]}", f"ag:f:{p.id}:{a.id}")] for a in found.attachments]
    rows.append([(ctx.t("◀ Back to the list"), f"ag:rq:{found.target.key}")])
    text = split_messages(["\n".join(proposal_lines(ctx.t, found))])[0]
    if new:
        await send(update, ctx, text, buttons(rows), parse_mode="HTML")
    else:
        await edit_or_send(update, ctx, text, buttons(rows), parse_mode="HTML")


async def review_page(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    try:
        await _show_review(update, ctx, int_part(update, 2) or 0)
    except ServiceError as error:
        await send(update, ctx, refusal(ctx.t, error))


async def review_action(update: Update, ctx: KurulContext) -> None:
    """Accept, reorder, merge into a chosen one, forward: buttons re-checked by the service."""
    await answer(update, ctx)
    parts = data_parts(update)
    action, pid = parts[1], int_part(update, 2) or 0
    person = _person(ctx)
    try:
        if action == "ac":
            await service.accept(ctx.store, ctx.clock, ctx.grants, person, pid, _quiet(ctx))
            _queued(ctx)
        elif action in ("up", "dn"):
            await service.reorder(ctx.store, ctx.clock, ctx.grants, pid,
                                  -1 if action == "up" else 1, person.id)
            proposal = await ctx.store.agenda.get(pid)
            assert proposal is not None
            target = await service.target_of_proposal(ctx.store, ctx.clock, proposal)
            await _show_queue(update, ctx, target.key)
            return
        elif action == "mg":
            candidates = await service.merge_candidates(ctx.store, ctx.clock, ctx.grants, pid)
            rows = [[(c.title[:50], f"ag:mi:{pid}:{c.id}")] for c in candidates[:20]]
            rows.append([(ctx.t("◀ Back"), f"ag:rv:{pid}")])
            await edit_or_send(update, ctx, ctx.t("Merge into which proposal?") if candidates
                               else ctx.t("There is no other proposal to merge into."),
                               buttons(rows))
            return
        elif action == "mi":
            await service.merge(ctx.store, ctx.clock, ctx.grants, person, pid,
                                int_part(update, 3) or 0, _quiet(ctx))
            _queued(ctx)
        elif action == "fw":
            made, destination = await service.forward(ctx.store, ctx.clock, ctx.grants, person,
                                                      pid)
            await send(update, ctx, ctx.t("Forwarded to: {target}").format(
                target=service.target_title(ctx.t, destination)))
            await _show_review(update, ctx, made.id, new=True)
            return
    except ServiceError as error:
        await send(update, ctx, refusal(ctx.t, error))
        return
    await _show_review(update, ctx, pid)


async def attachment_sent(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    chat = update.effective_chat
    assert chat is not None
    try:
        found, content = await service.attachment_for(
            ctx.store, ctx.grants, int_part(update, 3) or 0, int_part(update, 2) or 0)
    except ServiceError as error:
        await send(update, ctx, refusal(ctx.t, error))
        return
    await ctx.bot.send_document(chat.id, InputFile(content, filename=found.filename))


async def publish(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    try:
        done = await service.publish(ctx.store, ctx.clock, ctx.grants, _person(ctx),
                                     int_part(update, 2) or 0, ctx.t, _quiet(ctx))
    except ServiceError as error:
        await send(update, ctx, refusal(ctx.t, error))
        return
    _queued(ctx)
    text = ctx.t.ngettext("The agenda was published to {n} person.",
                          "The agenda was published to {n} people.", done.recipients)
    if done.version > 1:
        text = ctx.t.ngettext("The updated agenda was sent to {n} person.",
                              "The updated agenda was sent to {n} people.", done.recipients)
    await send(update, ctx, text.format(n=done.recipients))


# --- the texts the secretariat and the proposer type --------------------------------------------


TEXT_PROMPTS = {
    "rj": N_("Type the reason for rejecting the proposal (at most {limit} characters)."),
    "q": N_("Type your question to the proposing institution (at most {limit} characters)."),
    "qa": N_("Type your answer (at most {limit} characters)."),
}
TEXT_LIMITS = {"rj": REASON_MAX, "q": QUESTION_MAX, "qa": ANSWER_MAX}


async def text_start(update: Update, ctx: KurulContext) -> str | int:
    await answer(update, ctx)
    action, ident = data_parts(update)[1], int_part(update, 2) or 0
    try:
        if action == "qa":
            question, _ = await service.question_for(ctx.store, ctx.grants, ident)
            intro = ctx.t("Question: {text}").format(text=question.question) + "\n\n"
        else:
            await service.for_review(ctx.store, ctx.clock, ctx.grants, ctx.t, ident)
            intro = ""
    except ServiceError as error:
        await send(update, ctx, refusal(ctx.t, error))
        return END
    ctx.drop_draft(TEXT_FLOW)
    ctx.draft(TEXT_FLOW).update(action=action, id=ident)
    message = await send(update, ctx, intro + ctx.t(TEXT_PROMPTS[action]).format(
        limit=f"{TEXT_LIMITS[action]:,}".replace(",", ".")),
        buttons([[(ctx.t("Cancel"), "agt:x")]]))
    remember_prompt(ctx.draft(TEXT_FLOW), message)
    return T_TEXT


async def text_typed(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(TEXT_FLOW)
    action, ident = draft.get("action"), int(draft.get("id", 0))
    person, text = _person(ctx), text_of(update)
    try:
        if action == "rj":
            await service.reject(ctx.store, ctx.clock, ctx.grants, person, ident, text,
                                 _quiet(ctx))
            done = ctx.t("Rejected; the institution is told the reason.")
        elif action == "q":
            await service.ask(ctx.store, ctx.clock, ctx.grants, person, ident, text, _quiet(ctx))
            done = ctx.t("Your question was sent to the institution.")
        else:
            await service.answer_question(ctx.store, ctx.clock, ctx.grants, person, ident, text,
                                          _quiet(ctx))
            done = ctx.t("Thank you: your answer is kept with the proposal and the secretariat "
                         "is told.")
    except AgendaTextError as error:
        await send(update, ctx, text_problem(ctx.t, error))
        return T_TEXT
    except ServiceError as error:
        await send(update, ctx, refusal(ctx.t, error))
        ctx.drop_draft(TEXT_FLOW)
        return END
    _queued(ctx)
    ctx.drop_draft(TEXT_FLOW)
    message: Message = await send(update, ctx, done)
    if action in ("rj", "q"):
        await _show_review(update, ctx, ident, new=True)
    del message
    return END


async def text_cancel(update: Update, ctx: KurulContext) -> int:
    await answer(update, ctx)
    ctx.drop_draft(TEXT_FLOW)
    await send(update, ctx, ctx.t("Cancelled. Nothing was saved."))
    return END


def build_agenda_text_conversation() -> ConversationHandler[KurulContext]:
    return conversation(
        name=TEXT_FLOW,
        # A rejection or question is the reviewer's; the answer to a question the proposer's.
        entry_points=[CallbackQueryHandler(text_start, pattern=r"^ag:(rj|q):\d+$"),
                      CallbackQueryHandler(text_start, pattern=r"^ag:qa:\d+$")],
        states={T_TEXT: [MessageHandler(f.TEXT & ~f.COMMAND, text_typed),
                         MessageHandler(~f.TEXT & ~f.COMMAND, want_text)]},
        fallbacks=[CommandHandler("cancel", text_cancel),
                   CallbackQueryHandler(text_cancel, pattern=r"^agt:x$")],
    )


# --- /agenda ------------------------------------------------------------------------------------


async def agenda_command(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    found = await service.agenda_targets(ctx.store, ctx.clock, ctx.grants)
    if not found:
        await send(update, ctx, ctx.t("There is no meeting with an agenda yet."))
        return
    rows = [[(service.target_title(ctx.t, t), f"ag:ag:{t.key}")] for t in found[-20:]]
    await send(update, ctx, ctx.t("The agenda of which meeting?"), buttons(rows))


async def agenda_page(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    try:
        found = await service.agenda_of(ctx.store, ctx.clock, ctx.grants, ctx.t, _key(update))
    except ServiceError as error:
        await send(update, ctx, refusal(ctx.t, error))
        return
    payload = service.agenda_payload(found)
    lines = ["🗂 <b>" + html.escape(service.target_title(ctx.t, found.target)) + "</b>"]
    if found.published == 0:
        lines.append(ctx.t("Not published yet."))
    lines += ["", *agenda_lines(ctx.t, payload["fixed"], payload["groups"])]
    await send(update, ctx, split_messages(["\n".join(lines)])[0],
               buttons([[(ctx.t("📄 DOCX"), f"ag:doc:{found.target.key}")]]), parse_mode="HTML")


async def agenda_docx(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    chat = update.effective_chat
    assert chat is not None
    try:
        found = await service.agenda_of(ctx.store, ctx.clock, ctx.grants, ctx.t, _key(update))
    except ServiceError as error:
        await send(update, ctx, refusal(ctx.t, error))
        return
    t = ctx.t
    sections = [AgendaSection(None, [service.entry_text(t, e) for e in found.agenda.fixed])]
    sections += [AgendaSection(t(service.AREA_LABELS[g.area]),
                               [service.entry_text(t, i) for i in g.items])
                 for g in found.agenda.groups]
    target = found.target
    council = council_title(t, target.council.kind, target.council.name)
    upper = upper_tr if t.locale == "tr" else str.upper  # Turkish casing: i → İ
    document = AgendaDocument(title=upper(t("Agenda")), council=upper(council),
                              when=t.date(target.day), sections=sections)
    await ctx.bot.send_document(chat.id, InputFile(
        docx_bytes(document), filename=f"agenda-{target.day.isoformat()}.docx"))


def agenda_handlers() -> list[BaseHandler[Update, KurulContext, None]]:
    return [
        *command_entry("myproposals", my_proposals),
        CallbackQueryHandler(my_proposal, pattern=r"^ag:mp:\d+$"),
        CallbackQueryHandler(withdraw_ask, pattern=r"^ag:wd:\d+$"),
        CallbackQueryHandler(withdraw_confirmed, pattern=r"^ag:wdy:\d+$"),
        CallbackQueryHandler(submit_again, pattern=r"^ap:ok:\d+$"),
        *command_entry("proposals", proposals_command),
        CallbackQueryHandler(queue_page, pattern=r"^ag:rq:[\w:-]+$"),
        CallbackQueryHandler(review_page, pattern=r"^ag:rv:\d+$"),
        CallbackQueryHandler(review_action, pattern=r"^ag:(ac|up|dn|mg|fw):\d+$"),
        CallbackQueryHandler(review_action, pattern=r"^ag:mi:\d+:\d+$"),
        CallbackQueryHandler(attachment_sent, pattern=r"^ag:f:\d+:\d+$"),
        CallbackQueryHandler(publish, pattern=r"^ag:pub:\d+$"),
        *command_entry("agenda", agenda_command),
        CallbackQueryHandler(agenda_page, pattern=r"^ag:ag:[\w:-]+$"),
        CallbackQueryHandler(agenda_docx, pattern=r"^ag:doc:[\w:-]+$"),
    ]


__all__ = ["DOWNLOAD_LIMIT", "build_agenda_text_conversation", "build_propose_conversation"]
