"""The postal administration's XLSX: bad rows named by number and reason and nothing written; a good file written
through the service. Recipients' phones are masked on every page and export. The station page's parcel card and the
to-dos: missing volumes for the postal administration, overdue parcels for the keeper. The price watch flags a jump."""

import datetime
from decimal import Decimal

import pytest

from cuntong.core.actors import SYSTEM
from cuntong.core.todo import todos_for
from cuntong.logistics import services
from cuntong.logistics.importers import VolumeImporter
from cuntong.logistics.models import ExpressVolume, PriceSample, Source
from cuntong.stations.tests.factories import make_station
from cuntong.web.testing import HONGYANG, NANXI, frozen_clock, login, make_user, programme, xlsx_rows, xlsx_upload

from .factories import at_station, carrier, parcel

pytestmark = pytest.mark.usefixtures("base_data")
HEADER = ["月份", "乡镇代码", "乡镇", "快递公司", "下行", "上行"]


@frozen_clock("2020-06-20")
def test_a_file_with_bad_rows_writes_nothing_and_names_each_row():
    upload = xlsx_upload(
        HEADER,
        [
            ["2020-05", HONGYANG, "洪阳镇", "中通", 1200, 300],
            ["2020-05", "445281999", "?", "中通", 10, 1],
            ["2020-05", NANXI, "南溪镇", "不存在快递", 10, 1],
            ["2020-05", NANXI, "南溪镇", "zto", -5, 1],
            ["2020-05", HONGYANG, "洪阳镇", "zto", 1, 1],
            ["2020-09", NANXI, "南溪镇", "sf", 1, 1],
        ],
    )
    report = VolumeImporter(user=SYSTEM, programme=programme()).run(upload, "volumes.xlsx")
    assert not report.committed and not ExpressVolume.objects.exists()
    assert sorted({e.row for e in report.errors}) == [3, 4, 5, 6, 7]
    messages = {e.row: e.message for e in report.errors}
    assert "445281999" in messages[3] and "不存在快递" in messages[4] and "负数" in messages[5]
    assert "第 2 行" in messages[6] and "未来" in messages[7]


@frozen_clock("2020-06-20")
def test_a_good_file_is_written_through_the_page(django_capture_on_commit_callbacks):
    client = login(make_user("postal-import", "postal"))
    upload = xlsx_upload(
        HEADER, [["2020-05", HONGYANG, "洪阳镇", "中通", 1200, 300], ["2020-05", NANXI, "", "sf", 7, 2]]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/import/express_volumes/", {"file": upload})
    assert response.status_code == 302
    rows = ExpressVolume.objects.order_by("township__code").values_list("township__code", "inbound", "source")
    assert list(rows) == [(HONGYANG, 1200, Source.IMPORT), (NANXI, 7, Source.IMPORT)]
    exported = xlsx_rows(client.get("/logistics/volumes/", {"export": "xlsx"}))
    assert exported[0][:4] == ("月份", "乡镇代码", "乡镇", "快递公司代码")


def test_a_township_cannot_import_another_townships_volumes():
    user = make_user("postal-hy", "postal", HONGYANG)
    upload = xlsx_upload(HEADER, [["2019-05", NANXI, "南溪镇", "中通", 1, 1]])
    report = VolumeImporter(user=user, programme=programme()).run(upload, "volumes.xlsx")
    assert not report.committed and "范围" in report.errors[0].message


def test_recipients_phones_are_masked_on_pages_and_exports():
    made = parcel("PH0001", HONGYANG)
    client = login(make_user("office-ph", "office"))
    for response in (
        client.get("/logistics/parcels/"),
        client.get(made.get_absolute_url()),
        client.get("/api/v1/logistics/parcels/"),
    ):
        assert response.status_code == 200
        assert "13800001234" not in response.content.decode() and "138****1234" in response.content.decode()
    cells = {str(c) for row in xlsx_rows(client.get("/logistics/parcels/", {"export": "xlsx"})) for c in row}
    assert "13800001234" not in cells


def test_the_station_page_shows_its_parcels():
    station = make_station(f"{HONGYANG}201", name="包裹卡片服务点")
    at_station("PN0001", HONGYANG, f"{HONGYANG}201")
    page = login(make_user("office-pn", "office")).get(station.get_absolute_url()).content.decode()
    assert 'id="station-parcels"' in page and "data-waiting>1<" in page


def test_to_dos_for_the_postal_administration_and_the_keeper():
    postal = make_user("postal-todo", "postal")
    with frozen_clock("2020-07-05"):
        services.save_volume(programme(), HONGYANG_AREA(), carrier("zto"), datetime.date(2020, 6, 1), 1, 1, user=SYSTEM)
        (item, urgency), *_rest = todos_for(postal, programme())
        assert "2020-06" in str(item.title) and item.count == 32 and item.due == datetime.date(2020, 7, 10)
    station = make_station(f"{HONGYANG}201", name="待办服务点")
    keeper = make_user("keeper-todo", "station_operator", HONGYANG)
    station.operator_user = keeper
    station.save(update_fields=["operator_user"])
    with frozen_clock("2020-05-01"):
        at_station("TD0001", HONGYANG, f"{HONGYANG}201")
    with frozen_clock("2020-05-20"):
        items = [(str(i.title), i.count, u) for i, u in todos_for(keeper, programme())]
    assert ("超过保管期的包裹（退回快递公司）", 1, "urgent") in items


def HONGYANG_AREA():
    from cuntong.web.testing import area

    return area(HONGYANG)


def test_the_price_watch_flags_a_jump():
    for day, price in ((1, "8.00"), (2, "8.10"), (3, "7.90"), (4, "9.50")):
        services.save_price(
            PriceSample(
                programme=programme(),
                carrier=carrier("zto"),
                weight_kg=Decimal("1.0"),
                zone="province",
                price=Decimal(price),
                on=datetime.date(2020, day, 15),
                source="牌价",
            ),
            user=SYSTEM,
        )
    page = login(make_user("regulator", "market_regulation")).get("/logistics/prices/watch/")
    text = page.content.decode()
    assert page.status_code == 200 and "2020-04-15" in text and "18.8%" in text  # 9.50 vs 8.00
