"""The pieces imports in sets are made of: cleaned rows spooled to disk, repeats found bucket by bucket, and XLSX
rows read with each row's XML dropped once read (the same rows, numbers and cell texts as openpyxl's own reader)."""

import datetime
import io

from openpyxl import Workbook, load_workbook

from cuntong.core.importer import Repeat, RepeatFinder, Spool, _cell_text, digest64, read_rows


def test_a_spool_gives_back_its_rows_in_order_as_often_as_asked():
    spool = Spool()
    for number in range(2_500):
        spool.append((number, f"行{number}", datetime.date(2020, 1, 1)))
    assert len(spool) == 2_500 and spool
    first = iter(spool)
    assert next(first) == (0, "行0", datetime.date(2020, 1, 1))
    assert [row[0] for row in spool] == list(range(2_500))  # a second reading while the first is under way
    assert sum(1 for _ in first) == 2_499
    spool.close()
    assert not Spool() and list(Spool()) == []


def test_repeats_are_found_within_the_file_and_against_stored_records():
    finder = RepeatFinder(buckets=4)
    finder.stored(digest64("已有"), 77)
    for row, key in [(2, "甲"), (3, "乙"), (4, "甲"), (5, "已有"), (6, "甲"), (7, "丙")]:
        finder.add(digest64(key), row)
    found = sorted(finder.repeats(), key=lambda r: r.row)
    assert found == [Repeat(4, first_row=2), Repeat(5, stored=77), Repeat(6, first_row=2)]
    finder.close()
    assert list(RepeatFinder().repeats()) == []


def test_xlsx_rows_are_those_openpyxl_reads():
    book = Workbook()
    sheet = book.active
    sheet.append(["站点编号", "月份", "数量"])
    sheet.append(["A1", datetime.date(2020, 5, 1), 3])
    sheet.append([None, None, None])
    sheet["A5"], sheet["C5"] = "B2", 4.0  # row 4 missing from the file, row 5 with a gap
    stream = io.BytesIO()
    book.save(stream)
    expected = [
        [_cell_text(value) for value in row]
        for row in load_workbook(io.BytesIO(stream.getvalue()), read_only=True).active.iter_rows(values_only=True)
    ]
    stream.seek(0)
    rows, total = read_rows(stream, "f.xlsx")
    got = list(rows)
    assert total == 5 and len(got) == len(expected) == 5
    assert [r + [""] * (3 - len(r)) for r in got] == expected
    assert got[1] == ["A1", "2020-05-01", "3"] and got[4] == ["B2", "", "4"]


def test_past_the_error_limit_of_the_whole_file_checks_nothing_is_written(db):
    from cuntong.core.actors import SYSTEM
    from cuntong.core.importer import Column, Importer, RowError, text

    written = []

    class Repeating(Importer):
        columns = (Column("key", ("key",), required=True, parse=text),)
        max_errors = 3

        def check_file(self, cleaned, report):
            rows = list(cleaned)
            refused = self.refuse(report, (RowError(row, None, "重复") for row, _key in rows[1:]))
            return [item for item in rows if item[0] not in refused]

        def clean_row(self, values, row_number):
            return row_number, values["key"]

        def write(self, cleaned):
            written.extend(cleaned)
            return len(written)

    stream = io.BytesIO(("key\n" + "甲\n" * 6).encode())
    report = Repeating(user=SYSTEM).run(stream, "k.csv", valid_only=True)
    assert not report.committed and not written and report.errors[-1].message == "错误过多，已停止检查其余行"
    assert [e.row for e in report.errors] == [3, 4, 5, 6]
