"""Every station model is scoped: anonymous, no permission, county member, other township — pages, export, API."""

import datetime
import sys

from django.apps import apps

from cuntong.stations import services
from cuntong.stations.models import (
    CandidateSite,
    CheckIn,
    DisplayLink,
    ManagementProposal,
    MonthlyReport,
    ReportRevision,
    Station,
    StationEvent,
)
from cuntong.stations.rules import Figures
from cuntong.web.testing import HONGYANG, ScopedModelTests, area, programme

from .factories import make_report, make_station

MAY = datetime.date(2020, 5, 1)


class TestStationScope(ScopedModelTests):
    model = Station
    list_url = "/stations/"
    api_url = "/api/v1/stations/"

    def make_record(self, township_code):
        return make_station(f"{township_code}201")


class TestStationEventScope(ScopedModelTests):
    model = StationEvent
    api_url = "/api/v1/station-events/"

    def make_record(self, township_code):
        return make_station(f"{township_code}201").events.first()

    def detail_url(self, obj):
        return None


class TestMonthlyReportScope(ScopedModelTests):
    model = MonthlyReport
    list_url = "/stations/reports/"
    api_url = "/api/v1/station-reports/"

    def make_record(self, township_code):
        return make_report(make_station(f"{township_code}201"), MAY)

    def record_text(self, obj):
        return obj.station.name


class TestReportRevisionScope(ScopedModelTests):
    model = ReportRevision
    api_url = "/api/v1/station-report-revisions/"

    def make_record(self, township_code):
        report = make_report(make_station(f"{township_code}201"), MAY)
        services.save_report(report.station, MAY, Figures(parcels_in=10), reason="录入错误", user=services.SYSTEM)
        return report.revisions.get()

    def detail_url(self, obj):
        return None


class TestCheckInScope(ScopedModelTests):
    model = CheckIn
    list_url = "/stations/checkins/"
    api_url = "/api/v1/station-checkins/"

    def make_record(self, township_code):
        return services.check_in(make_station(f"{township_code}201"), user=services.SYSTEM)

    def record_text(self, obj):
        return obj.station.name

    def detail_url(self, obj):
        return None


class TestManagementProposalScope(ScopedModelTests):
    model = ManagementProposal
    list_url = "/stations/management/"
    api_url = "/api/v1/station-proposals/"

    def make_record(self, township_code):
        station = make_station(f"{township_code}201")
        return ManagementProposal.objects.create(station=station, kind="probation", basis={"months": []})

    def record_text(self, obj):
        return obj.station.name


class TestCandidateSiteScope(ScopedModelTests):
    model = CandidateSite
    list_url = "/stations/candidates/"
    api_url = "/api/v1/station-candidates/"

    def make_record(self, township_code):
        village = area(f"{township_code}201")
        return CandidateSite.objects.create(
            programme=programme(), village=village, name="村委会", latitude="23.4", longitude="116.3"
        )

    def record_text(self, obj):
        return obj.village.name


class TestDisplayLinkScope(ScopedModelTests):
    """Wall-screen links belong to the office; an office member scoped to one township sees only its links."""

    model = DisplayLink
    list_url = "/stations/wall/links/"
    township_role = "office"
    export = False

    def make_record(self, township_code):
        return DisplayLink.objects.create(
            programme=programme(),
            area=area(township_code),
            name=f"大屏{township_code[-3:]}",
            prefix="abcd1234",
            token_hash=f"{township_code:0<64}",
        )

    def detail_url(self, obj):
        return None


def test_every_station_model_is_scope_tested():
    tested = {
        cls.model
        for cls in vars(sys.modules[__name__]).values()
        if isinstance(cls, type) and issubclass(cls, ScopedModelTests) and cls.model
    }
    scoped = {m for m in apps.get_app_config("stations").get_models() if getattr(m, "scope", None) is not None}
    assert scoped - tested == set()


def test_operator_sees_only_their_own_station(base_data):
    from cuntong.web.testing import login, make_user

    operator = make_user("operator", "station_operator", HONGYANG)
    own = make_station(f"{HONGYANG}201", operator_user=operator)
    other = make_station(f"{HONGYANG}202")
    client = login(operator)
    page = client.get("/stations/").content.decode()
    assert own.name in page and other.name not in page
    assert client.get(other.get_absolute_url()).status_code == 404
    ids = {row["id"] for row in client.get("/api/v1/stations/").json()["results"]}
    assert ids == {own.pk}
