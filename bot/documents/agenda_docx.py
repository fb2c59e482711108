"""The agenda of a meeting as a DOCX (Gündem), in the reader's language.

Numbered as it is read: the fixed items first, then the accepted items under their topic
area headings, risk items marked (Art. 10(9)) and each with where it comes from. The
numbering matches the published notice (``bot.notify.agenda_kinds.agenda_lines``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt


@dataclass(frozen=True, slots=True)
class AgendaSection:
    heading: str | None            # a topic area; None for the fixed items
    entries: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AgendaDocument:
    title: str          # "GÜNDEM", cased by the caller in the reader's language
    council: str
    when: str           # as officials write the date
    sections: list[AgendaSection] = field(default_factory=list)


def docx_bytes(doc: AgendaDocument) -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"  # type: ignore[attr-defined]
    style.font.size = Pt(12)  # type: ignore[attr-defined]
    for text in (doc.council, doc.title):
        heading = document.add_paragraph()
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        heading.add_run(text).bold = True
    document.add_paragraph(doc.when).alignment = WD_ALIGN_PARAGRAPH.CENTER
    number = 0
    for section in doc.sections:
        if section.heading:
            document.add_paragraph().add_run(section.heading).bold = True
        for entry in section.entries:
            number += 1
            document.add_paragraph(f"{number}. {entry}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
