"""The benchmark KPI counts what the plan's criteria say, whatever the stored flag holds; the wall tells a township
it has no township station; the rule check counts only what the reader may see (issues 9.4, 9.5)."""

import datetime

import time_machine

from cuntong.programme.kpi import AreaScope, registry
from cuntong.stations.models import Station
from cuntong.web.testing import HONGYANG, NANXI, login, make_user, programme

from .factories import make_report, make_station


@time_machine.travel(datetime.datetime(2020, 6, 20, 10, 0), tick=False)
def test_the_benchmark_kpi_counts_the_criteria_not_the_flag(base_data):
    strong = make_station(f"{HONGYANG}201", services=["express", "live_streaming", "finance", "agri_online"])
    Station.objects.filter(pk=strong.pk).update(floor_area_m2=50)
    weak = make_station(f"{NANXI}201")
    for month in (datetime.date(2020, 3, 1), datetime.date(2020, 4, 1), datetime.date(2020, 5, 1)):
        make_report(strong, month)
        make_report(weak, month, parcels_in=1, parcels_out=1, agri_sales=0, visitors=1)
    # A flag set behind the services' back (an old import, a console) changes nothing.
    Station.objects.filter(pk=weak.pk).update(is_benchmark=True)

    scope = AreaScope(programme())
    (result,) = registry.evaluate(scope, ["stations.benchmark_count"])
    assert result.value == 1
    assert list(registry.drilldown(scope, "stations.benchmark_count")) == [strong]


def test_the_wall_tells_a_township_it_has_no_township_station(base_data):
    make_station(HONGYANG)
    nanxi = login(make_user("nanxi-user", "township", NANXI)).get("/stations/wall/data/").json()
    alerts = " ".join(a["text"] for a in nanxi["lists"]["wall-alerts"])
    assert "南溪镇" in alerts and "尚无镇级服务站" in alerts
    hongyang = login(make_user("hongyang-user", "township", HONGYANG)).get("/stations/wall/data/").json()
    assert "尚无镇级服务站" not in " ".join(a["text"] for a in hongyang["lists"]["wall-alerts"])


def test_the_rule_check_counts_only_what_the_user_may_see(base_data):
    make_station(HONGYANG)
    make_station(f"{HONGYANG}201")
    make_station(NANXI)
    office = login(make_user("office-user", "office")).get("/api/v1/station-rule-check/").json()
    nanxi = login(make_user("nanxi-user", "township", NANXI)).get("/api/v1/station-rule-check/").json()
    assert office["checked"] == 3 and nanxi["checked"] == 1
