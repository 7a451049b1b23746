"""Writes outside the per-record services move their programme's data version like a service's write does, so no
cached figure outlives them (core/freshness.py): a record changed through the generic edit page (web/views.py), and
the imports that write in sets (station reports, the roster)."""

from django.urls import reverse

from cuntong.core import freshness
from cuntong.core.importer import IMPORTERS
from cuntong.people.tests.factories import id_number, make_resident
from cuntong.stations.services import SYSTEM
from cuntong.stations.tests.factories import make_station
from cuntong.web.testing import HONGYANG, frozen_clock, login, make_user, programme, xlsx_upload


def test_an_edit_through_the_generic_page_moves_the_version(base_data):
    resident = make_resident(HONGYANG, 31)
    before = freshness.version(programme())
    client = login(make_user("poverty", "poverty_office"))
    response = client.post(
        reverse("people:resident_edit", args=[resident.pk]),
        {"name": resident.name, "village": resident.village_id, "poverty_status": "lifted", "lifted_year": 2020},
    )
    assert response.status_code == 302
    assert freshness.version(programme()) != before


def test_a_refused_edit_leaves_the_version(base_data):
    resident = make_resident(HONGYANG, 32)
    before = freshness.version(programme())
    client = login(make_user("hongyang", "township", HONGYANG))  # may read the roster, not change it
    client.post(reverse("people:resident_edit", args=[resident.pk]), {"name": "改名"})
    assert freshness.version(programme()) == before


def _import(name: str, header: list[str], rows: list[list]):
    before = freshness.version(programme())
    report = IMPORTERS[name](user=SYSTEM, programme=programme()).run(xlsx_upload(header, rows), "import.xlsx")
    assert report.committed and report.written == len(rows), report.errors[:3]
    return before, freshness.version(programme())


@frozen_clock("2025-06-15")
def test_a_report_import_moves_the_version(base_data):
    station = make_station(f"{HONGYANG}201")
    header = ["站点编号", "月份", "收件量（下行，件）", "寄件量（上行，件）", "农产品网销额（元）", "确认", "修改原因"]
    before, after = _import("station-reports", header, [[station.code, "2025-01", 100, 50, "900", "", ""]])
    assert after != before


def test_a_roster_import_moves_the_version(base_data):
    header = ["姓名", "身份证号", "村", "联系电话", "劳动能力"]
    before, after = _import("residents", header, [["导入甲", id_number(41), "445281104202", "", "是"]])
    assert after != before
