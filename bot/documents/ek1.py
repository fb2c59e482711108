"""The Ek-1 report form (Rapor Formu) of a meeting's minutes, as DOCX (Art. 12(2), Ek-1).

Owns the form's structure only: the eight numbered sections as the regulation prints them,
one KARAR-n block per decision with its five fields, and the chair's and members' names and
titles with room to sign. Built from plain data (``Ek1``), so the notification engine can
render it at send time from a notice's payload.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass, field
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

FORM_LABEL = "Ek-1"
TITLE = "RAPOR FORMU"
CATEGORY = {"subcommission": "Alt Komisyon Toplantısı",
            "provincial": "İl Göç Koordinasyon Kurulu",
            "district": "İlçe Göç Koordinasyon Kurulu"}
SECTIONS = ("KATEGORİ ADI", "İL/İLÇE ADI", "YER/TARİH", "KATILIMCI SAYISI",
            "GÖRÜŞÜLEN KONU BAŞLIKLARI", "TESPİT EDİLEN SORUNLAR", "ÇÖZÜM ÖNERİLERİ",
            "ALINAN KARARLAR/DİĞER HUSUSLAR")
FIELDS = ("Alınan Karar", "Karar Gerekçesi", "Amaç", "Sorumlu Kurum ve Kuruluşlar",
          "Verilen Süre")


@dataclass(frozen=True, slots=True)
class Ek1Decision:
    number: str          # 2027/3
    text: str
    rationale: str
    purpose: str
    institutions: list[str]
    deadline: str        # dd.mm.yyyy


@dataclass(frozen=True, slots=True)
class Signatory:
    role: str            # "Kurul Başkanı", "Üye"
    name: str
    title: str
    institution: str = ""


@dataclass(frozen=True, slots=True)
class Ek1:
    category: str
    place_name: str      # il / ilçe
    place_date: str      # "Valilik Toplantı Salonu / 21.01.2027"
    participants: int
    topics: str
    problems: str
    solutions: str
    evaluation: str      # the previous meeting's decisions, evaluated first (Ek-1 note)
    decisions: list[Ek1Decision] = field(default_factory=list)
    signatories: list[Signatory] = field(default_factory=list)
    addenda: list[str] = field(default_factory=list)

    def to_payload(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Ek1:
        values = dict(data)
        values["decisions"] = [Ek1Decision(**d) for d in data.get("decisions", [])]
        values["signatories"] = [Signatory(**s) for s in data.get("signatories", [])]
        return cls(**values)


def _heading(document: Any, n: int, caption: str, value: str = "") -> None:
    paragraph = document.add_paragraph()
    run = paragraph.add_run(f"{n}. {caption}:")
    run.bold = run.underline = True
    if value and "\n" not in value:
        paragraph.add_run(" " + value)
    elif value:
        for line in value.splitlines():
            document.add_paragraph(line)


def docx_bytes(form: Ek1) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    label = document.add_paragraph(FORM_LABEL)
    label.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(TITLE)
    run.bold = True
    run.font.size = Pt(14)
    values = (form.category, form.place_name, form.place_date, str(form.participants),
              form.topics, form.problems, form.solutions)
    for n, (caption, value) in enumerate(zip(SECTIONS, values, strict=False), start=1):
        _heading(document, n, caption, value)
    _heading(document, 8, SECTIONS[7])
    if form.evaluation:
        document.add_paragraph("Bir önceki kurulda alınan kararların uygulanması:").runs[
            0].italic = True
        for line in form.evaluation.splitlines():
            document.add_paragraph(line)
    for index, decision in enumerate(form.decisions, start=1):
        block = document.add_paragraph()
        head = block.add_run(f"KARAR-{index}")
        head.bold = head.underline = True
        block.add_run(f" ({decision.number})")
        for caption, value in zip(FIELDS, (decision.text, decision.rationale, decision.purpose,
                                           ", ".join(decision.institutions), decision.deadline),
                                  strict=True):
            paragraph = document.add_paragraph()
            cap = paragraph.add_run(f"{caption}: ")
            cap.italic = cap.underline = True
            paragraph.add_run(value)
    for addendum in form.addenda:
        document.add_paragraph("Ek: " + addendum)
    document.add_paragraph()
    if form.signatories:
        table = document.add_table(rows=1 + len(form.signatories), cols=4)
        table.style = "Table Grid"
        for index, heading in enumerate(("GÖREVİ", "AD-SOYAD", "UNVANI / KURUMU", "İMZA")):
            table.rows[0].cells[index].text = ""
            table.rows[0].cells[index].paragraphs[0].add_run(heading).bold = True
        for row, person in enumerate(form.signatories, start=1):
            cells = table.rows[row].cells
            cells[0].text = person.role
            cells[1].text = person.name
            cells[2].text = ", ".join(x for x in (person.title, person.institution) if x)
            cells[3].text = ""
            table.rows[row].height = Mm(14)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
