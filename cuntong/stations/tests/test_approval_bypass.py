"""No way around approval (issue 10.2): an import can only do what the importing user may do through the services.

Choice: a township official's file that says 运营中 is refused for that row, naming why (approval is the office's)
and what to do (import it as 拟建 and submit it) — nothing is created, rather than quietly creating a proposal the
official might believe is already operating. The office, who may make every step, imports an existing network: each
station goes proposed → approved (rule check) → built → operating, each step recorded with the office as actor."""

import datetime

from cuntong.core.importer import IMPORTERS
from cuntong.stations import rules
from cuntong.stations.models import Station
from cuntong.web.testing import HONGYANG, make_user, programme, xlsx_upload

HEADER = ["站点名称", "层级", "服务区域代码", "纬度", "经度", "状态", "开始运营日期"]
OPERATING = ["甲点", "村级服务点", f"{HONGYANG}201", 23.43, 116.275, "运营中", "2019-03-01"]


def test_township_import_of_an_operating_station_is_refused(base_data):
    hongyang = make_user("hongyang", "township", HONGYANG)
    report = IMPORTERS["stations"](user=hongyang, programme=programme()).run(
        xlsx_upload(HEADER, [OPERATING]), "stations.xlsx"
    )
    assert not report.committed and not Station.objects.exists()
    [error] = report.errors
    assert error.row == 2 and error.column == "状态"
    assert "无权将站点直接导入为“运营中”" in error.message and "拟建" in error.message


def test_township_import_as_proposal_waits_for_approval(base_data):
    hongyang = make_user("hongyang", "township", HONGYANG)
    row = [*OPERATING[:5], "拟建", ""]
    report = IMPORTERS["stations"](user=hongyang, programme=programme()).run(xlsx_upload(HEADER, [row]), "s.xlsx")
    assert report.committed, report.errors
    station = Station.objects.get()
    assert station.status == rules.PROPOSED and station.opened_on is None
    assert station.events.get().by == hongyang


def test_office_import_of_an_existing_network_walks_the_life_cycle(base_data):
    office = make_user("office", "office")
    report = IMPORTERS["stations"](user=office, programme=programme()).run(xlsx_upload(HEADER, [OPERATING]), "s.xlsx")
    assert report.committed, report.errors
    station = Station.objects.get()
    assert station.status == rules.OPERATING and station.opened_on == datetime.date(2019, 3, 1)
    steps = list(station.events.order_by("pk").values_list("to_status", "by"))
    assert steps == [
        (rules.PROPOSED, office.pk),
        (rules.APPROVED, office.pk),
        (rules.BUILT, office.pk),
        (rules.OPERATING, office.pk),
    ]
