"""The Ek-3 annual evaluation report form (Yıllık Değerlendirme Raporu) as a DOCX draft.

Owns the form's structure: the year's title, the seven numbered sections as the regulation
prints them, prefilled from the year's minutes (problems raised) and decisions (what was
decided, whether it was carried out, what stayed unsolved); sections 5 and 6 are left for the
directorate to write. Built from plain data (``Ek3``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

FORM_LABEL = "Ek-3"
SECTIONS = (
    "İL ADI",
    "KURULLARDA GÜNDEME ALINAN TEMEL SORUNLAR",
    "SORUNLARIN ÇÖZÜMÜNE YÖNELİK ALINAN KARARLAR VE ÇÖZÜMLERİNİN DEĞERLENDİRİLMESİ",
    "KURULLARDA KARAR ALINMASINA RAĞMEN ÇÖZÜLEMİYEN SORUNLAR",
    "ÇÖZÜLEMİYEN SORUNLARA YÖNELİK GÖÇ İDARESİ BAŞKANLIĞINDAN BEKLENEN DESTEKLER",
    "SONUÇ, DEĞERLENDİRME VE ÖNERİLER",
)


@dataclass(frozen=True, slots=True)
class Ek3:
    year: int
    province: str
    problems: list[str] = field(default_factory=list)    # "İl Göç Koordinasyon Kurulu: …"
    decisions: list[str] = field(default_factory=list)   # "Karar 2027/1: … — tamamlandı"
    unsolved: list[str] = field(default_factory=list)    # decisions not done, with reasons


def _section(document: object, n: int, caption: str, lines: list[str]) -> None:
    paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    run = paragraph.add_run(f"{n}. {caption}:")
    run.bold = run.underline = True
    for line in lines:
        document.add_paragraph(line)  # type: ignore[attr-defined]


def docx_bytes(form: Ek3) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    document.add_paragraph(FORM_LABEL).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for text in (f"{form.year} YILI",
                 "GÖÇ KOORDİNASYON KURULLARI YILLIK DEĞERLENDİRME RAPORU"):
        title = document.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = title.add_run(text)
        run.bold = True
        run.font.size = Pt(13)
    bodies: tuple[list[str], ...] = ([form.province], form.problems, form.decisions,
                                     form.unsolved, [], [])
    for n, (caption, lines) in enumerate(zip(SECTIONS, bodies, strict=True), start=1):
        if n == 1:
            paragraph = document.add_paragraph()
            run = paragraph.add_run(f"1. {caption}:")
            run.bold = run.underline = True
            paragraph.add_run(" " + form.province)
            continue
        _section(document, n, caption, lines)
    table = document.add_table(rows=2, cols=2)
    table.rows[0].cells[0].paragraphs[0].add_run("7. HAZIRLAYAN").bold = True
    table.rows[0].cells[1].paragraphs[0].add_run("ONAYLAYAN").bold = True
    table.rows[1].cells[0].text = "İL GÖÇ İDARESİ MÜDÜRLÜĞÜ"
    table.rows[1].cells[1].text = "İL GÖÇ KOORDİNASYON KURULU"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
