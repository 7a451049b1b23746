"""XLSX exports: one writer for every list page, report and auditor download.

Values go through ``str()`` for anything that is not a number or date, so personal data leaves only masked.
Every text is written as a text cell, so a value such as ``=HYPERLINK(…)`` typed into a record by one user never
runs as a formula in the spreadsheet of another (OWASP "CSV injection"). Each export is a security event (who
exported what, how many rows).
"""

import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def cell_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, datetime.date):
        return value
    return str(value)


def _cell(sheet, value) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=cell_value(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # openpyxl would read "=…" as a formula; a text cell is shown, never evaluated
    return cell


def workbook_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """Sheets of (title, headers, rows) as XLSX bytes, written in streaming mode."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        header_cells = []
        for header in headers:
            cell = _cell(sheet, str(header))
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append([_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, sheets) -> HttpResponse:
    response = HttpResponse(workbook_bytes(sheets), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
