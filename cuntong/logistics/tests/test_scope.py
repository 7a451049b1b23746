"""Who sees which logistics records, on pages, exports and the API (web.testing.ScopedModelTests for each model).

Volumes, routes, runs, parcels and their events lie in a township; outlets in the area they are registered in; fee
bands and price samples belong to the programme (a township-scoped member sees none of them)."""

import datetime
from decimal import Decimal

from cuntong.core.actors import SYSTEM
from cuntong.logistics import models, services
from cuntong.logistics.models import Outlet, PriceSample, Route, VehicleRun
from cuntong.stations.tests.factories import make_station
from cuntong.web.testing import HONGYANG, ScopedModelTests, _api_rows, area, login, make_user, programme

from .factories import carrier, parcel, volume

MONTH = datetime.date(2020, 5, 1)


class TestVolumeScope(ScopedModelTests):
    model = models.ExpressVolume
    list_url = "/logistics/volumes/"
    api_url = "/api/v1/logistics/volumes/"

    def make_record(self, township_code):
        return volume(township_code, "zto", MONTH, 1000 if township_code == HONGYANG else 2000)

    def record_text(self, obj):
        return obj.township.name


class TestOutletScope(ScopedModelTests):
    model = models.Outlet
    list_url = "/logistics/outlets/"
    api_url = "/api/v1/logistics/outlets/"

    def detail_url(self, obj):
        return None

    def make_record(self, township_code):
        return Outlet.objects.create(
            programme=programme(), carrier=carrier("sf"), name=f"顺丰{township_code}网点", area=area(township_code)
        )

    def record_text(self, obj):
        return obj.name


class TestRouteScope(ScopedModelTests):
    model = models.Route
    list_url = "/logistics/routes/"
    api_url = "/api/v1/logistics/routes/"

    def detail_url(self, obj):
        return None

    def make_record(self, township_code):
        return Route.objects.create(
            programme=programme(), code=f"r{township_code}", name=f"线路{township_code}", township=area(township_code)
        )

    def record_text(self, obj):
        return obj.name


class TestRunScope(ScopedModelTests):
    model = models.VehicleRun
    list_url = "/logistics/runs/"
    api_url = "/api/v1/logistics/runs/"

    def detail_url(self, obj):
        return None

    def make_record(self, township_code):
        route = Route.objects.create(
            programme=programme(), code=f"r{township_code}", name=f"线路{township_code}", township=area(township_code)
        )
        return VehicleRun.objects.create(route=route, on=MONTH, vehicle=f"粤V{township_code[-3:]}")

    def record_text(self, obj):
        return obj.vehicle


class TestParcelScope(ScopedModelTests):
    model = models.Parcel
    list_url = "/logistics/parcels/"
    api_url = "/api/v1/logistics/parcels/"

    def make_record(self, township_code):
        return parcel(f"SC{township_code}", township_code)

    def record_text(self, obj):
        return obj.waybill


class TestParcelEventScope(ScopedModelTests):
    model = models.ParcelEvent
    api_url = "/api/v1/logistics/parcel-events/"

    def detail_url(self, obj):
        return None

    def make_record(self, township_code):
        return parcel(f"EV{township_code}", township_code).events.get()


class ProgrammeWide:
    township_role = "evaluator"

    def detail_url(self, obj):
        return None

    def test_township_member_sees_only_their_township(self, records):
        client = login(make_user("township-viewer", self.township_role, HONGYANG))
        page = client.get(self.list_url)
        assert page.status_code == 200
        assert not any(self.record_text(obj) in page.content.decode() for obj in records)
        assert _api_rows(client.get(self.api_url, {"limit": 1000})) == []


class TestFeeBandScope(ProgrammeWide, ScopedModelTests):
    model = models.FeeBand
    list_url = "/logistics/fees/"
    api_url = "/api/v1/logistics/fees/"

    def make_record(self, township_code):
        grams = 777 if township_code == HONGYANG else 888
        return models.FeeBand.objects.create(programme=programme(), carrier=carrier("zto"), max_weight_g=grams, fee=1)

    def record_text(self, obj):
        return f"{obj.max_weight_g:,}" if obj.max_weight_g >= 1000 else str(obj.max_weight_g)


class TestPriceScope(ProgrammeWide, ScopedModelTests):
    model = models.PriceSample
    list_url = "/logistics/prices/"
    api_url = "/api/v1/logistics/prices/"

    def make_record(self, township_code):
        sample = PriceSample(
            programme=programme(),
            carrier=carrier("zto"),
            weight_kg=Decimal("1.0"),
            zone="province" if township_code == HONGYANG else "far",
            price=Decimal("8.17") if township_code == HONGYANG else Decimal("9.23"),
            on=MONTH,
            source=f"样本{township_code}",
        )
        return services.save_price(sample, user=SYSTEM)

    def record_text(self, obj):
        return obj.source


def test_list_pages_keep_their_query_count(base_data, django_assert_max_num_queries):
    make_station(f"{HONGYANG}201")
    for n in range(30):
        parcel(f"QC{n:03d}", HONGYANG, f"{HONGYANG}201")
        volume(HONGYANG, ["zto", "yto", "sf"][n % 3], datetime.date(2018 + n // 12, n % 12 + 1, 1), n)
    client = login(make_user("counter", "office"))
    for url in ("/logistics/parcels/", "/logistics/volumes/"):
        client.get(url)
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200
