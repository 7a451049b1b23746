"""Bounded input: oversized uploads, XLSX bombs and endless sheets are refused before they are read into memory."""

import io
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cuntong.core.actors import SYSTEM
from cuntong.core.importer import Column, Importer
from cuntong.jobs.models import Job
from cuntong.web.testing import login, make_user

pytestmark = pytest.mark.django_db

SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
PARTS = {
    "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Target="xl/workbook.xml" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>',
    "xl/workbook.xml": b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>',
}


def crafted_xlsx(path, *, rows: int, dimension: str | None = None):
    """A valid XLSX of ``rows`` identical rows, written row by row: it compresses about a thousandfold."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in PARTS.items():
            archive.writestr(name, data)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(SHEET_HEAD)
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b'<sheetData><row><c t="inlineStr"><is><t>name</t></is></c></row>')
            row = b'<row><c t="inlineStr"><is><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></is></c></row>' * 1000
            for _ in range(rows // 1000):
                sheet.write(row)
            sheet.write(b"</sheetData></worksheet>")
    return path


class Sink(Importer):
    columns = (Column("name", ("name",), required=True),)

    def write(self, cleaned):
        return len(cleaned)


def test_an_xlsx_bomb_is_refused_unread_in_little_memory(tmp_path):
    bomb = crafted_xlsx(tmp_path / "bomb.xlsx", rows=5_000_000)
    unpacked = sum(i.file_size for i in zipfile.ZipFile(bomb).infolist())
    assert unpacked > 400 * 2**20 and bomb.stat().st_size < 2 * 2**20
    tracemalloc.start()
    try:
        with bomb.open("rb") as stream:
            report = Sink(user=SYSTEM).run(stream, "bomb.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20
    [error] = report.errors
    assert "解压后" in error.message and "上限" in error.message and report.rows == 0


def test_a_sheet_declaring_too_many_rows_is_refused_before_its_rows_are_read(tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 1000
    sheet = crafted_xlsx(tmp_path / "long.xlsx", rows=2000, dimension="A1:A2001")
    with sheet.open("rb") as stream:
        report = Sink(user=SYSTEM).run(stream, "long.xlsx")
    assert report.rows == 0 and "2,000 行" in report.errors[0].message and "1,000 行" in report.errors[0].message


def test_rows_past_the_limit_stop_the_import_when_the_sheet_declares_nothing(tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 1000
    sheet = crafted_xlsx(tmp_path / "long.xlsx", rows=2000)
    with sheet.open("rb") as stream:
        report = Sink(user=SYSTEM).run(stream, "long.xlsx")
    assert not report.committed and report.rows == 1000 and "上限" in report.errors[-1].message


def test_a_large_csv_is_refused(settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 1024
    report = Sink(user=SYSTEM).run(io.BytesIO(b"name\n" + b"x" * 2000 + b"\n"), "big.csv")
    assert "上限" in report.errors[0].message and report.rows == 0


def test_csv_in_gbk_still_streams():
    sink = Sink(user=SYSTEM)
    report = sink.run(io.BytesIO("name\n洪阳\n".encode("gbk")), "gbk.csv", commit=False)
    assert report.ok and report.valid_rows == 1


def test_a_broken_xlsx_says_so_without_the_parser_s_words():
    [error] = Sink(user=SYSTEM).run(io.BytesIO(b"PK\x03\x04 not really"), "broken.xlsx").errors
    assert error.message == "无法读取 Excel 文件：文件已损坏，或不是 .xlsx 格式"


def test_the_import_page_refuses_an_oversized_upload(base_data, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 2048
    client = login(make_user("office-user", "office"))
    upload = SimpleUploadedFile("areas.csv", b"code,name\n" + b"4452811042,x\n" * 300)
    response = client.post("/import/areas/", {"file": upload})
    assert response.status_code == 200 and not Job.objects.exists()
    assert "的上限：请分成几个文件导入" in response.content.decode()
