"""Form Ek-2, the attendance list (Katılımcı Listesi) of a meeting: DOCX, CSV and XLSX.

Kept for every council and sub-commission meeting (Art. 12(7)). The form's headings are the
circular's own Turkish text, printed as they stand whatever the reader's language: this is the
paper the participants sign. The signature column stays empty, and blank rows are left for
people added on the spot.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

FORM_LABEL = "Ek-2"
TITLE = "KATILIMCI LİSTESİ"
COLUMNS = ("SIRA", "KURUM İSMİ", "UNVAN", "AD-SOYAD", "TELEFON NUMARASI", "İMZA")
# Column widths on A4 portrait (174 mm of text width).
WIDTHS_MM = (12, 50, 32, 36, 28, 16)
BLANK_ROWS = 5


@dataclass(frozen=True, slots=True)
class AttendanceRow:
    institution: str
    title: str
    name: str
    phone: str


@dataclass(frozen=True, slots=True)
class AttendanceSheet:
    council: str     # e.g. "Gaziantep İl Göç Koordinasyon Kurulu"
    place: str
    date: str        # as officials write it: "14 Ocak 2027 Perşembe, 10:30"
    rows: list[AttendanceRow] = field(default_factory=list)

    def table(self) -> list[tuple[str, str, str, str, str, str]]:
        """The rows as printed: numbered, signature empty, blank rows at the end."""
        filled = [
            (str(n), r.institution, r.title, r.name, r.phone, "")
            for n, r in enumerate(self.rows, start=1)
        ]
        blank = [
            (str(n), "", "", "", "", "")
            for n in range(len(filled) + 1, len(filled) + 1 + BLANK_ROWS)
        ]
        return filled + blank


def docx_bytes(sheet: AttendanceSheet) -> bytes:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(18)
    section.top_margin = section.bottom_margin = Mm(15)

    label = document.add_paragraph(FORM_LABEL)
    label.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(TITLE)
    run.bold = True
    run.font.size = Pt(14)
    for caption, value in (("KURUL", sheet.council), ("YER", sheet.place),
                           ("TARİH", sheet.date)):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{caption}: ").bold = True
        paragraph.add_run(value)

    rows = sheet.table()
    table = document.add_table(rows=1 + len(rows), cols=len(COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for index, heading in enumerate(COLUMNS):
        cell = table.rows[0].cells[index]
        cell.text = ""
        cell.paragraphs[0].add_run(heading).bold = True
    for row_index, values in enumerate(rows, start=1):
        for index, value in enumerate(values):
            table.rows[row_index].cells[index].text = value
    for row in table.rows:
        row.height = Mm(9)
        for index, cell in enumerate(row.cells):
            cell.width = Mm(WIDTHS_MM[index])
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def csv_bytes(sheet: AttendanceSheet) -> bytes:
    """UTF-8 with a byte-order mark and semicolons, as Turkish spreadsheet programs expect."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(COLUMNS)
    writer.writerows(sheet.table()[: len(sheet.rows)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(sheet: AttendanceSheet) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = TITLE.title()[:31]
    ws.append([FORM_LABEL])
    ws.append([TITLE])
    ws.append([f"KURUL: {sheet.council}"])
    ws.append([f"YER: {sheet.place}"])
    ws.append([f"TARİH: {sheet.date}"])
    ws.append(list(COLUMNS))
    thin = Side(style="thin")
    header_row = ws.max_row
    for row in sheet.table():
        ws.append(list(row))
    for row in ws.iter_rows(min_row=header_row, max_row=ws.max_row, max_col=len(COLUMNS)):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            if cell.row == header_row:
                cell.font = Font(bold=True)
    for index, width in enumerate(WIDTHS_MM):
        ws.column_dimensions[chr(ord("A") + index)].width = width * 0.55
    ws["A2"].font = Font(bold=True, size=14)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
