"""The import framework: every bad row reported with its number and reason; nothing written unless all valid."""

import io

import pytest
from openpyxl import Workbook

from cuntong.core import importer as imp
from cuntong.core.actors import SYSTEM
from cuntong.core.importer import Column, Importer, RowInvalid

pytestmark = pytest.mark.django_db


class Sink(Importer):
    columns = (
        Column("name", ("名称", "name"), required=True, parse=imp.text),
        Column("count", ("数量", "count"), parse=imp.non_negative_integer),
        Column("amount", ("金额", "amount"), parse=imp.non_negative_decimal),
        Column("flag", ("标记",), parse=imp.boolean),
        Column("when", ("日期",), parse=imp.day),
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.written: list = []

    def clean_row(self, values, row_number):
        if values["name"] == "坏":
            raise RowInvalid("名称不能是“坏”", "名称")
        return values

    def write(self, cleaned):
        self.written.extend(cleaned)
        return len(cleaned)


def csv_bytes(text: str, encoding="utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


def test_valid_file_is_written():
    sink = Sink(user=SYSTEM)
    report = sink.run(csv_bytes("名称,数量,金额,标记,日期\n甲,3,1.50,是,2020-05-18\n乙,,,否,2020年5月19日\n"), "x.csv")
    assert report.ok and report.committed and report.written == 2
    assert (
        sink.written[0]["count"] == 3 and str(sink.written[0]["amount"]) == "1.50" and sink.written[0]["flag"] is True
    )
    assert sink.written[1]["when"].isoformat() == "2020-05-19"


def test_every_bad_row_is_reported_and_nothing_is_written():
    sink = Sink(user=SYSTEM)
    text = "名称,数量,金额,标记,日期\n甲,-1,x,也许,2020-13-01\n坏,1,1,是,\n,2,2,否,\n丁,1.5,1,是,\n"
    report = sink.run(csv_bytes(text), "x.csv")
    assert not report.committed and sink.written == []
    by_row = {}
    for error in report.errors:
        by_row.setdefault(error.row, []).append((error.column, error.message))
    assert set(by_row) == {2, 3, 4, 5}
    assert len(by_row[2]) == 4  # negative count, non-number amount, bad flag, bad date — all named
    assert by_row[3] == [("名称", "名称不能是“坏”")]
    assert by_row[4] == [("名称", "必填")]
    assert "不是整数" in by_row[5][0][1]


def test_valid_only_writes_the_good_rows():
    sink = Sink(user=SYSTEM)
    report = sink.run(csv_bytes("名称\n甲\n坏\n乙\n"), "x.csv", valid_only=True)
    assert report.committed and report.written == 2 and len(report.errors) == 1


def test_check_only_writes_nothing():
    sink = Sink(user=SYSTEM)
    report = sink.run(csv_bytes("名称\n甲\n"), "x.csv", commit=False)
    assert report.ok and not report.committed and sink.written == []


def test_missing_required_column():
    report = Sink(user=SYSTEM).run(csv_bytes("数量\n1\n"), "x.csv")
    assert report.errors[0].row == 1 and "名称" in report.errors[0].message


def test_gbk_csv_and_english_headers():
    sink = Sink(user=SYSTEM)
    report = sink.run(csv_bytes("name,count\n甲,1\n", "gb18030"), "x.csv")
    assert report.committed and sink.written[0]["name"] == "甲"


def test_xlsx_rows_and_numbers_as_text():
    book = Workbook()
    sheet = book.active
    sheet.append(["名称", "数量", "日期"])
    sheet.append(["甲", 3.0, None])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    sink = Sink(user=SYSTEM)
    assert Sink.run(sink, buffer, "x.xlsx").committed and sink.written[0]["count"] == 3


@pytest.mark.parametrize(("name", "message"), [("x.pdf", "不支持的文件类型"), ("x.xlsx", "无法读取")])
def test_unreadable_files_are_refused(name, message):
    report = Sink(user=SYSTEM).run(io.BytesIO(b"%PDF-1.4 not a sheet"), name)
    assert not report.committed and message in report.errors[0].message


def test_progress_is_reported():
    calls = []
    rows = "名称\n" + "\n".join(f"r{i}" for i in range(450)) + "\n"
    Sink(user=SYSTEM).run(csv_bytes(rows), "x.csv", progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1]
