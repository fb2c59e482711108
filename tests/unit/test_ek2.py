"""Form Ek-2 (Art. 12(7)): the attendance list read back from DOCX, CSV and XLSX."""

from __future__ import annotations

import csv
import io

from docx import Document
from docx.shared import Mm
from openpyxl import load_workbook

from bot.documents.ek2 import (
    BLANK_ROWS,
    COLUMNS,
    AttendanceRow,
    AttendanceSheet,
    csv_bytes,
    docx_bytes,
    xlsx_bytes,
)

SHEET = AttendanceSheet(
    council="Gaziantep İl Göç Koordinasyon Kurulu",
    place="Valilik Toplantı Salonu",
    date="14 Ocak 2027 Perşembe, 10:30",
    rows=[
        AttendanceRow("İl Sağlık Müdürlüğü", "İl Müdürü", "Ayşe Yılmaz", "+90 532 111 22 33"),
        AttendanceRow("İl Müftülüğü", "İl Müftü Yardımcısı", "Ömer Işık", "+90 532 444 55 66"),
    ],
)


def test_art_12_7_ek_2_docx_lists_the_rows_in_order_with_an_empty_signature_column() -> None:
    document = Document(io.BytesIO(docx_bytes(SHEET)))
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1)
    assert abs(section.page_height - Mm(297)) < Mm(1)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "KATILIMCI LİSTESİ" in text and "Ek-2" in text
    assert "Gaziantep İl Göç Koordinasyon Kurulu" in text and "14 Ocak 2027" in text
    table = document.tables[0]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == list(COLUMNS)
    assert rows[1] == ["1", "İl Sağlık Müdürlüğü", "İl Müdürü", "Ayşe Yılmaz",
                       "+90 532 111 22 33", ""]
    assert rows[2][:4] == ["2", "İl Müftülüğü", "İl Müftü Yardımcısı", "Ömer Işık"]
    assert len(rows) == 1 + 2 + BLANK_ROWS
    assert all(row[5] == "" for row in rows[1:])


def test_ek_2_csv_and_xlsx() -> None:
    data = csv_bytes(SHEET).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data), delimiter=";"))
    assert rows[0] == list(COLUMNS) and rows[2][3] == "Ömer Işık" and len(rows) == 3
    workbook = load_workbook(io.BytesIO(xlsx_bytes(SHEET)))
    values = [[c for c in row] for row in workbook.active.iter_rows(values_only=True)]
    header = values.index(list(COLUMNS))
    assert values[header + 1][3] == "Ayşe Yılmaz"
