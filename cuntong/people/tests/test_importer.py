"""Importing the roster: every bad row reported with row number and reason (GB 11643 check digits, duplicates by
blind index, villages outside the importer's scope), nothing written unless the whole file is valid, and no ID
number in clear in any message."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from cuntong.core.actors import SYSTEM
from cuntong.core.importer import IMPORTERS
from cuntong.jobs.models import Job
from cuntong.people.models import Resident
from cuntong.web.testing import login, make_user, programme, xlsx_upload

from .factories import id_number, make_resident

pytestmark = pytest.mark.usefixtures("base_data")
HEADER = ["姓名", "身份证号", "村", "户编号", "与户主关系", "联系电话", "劳动能力", "务工状态", "贫困状态", "脱贫年度"]
HONGYANG_VILLAGE, NANXI_VILLAGE = "445281104201", "445281105201"


def workbook(rows):
    return xlsx_upload(HEADER, rows, "roster.xlsx")


def good_row(serial, village=HONGYANG_VILLAGE, **overrides):
    row = {
        "姓名": f"导入{serial}",
        "身份证号": id_number(serial),
        "村": village,
        "户编号": f"P{serial:04d}",
        "与户主关系": "户主",
        "联系电话": f"1380000{serial:04d}",
        "劳动能力": "普通劳动力",
        "务工状态": "县内务工",
        "贫困状态": "已脱贫",
        "脱贫年度": 2019,
    }
    row.update(overrides)
    return [row[h] for h in HEADER]


def run(rows, user=SYSTEM, **kwargs):
    return IMPORTERS["residents"](user=user, programme=programme()).run(workbook(rows), "roster.xlsx", **kwargs)


def test_a_valid_roster_is_imported(db):
    report = run([good_row(1), good_row(2, village="测试乙村委会", 劳动能力="丧失劳动力", 务工状态="省外务工")])
    assert report.committed and report.written == 2
    second = Resident.objects.get(name="导入2")
    assert second.village.code == "445281104202" and not second.is_labour_capable and second.is_migrant_worker
    assert str(second.id_number) == f"{id_number(2)[:6]}********{id_number(2)[-4:]}"


def test_every_bad_row_is_reported_and_nothing_written(db):
    existing = make_resident("445281104", 50)
    bad_checksum = id_number(3)[:-1] + ("0" if id_number(3)[-1] != "0" else "1")
    rows = [
        good_row(1),
        good_row(3, 身份证号=bad_checksum),
        good_row(4, 身份证号=id_number(4)[:17]),
        good_row(5, 身份证号=id_number(1)),  # same person as row 2
        good_row(6, 身份证号=str(existing.id_number.reveal())),  # already on the roster
        good_row(7, 村="没有这个村"),
        good_row(8, 劳动能力="也许"),
        good_row(9, 贫困状态="未脱贫"),  # a lifted year without being lifted
        good_row(10, 联系电话="12345"),
        good_row(11, 姓名=""),
    ]
    report = run(rows)
    assert not report.committed and report.written == 0
    by_row = {e.row: e for e in report.errors}
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9, 10, 11]  # row 2 (the header is row 1) is the good one
    assert "校验码" in by_row[3].message
    assert "18位" in by_row[4].message
    assert "第2行" in by_row[5].message
    assert f"记录编号 {existing.pk}" in by_row[6].message
    assert by_row[7].column == "村" and by_row[8].column == "劳动能力" and by_row[9].column == "脱贫年度"
    assert by_row[10].column == "联系电话" and by_row[11].column == "姓名"
    assert Resident.objects.count() == 1
    text = " ".join(str(e) for e in report.errors)
    for serial in (1, 3, 4, 50):
        assert id_number(serial) not in text and id_number(serial)[:17] not in text


def test_valid_rows_only_when_asked(db):
    report = run([good_row(1), good_row(2, 村="没有这个村")], valid_only=True)
    assert report.committed and report.written == 1 and len(report.errors) == 1


def test_a_township_clerk_imports_only_their_villages(db):
    clerk = make_user("poverty-clerk", "poverty_office", "445281104")
    report = run([good_row(1), good_row(2, village=NANXI_VILLAGE)], user=clerk)
    assert [(e.row, e.column) for e in report.errors] == [(3, "村")] and not report.committed


def test_the_import_page_runs_a_job_with_the_report(db, django_capture_on_commit_callbacks):
    client = login(make_user("poverty", "poverty_office"))
    upload = workbook([good_row(1), good_row(2, 身份证号=id_number(2)[:17])])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("web:import", args=["residents"]), {"file": upload})
    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url()
    page = client.get(job.get_absolute_url()).content.decode()
    assert "18位" in page and id_number(2)[:17] not in page and not Resident.objects.exists()


def test_the_import_page_needs_the_add_permission(db):
    client = login(make_user("reader", "office"))
    assert client.get(reverse("web:import", args=["residents"])).status_code == 403


def test_the_command_line_import(db, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(workbook([good_row(1)]).getvalue())
    call_command("import", "residents", str(path), "--no-progress")
    assert Resident.objects.get().name == "导入1"
