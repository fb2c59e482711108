"""Issue 6 end to end, on an injected clock: the agenda call → an officer proposes with a
document, as from a phone → a late proposal is marked late → the secretariat accepts one,
rejects one with a reason, merges one, asks a question the officer answers → proposers are
told → the published agenda has the fixed items first, then the accepted items by topic →
the agenda DOCX reads back right. And the bad input of the issue."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from docx import Document

from bot.domain.clock import ManualClock
from bot.domain.meetings import MeetingKind, MeetingStatus
from bot.domain.models import Rank, RoleKind
from bot.notify.engine import notifier_of
from bot.store import Store
from bot.store.db import Database
from tests import seed
from tests.e2e.conftest import Province
from tests.e2e.harness import RunningBot, running
from tests.fakebot import FakeBotAPI, FakeUser

SEC, L1, L2, L3, L4 = 8001, 8101, 8102, 8103, 8104
NAMES = {SEC: "Selin Kaya", L1: "Ayşe Yılmaz", L2: "Burak Demir", L3: "Cem Aydın",
         L4: "Deniz Ak"}
PDF = b"%PDF-1.4\n% Kurul test\n" + b"0" * 2048
# The council meets on Monday 12 April 2027 at 10:00 in Gaziantep: proposals due 28 March.
MEETING = datetime(2027, 4, 12, 7, 0, tzinfo=UTC)


@dataclass
class World:
    users: dict[int, FakeUser]
    meeting_id: int
    council_id: int

    def __getitem__(self, telegram_id: int) -> FakeUser:
        return self.users[telegram_id]


async def build_world(db_path: Path, province: Province, clock: ManualClock,
                      fake: FakeBotAPI) -> World:
    async with Database(db_path) as db:
        store = Store(db)
        council = await seed.council_of(store, province.name)
        institutions = await store.councils.institutions(council.id)
        await seed.person(store, clock, SEC, NAMES[SEC], council.id, RoleKind.SECRETARIAT)
        for tid, index, rank in ((L1, 0, Rank.PRINCIPAL), (L2, 0, Rank.SUBSTITUTE),
                                 (L3, 1, Rank.PRINCIPAL), (L4, 2, Rank.PRINCIPAL)):
            await seed.person(store, clock, tid, NAMES[tid], council.id, RoleKind.LIAISON,
                              institution_id=institutions[index].id, rank=rank)
        now = clock.now()
        # January's council was held: April's is not the first of the year.
        january = await store.meetings.add(council.id, MeetingKind.ORDINARY,
                                           MeetingStatus.HELD,
                                           datetime(2027, 1, 14, 7, 0, tzinfo=UTC), "Valilik",
                                           now, period="2027-01")
        assert january
        meeting_id = await store.meetings.add(council.id, MeetingKind.ORDINARY,
                                              MeetingStatus.SCHEDULED, MEETING,
                                              "Valilik Toplantı Salonu", now, period="2027-04")
        await store.meetings.set_noticed(meeting_id, now)
    users = {tid: fake.user(tid, NAMES[tid].split()[0], language_code="en") for tid in NAMES}
    return World(users, meeting_id, council.id)


def notifier(bot: RunningBot) -> Any:
    assert bot.app is not None
    return notifier_of(bot.app)


async def propose(user: FakeUser, area: str, kind: str, title: str, texts: list[str],
                  document: tuple[str, bytes] | None = None, from_call: bool = False) -> str:
    """The whole /propose flow as from a phone; returns the confirmation text."""
    if not from_call:
        await start_proposal(user)
    step = await user.expect("Step 1 of 6")
    await user.press(area, step)
    await user.press(kind, await user.expect("Step 2 of 6"))
    await user.expect("Step 3 of 6")
    await user.send_text(title)
    await user.expect("Step 4 of 6")
    for text in texts:
        await user.send_text(text)
        await user.expect("So far:")
    await user.press("✅ Done")
    await user.expect("Step 5 of 6")
    if document is not None:
        await user.send_document(document[0], document[1])
        await user.expect(f"Kept: {document[0]}")
        await user.press("✅ Done")
    else:
        await user.press("Skip: no attachments")
    preview = await user.expect("Preview")
    assert title in (preview.text or "")
    await user.press("✅ Send to the secretariat", preview)
    return (await user.expect("Sent to the secretariat")).text or ""


async def start_proposal(user: FakeUser) -> None:
    """/propose, choosing the provincial council's meeting (the sub-commission is offered too,
    its next period from the calendar)."""
    await user.command("propose")
    choose = await user.expect("Which meeting is your proposal for?")
    assert any("Sub-commission — next ordinary meeting" in b for b in choose.buttons())
    await user.press(next(b for b in choose.buttons() if "Provincial" in b), choose)


async def open_review(sec: FakeUser, title: str) -> None:
    await sec.command("proposals")
    choose = await sec.expect("Proposals for which meeting?")
    await sec.press(choose.buttons()[0], choose)
    queue = await sec.expect("Proposals due")
    button = next(b for b in queue.buttons() if title[:30] in b)
    await sec.press(button, queue)
    await sec.expect(title)


async def test_call_propose_late_review_publish_and_docx(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    clock = ManualClock(datetime(2027, 3, 1, 7, 0, tzinfo=UTC))
    world = await build_world(db_path, province, clock, fake)
    sec, l1, l2, l3, l4 = (world[t] for t in (SEC, L1, L2, L3, L4))
    async with running(fake, db_path, clock) as bot:
        store: Store = bot.app.runtime.store  # type: ignore[union-attr]
        # 23 March, 09:00: preparation starts in 5 days (D-15 - 5): the call arrives.
        clock.set(datetime(2027, 3, 23, 6, 0, tzinfo=UTC))
        await notifier(bot).rebuild()
        call = await l1.expect("Agenda call")
        assert "28 March 2027" in (call.text or "")
        assert "📝 Send an agenda proposal" in call.buttons()
        await l3.expect("Agenda call")

        # The principal proposes from the call's button, with a document, the text in two parts.
        await l1.press("📝 Send an agenda proposal", call)
        done = await propose(l1, "Social cohesion", "Regular agenda item",
                             "Okul kayıtlarında dil desteği",
                             ["Yabancı öğrencilerin okul kayıtlarında tercüman eksikliği var.",
                              "Gerekçe: kayıt dönemi Eylül'de başlıyor."],
                             document=("rapor.pdf", PDF), from_call=True)
        assert "late" not in done
        [p1] = await store.agenda.for_institutions(
            [i.id for i in (await store.councils.institutions(world.council_id))[:1]])
        assert p1.description.count("\n\n") == 1 and not p1.late
        [kept] = await store.agenda.attachments(p1.id)
        assert await store.agenda.attachment_content(kept.id) == PDF

        # Another institution reports a risk (Art. 10(9)); the substitute of the first adds one.
        await propose(l3, "Irregular migration", "⚠️ Incident or social-tension risk (Art. 10(9))",
                      "Mahallede gerginlik riski", ["Son iki haftada üç olay yaşandı."])
        await propose(l2, "Social cohesion", "Regular agenda item", "Okullarda Türkçe kursu",
                      ["Türkçe kursları yaygınlaştırılmalı."])

        # 29 March: past the deadline (28 March). Still taken, marked late.
        clock.set(datetime(2027, 3, 29, 6, 0, tzinfo=UTC))
        await start_proposal(l4)
        step = await l4.expect("Step 1 of 6")
        assert "Proposals were due on 28 March 2027" in (step.text or "")
        await l4.command("cancel")
        await l4.expect("Cancelled. Nothing was saved.")
        await start_proposal(l4)
        await l4.expect("Step 1 of 6")
        late = await l4_propose_after_start(l4)
        assert "marked late" in late

        # The secretariat reviews: accept, reject with a reason, merge, ask.
        await open_review(sec, "Okul kayıtlarında dil desteği")
        await sec.press("✅ Accept")
        told = await l1.expect("Your agenda proposal was accepted")
        assert "Okul kayıtlarında dil desteği" in (told.text or "")
        await l2.expect("Your agenda proposal was accepted")  # the institution's substitute

        await open_review(sec, "Seyyar satıcılar")
        assert "⏰ Sent after the deadline (late)" in (sec.last_message().text or "")
        await sec.press("❌ Reject")
        await sec.expect("Type the reason")
        await sec.send_text("Belediyenin yetki alanında; ilçe kurulunda ele alınmalı.")
        await sec.expect("Rejected; the institution is told the reason.")
        rejected = await l4.expect("Your agenda proposal was not accepted")
        assert "Reason: Belediyenin yetki alanında" in (rejected.text or "")

        await open_review(sec, "Okullarda Türkçe kursu")
        await sec.press("🔗 Merge into…")
        into = await sec.expect("Merge into which proposal?")
        await sec.press("Okul kayıtlarında dil desteği", into)
        merged = await l2.expect("Your agenda proposal was merged")
        assert "Okul kayıtlarında dil desteği" in (merged.text or "")

        await open_review(sec, "Mahallede gerginlik riski")
        await sec.press("❓ Ask the proposer")
        await sec.expect("Type your question")
        await sec.send_text("Olayların tarihlerini paylaşır mısınız?")
        await sec.expect("Your question was sent to the institution.")
        question = await l3.expect("The secretariat asks about your agenda proposal")
        await l3.press("✍️ Answer", question)
        await l3.expect("Type your answer")
        await l3.send_text("3, 9 ve 17 Mart.")
        await l3.expect("your answer is kept with the proposal")
        answered = await sec.expect("answered your question")
        assert "3, 9 ve 17 Mart." in (answered.text or "")
        await sec.press("Open the proposal", answered)
        shown = await sec.expect("Mahallede gerginlik riski")
        assert "Answer: 3, 9 ve 17 Mart." in (shown.text or "")
        await sec.press("✅ Accept", shown)
        await l3.expect("Your agenda proposal was accepted")

        # Publish: fixed items first, then accepted items by topic area, the risk marked.
        await sec.command("proposals")
        choose = await sec.expect("Proposals for which meeting?")
        await sec.press(choose.buttons()[0], choose)
        await sec.press("📢 Publish the agenda", await sec.expect("Proposals due"))
        await sec.expect("The agenda was published to")
        published = await l1.expect("Agenda — Gaziantep Provincial")
        lines = (published.text or "").splitlines()
        numbered = [line for line in lines if line[:2] in ("1.", "2.", "3.", "4.", "5.")]
        assert numbered[0].startswith("1. Evaluation of how the previous meeting's decisions")
        assert numbered[1].startswith("2. Local Cohesion Action Plan")
        assert numbered[2].startswith("3. Okul kayıtlarında dil desteği")
        assert numbered[3].startswith("4. ⚠️ RISK: Mahallede gerginlik riski")
        assert len(numbered) == 4
        assert lines.index("Social cohesion") < lines.index("Irregular migration")

        # /agenda and its DOCX.
        await l4.command("agenda")
        pick = await l4.expect("The agenda of which meeting?")
        assert len(pick.buttons()) == 2  # January's, held, and April's
        await l4.press(next(b for b in pick.buttons() if "12.04.2027" in b), pick)
        await l4.press("📄 DOCX", await l4.expect("Local Cohesion Action Plan"))
        sent = await l4.reply()
        while sent.document is None:
            sent = await l4.reply()
        paragraphs = [p.text for p in Document(io.BytesIO(sent.document["content"])).paragraphs
                      if p.text]
        assert paragraphs[:3] == ["GAZIANTEP PROVINCIAL MIGRATION COORDINATION COUNCIL",
                                  "AGENDA", "12 April 2027 Monday"], paragraphs
        body = paragraphs[paragraphs.index("AGENDA") + 2:]
        assert body[0].startswith("1. Evaluation of how the previous meeting's decisions")
        assert body[1].startswith("2. Local Cohesion Action Plan (Art. 10(4))")
        assert body[2] == "Social cohesion"
        assert body[3].startswith("3. Okul kayıtlarında dil desteği (")
        assert body[4] == "Irregular migration"
        assert body[5].startswith("4. ⚠️ RISK: Mahallede gerginlik riski")


async def l4_propose_after_start(l4: FakeUser) -> str:
    await l4.press("Other topics", l4.last_message())
    await l4.press("Regular agenda item", await l4.expect("Step 2 of 6"))
    await l4.expect("Step 3 of 6")
    await l4.send_text("Seyyar satıcılar")
    await l4.expect("Step 4 of 6")
    await l4.send_text("Pazar yerlerinde düzensiz satış.")
    await l4.expect("So far:")
    await l4.press("✅ Done")
    await l4.press("Skip: no attachments", await l4.expect("Step 5 of 6"))
    preview = await l4.expect("Preview")
    await l4.press("✅ Send to the secretariat", preview)
    return (await l4.expect("Sent to the secretariat")).text or ""


async def test_bad_input_is_answered_and_nothing_is_lost(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    clock = ManualClock(datetime(2027, 3, 23, 7, 0, tzinfo=UTC))
    world = await build_world(db_path, province, clock, fake)
    l1, sec = world[L1], world[SEC]
    async with running(fake, db_path, clock) as bot:
        store: Store = bot.app.runtime.store  # type: ignore[union-attr]
        await start_proposal(l1)
        await l1.press("Social cohesion", await l1.expect("Step 1 of 6"))
        await l1.press("Regular agenda item", await l1.expect("Step 2 of 6"))
        await l1.expect("Step 3 of 6")
        await l1.send_text("x" * 125)
        await l1.expect("This is 5 characters too long: at most 120 characters")
        await l1.send_sticker()
        await l1.expect("Please answer with a text message.")
        await l1.send_text("Kısa başlık")
        await l1.expect("Step 4 of 6")
        await l1.send_voice()
        await l1.expect("Please answer with a text message.")
        await l1.send_location(37.06, 37.38)
        await l1.expect("Please answer with a text message.")
        await l1.send_text("a" * 2990)
        await l1.expect("So far: 2990 of 3.000 characters.")
        await l1.send_text("b" * 20)
        await l1.expect("This is 12 characters too long: at most 3.000 characters")
        await l1.press("✅ Done")
        await l1.expect("Step 5 of 6")
        await l1.send_document("big.pdf", b"0" * (20 * 1024 * 1024 + 1))
        await l1.expect("larger than 20 MB")
        await l1.send_document("tool.exe", b"MZ", mime_type="application/octet-stream")
        await l1.expect("I do not keep this type of file")
        await l1.send_sticker()
        await l1.expect("I do not keep this type of file")
        await l1.send_photo()
        await l1.expect("Kept: photo-")
        await l1.press("✅ Done")
        preview = await l1.expect("Preview")
        await l1.press("✅ Send to the secretariat", preview)
        await l1.expect("Sent to the secretariat")
        # A second tap on Send: told, nothing sent twice.
        await l1.press("✅ Send to the secretariat", preview)
        assert (await l1.answer())["text"] == "This proposal has already been sent."
        [proposal] = [p for p in await store.agenda.for_institutions(
            [i.id for i in await store.councils.institutions(world.council_id)])]
        assert proposal.description == "a" * 2990 and proposal.title == "Kısa başlık"
        assert len(await store.agenda.attachments(proposal.id)) == 1

        # The substitute sees and changes what the principal sent.
        l2 = world[L2]
        await l2.command("myproposals")
        listed = await l2.expect("My institution's proposals")
        await l2.press(listed.buttons()[0], listed)
        await l2.press("✏️ Change", await l2.expect("Kısa başlık"))
        await l2.press("✏️ Title", await l2.expect("Preview"))
        await l2.expect("Step 3 of 6")
        await l2.send_text("Kısa başlık (güncel)")
        await l2.press("✅ Save changes", await l2.expect("Preview"))
        await l2.expect("Changes saved.")
        assert (await store.agenda.get(proposal.id)).title == "Kısa başlık (güncel)"  # type: ignore[union-attr]

        # The meeting is held: a proposal for it is refused, the draft kept.
        await start_proposal(l1)
        await l1.press("Social cohesion", await l1.expect("Step 1 of 6"))
        await l1.press("Regular agenda item", await l1.expect("Step 2 of 6"))
        await l1.send_text("Geç kalan konu")
        await l1.expect("Step 4 of 6")
        clock.set(datetime(2027, 4, 12, 12, 0, tzinfo=UTC))
        await l1.send_text("Metin")
        await l1.press("✅ Done", await l1.expect("So far:"))
        await l1.press("Skip: no attachments", await l1.expect("Step 5 of 6"))
        preview = await l1.expect("Preview")
        await l1.press("✅ Send to the secretariat", preview)
        refused = await l1.expect("already taken place")
        assert "kept as a draft" in (refused.text or "")

        # A role that ended mid-flow: refused at the next step.
        l4 = world[L4]
        clock.set(datetime(2027, 3, 24, 7, 0, tzinfo=UTC))
        await start_proposal(l4)
        await l4.press("Social cohesion", await l4.expect("Step 1 of 6"))
        await l4.expect("Step 2 of 6")
        person = await store.people.by_telegram_id(L4)
        assert person is not None
        for role in await store.people.active_roles(person.id):
            await store.people.end_role(role.id, clock.now(), "test")
        await l4.press("Regular agenda item")
        await l4.expect("You are not authorised to do this.")
        del sec
