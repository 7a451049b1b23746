"""The report import in sets: its queries do not grow with the file, every report it writes has its history, a file
with bad rows (found row by row or only once the whole file is read) writes nothing and names every one, and the
user's scope still holds, in the importer and in the service it writes through."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cuntong.audit.models import ChangeRecord
from cuntong.core.importer import IMPORTERS
from cuntong.stations import rules, services
from cuntong.stations.models import MonthlyReport, ReportRevision
from cuntong.web.testing import HONGYANG, NANXI, frozen_clock, make_user, programme, xlsx_upload

from .factories import make_report, make_station

HEADER = ["站点编号", "月份", "收件量（下行，件）", "寄件量（上行，件）", "农产品网销额（元）", "确认", "修改原因"]
FIRST = datetime.date(2020, 1, 1)
pytestmark = pytest.mark.usefixtures("base_data")


@pytest.fixture(autouse=True)
def clock():
    with frozen_clock("2025-06-15"):
        yield


@pytest.fixture
def stations(db):
    return [make_station(f"{township}{village}") for township in (HONGYANG, NANXI) for village in ("201", "202")]


def rows_for(stations, count, *, start=0):
    """``count`` rows of plain figures: every station, month after month."""
    return [
        [stations[i % len(stations)].code, f"{rules.add_months(FIRST, i // len(stations)):%Y-%m}", 100, 50, "900"]
        + ["", ""]
        for i in range(start, start + count)
    ]


def run(rows, user=services.SYSTEM, **options):
    importer = IMPORTERS["station-reports"](user=user, programme=programme())
    return importer.run(xlsx_upload(HEADER, rows), "reports.xlsx", **options)


def statements(rows):
    with CaptureQueriesContext(connection) as captured:
        report = run(rows)
    assert report.committed and report.written == len(rows), report.errors[:3]
    sql = [q["sql"] for q in captured.captured_queries]
    return [s for s in sql if not s.startswith("INSERT")], [s for s in sql if s.startswith("INSERT")]


def test_the_queries_of_an_import_do_not_grow_with_its_rows(stations):
    statements(rows_for(stations, 1))  # one-off look-ups (content types, the plan's rules) weigh on neither
    MonthlyReport.objects.all().delete()
    small_reads, small_inserts = statements(rows_for(stations, 10))
    MonthlyReport.objects.all().delete()
    large_reads, large_inserts = statements(rows_for(stations, 200))
    assert len(large_reads) == len(small_reads) <= 30
    # Inserts are batched: only SQLite's limit on parameters a statement splits them (reports, then their history);
    # PostgreSQL has no such limit (one statement per batch of 1,000).
    limit = connection.features.max_query_params
    per_statement = limit // 30 if limit else 1000
    assert len(small_inserts) == 2 and len(large_inserts) <= 2 * (200 // per_statement + 1)


def test_every_imported_report_has_its_history(stations):
    make_report(stations[0], FIRST)
    rows = [*rows_for(stations, 8, start=4), [stations[0].code, "2020-01", 30000, 50, "900", "", "合并快递点"]]
    report = run(rows)
    assert report.committed and report.written == 9, report.errors
    created = ChangeRecord.objects.filter(content_type__model="monthlyreport", action="create")
    new = MonthlyReport.objects.filter(source="import")
    assert set(created.values_list("object_id", flat=True)) >= {str(pk) for pk in new.values_list("pk", flat=True)}
    assert new.count() == 8
    corrected = MonthlyReport.objects.get(station=stations[0], month=FIRST)
    update = ChangeRecord.objects.get(content_type__model="monthlyreport", action="update", object_id=corrected.pk)
    assert update.after["parcels_in"] == 30000 and update.area_id == stations[0].area_id
    revision = ReportRevision.objects.get(report=corrected)
    assert revision.reason == "合并快递点" and revision.after["parcels_in"] == 30000


def test_a_file_with_bad_rows_writes_nothing_and_names_every_one(stations):
    make_report(stations[1], datetime.date(2020, 2, 1))
    code, other = stations[0].code, stations[1].code
    rows = [
        [code, "2020-01", 100, 50, "900", "", ""],
        [code, "2020-01", 100, 50, "900", "", ""],  # row 3 repeats row 2 (found once the file is read)
        [code, "2020-02", 100, -1, "900", "", ""],  # row 4: negative
        [code, "2020-03", 100, 50, "900", "", ""],
        [other, "2020-03", 90000, 50, "900", "", ""],  # row 6: implausible, not confirmed
        [other, "2020-02", 101, 50, "900", "", ""],  # row 7: changes a stored report without a reason
        [code, "2031-01", 100, 50, "900", "", ""],  # row 8: a future month
        [code, "2020-03", 100, 50, "900", "", ""],  # row 9 repeats row 5
    ]
    report = run(rows, valid_only=False)
    assert not report.committed and report.written == 0
    assert [e.row for e in report.errors] == [3, 4, 6, 7, 8, 9]
    by_row = {e.row: e.message for e in report.errors}
    assert "第2行" in by_row[3] and "第5行" in by_row[9] and "确认" in by_row[6] and "修改原因" in by_row[7]
    assert MonthlyReport.objects.count() == 1 and report.valid_rows == 2


def test_only_the_valid_rows_when_asked(stations):
    code = stations[0].code
    rows = [[code, "2020-01", 100, 50, "900", "", ""], [code, "2020-01", 100, 50, "900", "", ""]]
    report = run(rows, valid_only=True)
    assert report.committed and report.written == 1 and [e.row for e in report.errors] == [3]


def test_an_operator_imports_only_their_own_station(stations):
    operator = make_user("operator", "station_operator", HONGYANG)
    mine = make_station(HONGYANG, operator_user=operator)
    rows = [[mine.code, "2020-01", 100, 50, "900", "", ""], [stations[2].code, "2020-01", 100, 50, "900", "", ""]]
    report = run(rows, user=operator)
    assert [(e.row, e.column) for e in report.errors] == [(3, "站点编号")] and not MonthlyReport.objects.exists()


def test_the_service_refuses_reports_outside_the_scope_and_writes_nothing(stations):
    operator = make_user("operator", "station_operator", HONGYANG)
    mine = make_station(HONGYANG, operator_user=operator)
    rows = [
        services.ReportImport(station.pk, FIRST, (1, 1, 1, 0, 0, 0, 0, 0, 1), ()) for station in (mine, stations[2])
    ]
    with pytest.raises(PermissionDenied):
        services.import_reports(operator, programme(), rows)
    with pytest.raises(PermissionDenied):
        services.import_reports(None, programme(), rows[:1])
    assert not MonthlyReport.objects.exists()
    assert services.import_reports(operator, programme(), rows[:1]) == 1


def test_an_import_on_postgresql_analyses_the_tables_it_filled(stations, monkeypatch):
    monkeypatch.setattr(connection, "vendor", "postgresql")
    with CaptureQueriesContext(connection) as captured:
        assert run(rows_for(stations, 4)).committed
    analysed = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("ANALYZE")]
    assert analysed == [
        f'ANALYZE "{t}"' for t in ("stations_monthlyreport", "stations_reportrevision", "audit_changerecord")
    ]
