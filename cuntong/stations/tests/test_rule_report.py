"""The rule check tells the whole truth (issue 9.5): townships without a station are violations, approved exceptions
stand apart with reason, who and when, the exit code counts only open violations, distances never read as the limit,
and benchmarks are what the plan's criteria say, not a flag."""

import datetime
import json

import pytest
from django.core.management import call_command

from cuntong.core.importer import IMPORTERS
from cuntong.stations import rules, services, spatial
from cuntong.stations.models import Station
from cuntong.web.testing import HONGYANG, NANXI, area, login, make_user, programme, xlsx_upload

from .factories import make_report, make_station


def test_a_township_without_a_township_station_is_a_violation(base_data):
    make_station(HONGYANG)
    check = services.network_check(programme())
    missing = {v.area_code for v in check.missing}
    assert NANXI in missing and HONGYANG not in missing and not check.ok
    assert any("南溪镇" in v.message and "尚无镇级服务站" in v.message for v in check.missing)


@pytest.fixture
def whole_county(base_data):
    for township in services.townships_of(programme()):
        make_station(township.code)


def test_approved_exception_is_apart_and_does_not_fail_the_check(whole_county, capsys):
    office = make_user("office", "office")
    first = make_station(f"{HONGYANG}201")
    near = spatial.offset(float(first.latitude), float(first.longitude), 90, 1500)
    second = make_station(f"{HONGYANG}202", status=rules.PROPOSED, at=near)
    services.transition(
        second, rules.APPROVED, user=office, override=True, reason="贫困村须覆盖", on=datetime.date(2020, 4, 1)
    )
    call_command("stations", "check", format="json")  # exits 0: the only violation was approved
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] and data["open"] == []
    [exception] = data["exceptions"]
    assert exception["kind"] == "spacing"
    assert exception["approved"] == {
        "station": second.pk,
        "on": "2020-04-01",
        "by": str(office),
        "reason": "贫困村须覆盖",
    }
    call_command("stations", "check")
    text = capsys.readouterr().out
    assert "0 open violations, 1 approved exceptions" in text and "贫困村须覆盖" in text
    page = login(office).get("/stations/check/").content.decode()
    assert 'id="no-violations"' in page and 'id="exceptions"' in page and "贫困村须覆盖" in page


def test_an_open_violation_still_fails_the_check(whole_county, capsys):
    first = make_station(f"{HONGYANG}201")
    near = spatial.offset(float(first.latitude), float(first.longitude), 90, 1500)
    second = make_station(f"{HONGYANG}202", status=rules.PROPOSED, at=near)
    services.transition(second, rules.APPROVED, user=services.SYSTEM, override=True, reason="例外")
    third = make_station(f"{NANXI}201")  # approved far away, then moved next to the first outside any approval
    moved = spatial.offset(float(first.latitude), float(first.longitude), 270, 800)
    Station.objects.filter(pk=third.pk).update(latitude=f"{moved[0]:.6f}", longitude=f"{moved[1]:.6f}")
    with pytest.raises(SystemExit) as exited:
        call_command("stations", "check", format="json")
    assert exited.value.code == 1
    data = json.loads(capsys.readouterr().out)
    assert len(data["exceptions"]) == 1 and {v["kind"] for v in data["open"]} == {"spacing"}


def test_distances_never_read_as_the_limit():
    a = rules.Site(1, rules.VILLAGE, "445281104201", 23.4, 116.2, "甲点")
    b = rules.Site(2, rules.VILLAGE, "445281104202", 23.4, 116.22, "乙点")
    message = rules.SpacingViolation(a, b, 1999.86, 2000.0).message
    assert "1,999.9 米" in message and "2,000 米，须超过" not in message
    assert "1,999.96 米" in rules.SpacingViolation(a, b, 1999.96, 2000.0).message
    assert "2,000.0 米" in rules.SpacingViolation(a, b, 2000.0, 2000.0).message  # equal is not "more than"


def test_benchmark_flag_is_not_entered_but_follows_the_criteria(base_data):
    office = make_user("office", "office")
    header = ["站点名称", "层级", "服务区域代码", "纬度", "经度", "标杆站点"]
    stream = xlsx_upload(header, [["甲点", "村级服务点", f"{HONGYANG}201", 23.43, 116.275, "是"]])
    IMPORTERS["stations"](user=office, programme=programme()).run(stream, "s.xlsx")
    assert not Station.objects.filter(is_benchmark=True).exists()
    strong = make_station(f"{HONGYANG}201", services=["express", "live_streaming", "finance", "agri_online"])
    Station.objects.filter(pk=strong.pk).update(floor_area_m2=50)
    weak = make_station(f"{NANXI}201")
    client = login(office)
    response = client.patch(f"/api/v1/stations/{weak.pk}/", {"is_benchmark": True}, content_type="application/json")
    assert response.status_code == 200 and not Station.objects.get(pk=weak.pk).is_benchmark
    for month in (datetime.date(2020, 3, 1), datetime.date(2020, 4, 1), datetime.date(2020, 5, 1)):
        make_report(strong, month)
        make_report(weak, month, parcels_in=1, parcels_out=1, agri_sales=0, visitors=1)
    today = datetime.date(2020, 6, 20)
    assert services.benchmark_station_ids(programme(), today=today) == {strong.pk}
    assert services.refresh_benchmarks(programme(), user=services.SYSTEM, today=today) == 1
    assert list(Station.objects.filter(is_benchmark=True)) == [strong]
    assert area(HONGYANG)  # the county's data is untouched
