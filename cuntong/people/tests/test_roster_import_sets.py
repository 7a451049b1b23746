"""The roster import in sets: its queries do not grow with the file, every person it adds has a history row (with
no ID number in clear), a file with bad rows — repeats found only once the whole file is read included — writes
nothing and names every one, and a township clerk still cannot add people of another township, neither through the
importer nor through the service it writes through."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cuntong.audit.models import ChangeRecord
from cuntong.core.actors import SYSTEM
from cuntong.core.importer import IMPORTERS
from cuntong.geo.models import Area
from cuntong.people.models import Resident
from cuntong.people.services import ResidentImport, import_residents
from cuntong.web.testing import make_user, programme, xlsx_upload

from .factories import id_number, make_resident

pytestmark = pytest.mark.usefixtures("base_data")
HEADER = ["姓名", "身份证号", "村", "户编号", "联系电话", "贫困状态"]
HONGYANG_VILLAGE, NANXI_VILLAGE = "445281104201", "445281105201"


def row(serial, village=HONGYANG_VILLAGE, **overrides):
    values = {"姓名": f"批量{serial}", "身份证号": id_number(serial, born="19900101"), "村": village}
    values |= {"户编号": f"B{serial:04d}", "联系电话": f"1390000{serial:04d}", "贫困状态": "未脱贫", **overrides}
    return [values[h] for h in HEADER]


def run(rows, user=SYSTEM, **options):
    return IMPORTERS["residents"](user=user, programme=programme()).run(xlsx_upload(HEADER, rows), "r.xlsx", **options)


def statements(count):
    with CaptureQueriesContext(connection) as captured:
        report = run([row(serial) for serial in range(count)])
    assert report.committed and report.written == count, report.errors[:3]
    sql = [q["sql"] for q in captured.captured_queries]
    return [s for s in sql if not s.startswith("INSERT")], [s for s in sql if s.startswith("INSERT")]


def test_the_queries_of_an_import_do_not_grow_with_its_rows(db):
    statements(1)  # one-off look-ups (content types) weigh on neither
    Resident.objects.all().delete()
    small_reads, small_inserts = statements(10)
    Resident.objects.all().delete()
    large_reads, large_inserts = statements(200)
    assert len(large_reads) == len(small_reads) <= 13  # PostgreSQL: one more, the ANALYZE of the filled table
    limit = connection.features.max_query_params  # SQLite's limit on parameters splits a batch; PostgreSQL's none
    per_statement = limit // 25 if limit else 1000
    assert len(small_inserts) == 2 and len(large_inserts) <= 2 * (200 // per_statement + 1)


def test_every_imported_person_has_a_history_row_without_the_id_number(db):
    report = run([row(1), row(2)])
    assert report.committed and report.written == 2
    for resident in Resident.objects.all():
        record = ChangeRecord.objects.get(content_type__model="resident", object_id=resident.pk, action="create")
        assert record.area_id == resident.village_id and record.programme_id == programme().pk
        assert resident.id_number.reveal() not in str(record.after) and resident.id_number_hash
        assert resident.phone.reveal().startswith("139") and resident.phone_hash


def test_a_file_with_bad_rows_writes_nothing_and_names_every_one(db):
    stored = make_resident("445281104", 60)
    rows = [
        row(1),
        row(2, 身份证号=id_number(1, born="19900101")),  # row 3 repeats row 2
        row(3, 联系电话="12"),  # row 4: a bad phone
        row(4, 身份证号=str(stored.id_number.reveal())),  # row 5: already on the roster
        row(5),
        row(6, 身份证号=id_number(5, born="19900101")),  # row 7 repeats row 6
    ]
    report = run(rows)
    assert not report.committed and Resident.objects.count() == 1
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "身份证号"),
        (4, "联系电话"),
        (5, "身份证号"),
        (7, "身份证号"),
    ]
    by_row = {e.row: e.message for e in report.errors}
    assert "第2行" in by_row[3] and f"记录编号 {stored.pk}" in by_row[5] and "第6行" in by_row[7]
    assert id_number(1, born="19900101") not in " ".join(by_row.values())
    assert report.valid_rows == 2


def test_a_township_clerk_cannot_import_into_another_township(db):
    clerk = make_user("clerk", "poverty_office", "445281104")
    report = run([row(1), row(2, village=NANXI_VILLAGE)], user=clerk)
    assert [(e.row, e.column) for e in report.errors] == [(3, "村")] and not Resident.objects.exists()
    assert run([row(1)], user=clerk).committed


def test_the_service_refuses_people_outside_the_scope_and_writes_nothing(db):
    clerk = make_user("clerk", "poverty_office", "445281104")
    rows = [
        ResidentImport(
            Area.objects.get(code=code).pk, f"某{code}", id_number(i), "", "", "", False, False, "poor", None
        )
        for i, code in enumerate([HONGYANG_VILLAGE, NANXI_VILLAGE])
    ]
    with pytest.raises(PermissionDenied):
        import_residents(clerk, programme(), rows)
    with pytest.raises(PermissionDenied):
        import_residents(None, programme(), rows[:1])
    assert not Resident.objects.exists()
    assert import_residents(clerk, programme(), rows[:1]) == 1
