"""Printable Word documents (sign-in sheets, approval forms): a title, lines of facts and one table, on A4, with a
Chinese font for East Asian text, through python-docx. LibreOffice converts them to PDF in CI (conftest's
``libreoffice`` fixture)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EAST_ASIAN_FONT = "SimSun"  # 宋体; LibreOffice substitutes a CJK font it has


def docx_bytes(
    title: str,
    lines: Sequence[str],
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[int],
    *,
    row_height: int = 560,
) -> bytes:
    """The document's bytes: ``title`` centred, ``lines`` below it, then a ruled table of ``headers`` and ``rows``
    (``widths`` and ``row_height`` in twips; tall rows leave room for handwritten signatures)."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(21)
    section.left_margin = section.right_margin = Mm(18)
    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIAN_FONT)

    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title)
    run.bold, run.font.size = True, Pt(16)
    for line in lines:
        document.add_paragraph(line)

    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text, width in zip(table.rows[0].cells, headers, widths, strict=True):
        cell.width = Twips(width)
        cell.paragraphs[0].add_run(str(text)).bold = True
    for values in rows:
        row = table.add_row()
        row.height = Twips(row_height)
        for cell, text, width in zip(row.cells, values, widths, strict=True):
            cell.width = Twips(width)
            cell.text = str(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
