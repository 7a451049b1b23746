"""The signed roster import: every bad row reported, nothing written on error; trainees matched by the keyed hash;
a person already signed in for a day counts once."""

import datetime

import pytest

from cuntong.core.actors import SYSTEM
from cuntong.people.tests.factories import id_number
from cuntong.training import services
from cuntong.training.importers import AttendanceImporter
from cuntong.training.models import Attendance, Trainee
from cuntong.web.testing import HONGYANG, NANXI, make_user, programme, xlsx_upload

from .factories import make_session, make_trainee

pytestmark = pytest.mark.usefixtures("base_data")
HEADER = ["培训班编号", "日期", "姓名", "身份证号", "学员类别"]


def _run(rows, user=SYSTEM):
    return AttendanceImporter(user=user, programme=programme()).run(xlsx_upload(HEADER, rows), "roster.xlsx")


def test_every_bad_row_is_reported_and_nothing_written():
    make_session(HONGYANG, code="IM1", days=[datetime.date(2020, 10, 12)])
    make_trainee(HONGYANG, 201, name="林已登")
    wrong = id_number(202)[:-1] + ("0" if id_number(202)[-1] != "0" else "1")
    report = _run(
        [
            ["IM1", "2020-10-12", "新学员", id_number(203), "创业青年"],
            ["NOPE", "2020-10-12", "甲", id_number(204), ""],
            ["IM1", "2020-10-13", "乙", id_number(205), ""],
            ["IM1", "2020-10-12", "丙", wrong, ""],
            ["IM1", "2020-10-12", "冒名", id_number(201, born="19900101"), ""],
            ["IM1", "2020-10-12", "新学员", id_number(203), ""],
        ]
    )
    assert not report.committed and [e.row for e in report.errors] == [3, 4, 5, 6, 7]
    assert Attendance.objects.count() == 0 and Trainee.objects.count() == 1
    assert all(wrong not in e.message and id_number(203) not in e.message for e in report.errors)


def test_a_valid_roster_records_each_person_once_per_day():
    session = make_session(HONGYANG, code="IM2", days=[datetime.date(2020, 10, 12), datetime.date(2020, 10, 13)])
    known = make_trainee(HONGYANG, 211, name="黄已到")
    services.record_attendance(SYSTEM, session.days.get(date=datetime.date(2020, 10, 12)), known)  # signed by QR
    report = _run(
        [
            ["IM2", "2020-10-12", "黄已到", id_number(211, born="19900101"), ""],
            ["IM2", "2020-10-13", "黄已到", id_number(211, born="19900101"), ""],
            ["IM2", "2020-10-12", "新学员", id_number(212), "合作社员"],
        ]
    )
    assert report.committed and report.written == 2 and not report.errors
    assert Attendance.objects.count() == 3 and Trainee.objects.count() == 2
    assert Trainee.objects.get(name="新学员").category == "cooperative"
    assert session.enrolments.count() == 2


def test_a_township_cannot_import_into_another_townships_session():
    make_session(NANXI, code="IM3")
    report = _run([["IM3", "2020-10-12", "甲", id_number(221), ""]], user=make_user("hy", "township", HONGYANG))
    assert not report.committed and "找不到培训班" in report.errors[0].message
