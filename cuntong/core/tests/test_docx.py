"""A printable document reads back as written: title, facts, and a table whose header and rows hold the values."""

import io

from docx import Document

from cuntong.core.docx import docx_bytes


def test_a_document_holds_its_title_lines_and_table():
    content = docx_bytes("测试签到表", ["地点：洪阳镇"], ["姓名", "签名"], [["张三", ""], ["李四", ""]], [2000, 3000])
    document = Document(io.BytesIO(content))
    assert [p.text for p in document.paragraphs[:2]] == ["测试签到表", "地点：洪阳镇"]
    (table,) = document.tables
    assert [[cell.text for cell in row.cells] for row in table.rows] == [["姓名", "签名"], ["张三", ""], ["李四", ""]]
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297  # A4
