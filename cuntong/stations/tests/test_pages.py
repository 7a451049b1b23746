"""Station pages, the live map and wall data, display links, check-ins, station import/export; pinned queries."""

import datetime
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from cuntong.accounts.middleware import LAST_ACTIVITY
from cuntong.core.importer import IMPORTERS
from cuntong.stations import rules, services
from cuntong.stations.models import CheckIn, DisplayLink, ManagementProposal, Station
from cuntong.web.testing import HONGYANG, NANXI, area, login, make_user, programme, xlsx_rows, xlsx_upload

from .factories import make_report, make_station

MAY = datetime.date(2020, 5, 1)


@pytest.fixture
def network(base_data):
    stations = [
        make_station(HONGYANG),
        make_station(f"{HONGYANG}201", is_benchmark=True),
        make_station(f"{HONGYANG}202", status=rules.PROBATION),
        make_station(NANXI),
        make_station(f"{NANXI}201"),
        make_station(f"{NANXI}202", status=rules.PROPOSED),
    ]
    for station in stations[:5]:
        make_report(station, MAY)
    services.check_in(stations[1], user=services.SYSTEM)
    ManagementProposal.objects.create(station=stations[2], kind="eliminate", basis={"months": []})
    return stations


@pytest.fixture
def office(network):
    return login(make_user("office-user", "office"))


@pytest.mark.parametrize(
    "url",
    [
        "/stations/",
        "/stations/reports/",
        "/stations/reports/completeness/",
        "/stations/checkins/",
        "/stations/map/",
        "/stations/wall/",
        "/stations/check/",
        "/stations/coverage/",
        "/stations/management/",
        "/stations/benchmarks/",
        "/stations/plan/",
        "/stations/candidates/",
        "/stations/candidates/add/",
        "/stations/add/",
        "/stations/wall/links/",
    ],
)
def test_pages_open(office, url):
    assert office.get(url).status_code == 200


def test_detail_pages_open(office, network):
    station = network[2]
    html = office.get(station.get_absolute_url()).content.decode()
    assert 'id="station-events"' in html and "观察期" in html and 'id="station-reports"' in html
    report = station.reports.get()
    assert office.get(report.get_absolute_url()).status_code == 200
    assert office.get(f"/stations/{station.pk}/edit/").status_code == 200


@pytest.mark.parametrize(
    ("url", "most"),
    [
        ("/stations/", 9),
        ("/stations/reports/", 10),
        ("/stations/checkins/", 10),
        ("/stations/management/", 9),
        ("/stations/candidates/", 8),
        # computed afresh after the writes below (one more: the programme's data version, core.freshness)
        ("/stations/map/", 15),
        ("/stations/map/data/", 13),
        # and one per section other apps add (core.wall: logistics' parcels)
        ("/stations/wall/", 22),
        ("/stations/wall/data/", 22),
        ("/stations/reports/completeness/", 10),
    ],
)
def test_list_and_live_endpoints_have_pinned_query_counts(network, url, most, django_assert_max_num_queries):
    client = login(make_user("office-user", "office"))
    client.get(url)  # the session and permission caches, as on any later request
    for index in range(6, 18):  # more stations must not mean more queries
        make_station(HONGYANG, status=rules.PROPOSED, name=f"拟建{index}")
    with django_assert_max_num_queries(most):
        assert client.get(url).status_code == 200


def test_map_data_colours_by_status_and_activity_and_filters(office, network):
    data = office.get("/stations/map/data/").json()
    markers = {m["label"]: m for m in data["scripts"]["station-map-data"]["markers"]}
    assert len(markers) == 6
    probation = markers[network[2].name]
    assert probation["color"] == "#fd7e14" and probation["parcels_in"] == 1000 and "观察期" in probation["detail"]
    assert markers[network[1].name]["checked_in"] and "今日已打卡" in markers[network[1].name]["detail"]
    data = office.get("/stations/map/data/", {"colour": "activity"}).json()
    colours = {m["label"]: m["color"] for m in data["scripts"]["station-map-data"]["markers"]}
    assert colours[network[5].name] == "#9aa5b1"  # proposed: no score
    township = area(HONGYANG)
    data = office.get("/stations/map/data/", {"township": township.pk, "status": "operating"}).json()
    assert {m["label"] for m in data["scripts"]["station-map-data"]["markers"]} == {network[0].name, network[1].name}
    data = office.get("/stations/map/data/", {"service": "live_streaming"}).json()
    assert data["scripts"]["station-map-data"]["markers"] == [] and data["lists"]["recent-reports"] == []
    data = office.get("/stations/map/data/").json()
    assert data["lists"]["recent-reports"][0]["text"].endswith("网销 ¥20,000")


def test_wall_data_has_every_chart_tile_and_alert(office, network):
    data = office.get("/stations/wall/data/").json()
    assert set(data["scripts"]) == {
        "wall-status-chart",
        "wall-township-chart",
        "wall-parcels-chart",
        "wall-top-chart",
        "wall-bottom-chart",
    }
    assert data["text"]["wall-parcels-in"] == "5,000" and data["text"]["wall-month"] == "2020-05"
    assert data["text"]["wall-township-coverage"] == "2/33" and data["text"]["wall-stations"] == "5"
    parcels = data["scripts"]["wall-parcels-chart"]["series"]
    assert parcels[0]["data"][-1] == 5000 and parcels[1]["data"][-1] == 2000
    alerts = " ".join(a["text"] for a in data["lists"]["wall-alerts"])
    assert "待审定" in alerts and "观察期站点 1 个" in alerts


def test_wall_polling_does_not_count_as_activity(office):
    session = office.session
    session[LAST_ACTIVITY] = int(timezone.now().timestamp()) - 600
    session.save()
    before = office.session[LAST_ACTIVITY]
    office.get("/stations/wall/data/", HTTP_X_CUNTONG_BACKGROUND="1")
    assert office.session[LAST_ACTIVITY] == before
    office.get("/stations/wall/")
    assert office.session[LAST_ACTIVITY] > before


def test_township_wall_shows_only_its_township(network):
    client = login(make_user("hongyang-user", "township", HONGYANG))
    data = client.get("/stations/wall/data/").json()
    assert data["text"]["wall-township-coverage"] == "1/1" and data["text"]["wall-stations"] == "3"
    html = client.get("/stations/wall/").content.decode()
    assert "洪阳镇" in html


def test_display_link_opens_the_wall_without_login_until_revoked(office, network):
    response = office.post(
        "/stations/wall/links/", {"name": "服务中心大屏", "area": area("445281").pk, "valid_days": 30}
    )
    html = response.content.decode()
    url = html.split('id="new-display-link"')[1].split("<code")[1].split(">")[1].split("<")[0]
    path = url.replace("http://testserver", "")
    link = DisplayLink.objects.get()
    assert link.token_hash not in html and link.prefix in path
    from django.test import Client

    screen = Client()
    page = screen.get(path)
    assert page.status_code == 200 and "wall-parcels-chart" in page.content.decode()
    assert screen.get(f"{path}data/").json()["text"]["wall-stations"] == "5"
    office.post(f"/stations/wall/links/{link.pk}/revoke/")
    assert screen.get(f"{path}data/").status_code == 404
    assert Client().get("/stations/wall/screen/not-a-token/").status_code == 404


def test_expired_display_link_is_refused(office, network):
    office.post("/stations/wall/links/", {"name": "x", "area": area(HONGYANG).pk, "valid_days": 1})
    link = DisplayLink.objects.get()
    DisplayLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert not DisplayLink.objects.get().is_usable


def test_township_display_link_shows_only_that_township(office, network):
    response = office.post("/stations/wall/links/", {"name": "洪阳大屏", "area": area(HONGYANG).pk, "valid_days": 30})
    url = response.content.decode().split("<code")[1].split(">")[1].split("<")[0].replace("http://testserver", "")
    from django.test import Client

    data = Client().get(f"{url}data/").json()
    assert data["text"]["wall-stations"] == "3" and data["text"]["wall-township-coverage"] == "1/1"


def test_check_in_with_photo_and_position(network):
    operator = make_user("operator", "station_operator", HONGYANG)
    station = network[1]
    Station.objects.filter(pk=station.pk).update(operator_user=operator)
    CheckIn.objects.all().delete()
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "JPEG")
    photo = SimpleUploadedFile("door.jpg", buffer.getvalue(), content_type="image/jpeg")
    client = login(operator)
    lat, lng = float(station.latitude) + 0.001, float(station.longitude)
    response = client.post(
        f"/stations/{station.pk}/checkin/",
        {"is_open": "on", "note": "正常营业", "photo": photo, "latitude": f"{lat:.6f}", "longitude": f"{lng:.6f}"},
    )
    assert response.status_code == 302
    checkin = CheckIn.objects.get()
    assert checkin.is_open and 100 <= checkin.distance_m <= 120
    from cuntong.attachments.services import attachments_of

    assert attachments_of(checkin).get().kind == "photo"
    # a second check-in the same day updates it
    client.post(f"/stations/{station.pk}/checkin/", {"note": "下午关门"})
    assert CheckIn.objects.get().is_open is False
    assert client.get(f"/stations/{network[4].pk}/checkin/").status_code == 404


def test_check_in_page_is_light(network):
    operator = make_user("operator", "station_operator", HONGYANG)
    Station.objects.filter(pk=network[1].pk).update(operator_user=operator)
    html = login(operator).get(f"/stations/{network[1].pk}/checkin/").content.decode()
    assert "bootstrap" not in html and "leaflet" not in html and 'capture="environment"' in html


# --- station import and export ---------------------------------------------------------------------------------


STATION_HEADER = [
    "站点编号",
    "站点名称",
    "层级",
    "服务区域代码",
    "纬度",
    "经度",
    "站长电话",
    "服务项目",
    "状态",
    "开始运营日期",
]


OPERATING_POINT = [
    "",
    "甲点",
    "村级服务点",
    f"{HONGYANG}201",
    23.43,
    116.275,
    "13812345678",
    "快递收发、直播带货",
    "运营中",
    "2020-03-01",
]


def test_station_import_reports_bad_rows_and_writes_nothing(base_data):
    stream = xlsx_upload(
        STATION_HEADER,
        [
            OPERATING_POINT,
            [
                "",
                "乙点",
                "村级服务点",
                f"{HONGYANG}202",
                23.4301,
                116.2755,
                "",
                "快递收发",
                "运营中",
                "2020-03-01",
            ],  # 60 m
            ["", "丙点", "村级服务点", "445281999201", 23.4, 116.2, "", "", "", ""],  # not a village here
            ["", "丁点", "镇级服务站", f"{NANXI}201", 23.4, 116.2, "", "", "", ""],  # level vs area
            ["", "戊点", "村级服务点", f"{NANXI}202", 93.4, 116.2, "123", "送外卖", "", ""],  # lat, phone, service
        ],
    )
    report = IMPORTERS["stations"](user=services.SYSTEM, programme=programme()).run(stream, "stations.xlsx")
    assert not report.committed and not Station.objects.exists()
    rows = sorted({e.row for e in report.errors})
    assert rows == [3, 4, 5, 6]
    text = " ".join(e.message for e in report.errors)
    assert "须超过 2,000 米" in text and "445281999201" in text and "纬度" in text and "送外卖" in text


def test_station_import_and_export_round_trip(base_data):
    stream = xlsx_upload(
        STATION_HEADER,
        [
            OPERATING_POINT,
            ["", "洪阳站", "镇级服务站", HONGYANG, 23.44, 116.28, "", "", "", ""],
        ],
    )
    report = IMPORTERS["stations"](user=services.SYSTEM, programme=programme()).run(stream, "stations.xlsx")
    assert report.committed and report.written == 2, report.errors
    point = Station.objects.get(name="甲点")
    assert point.status == rules.OPERATING and point.opened_on == datetime.date(2020, 3, 1)
    assert point.services == ["express", "live_streaming"] and point.events.last().reason.startswith("导入")
    assert Station.objects.get(name="洪阳站").status == rules.PROPOSED
    office = login(make_user("office-user", "office"))
    rows = xlsx_rows(office.get("/stations/", {"export": "xlsx"}))
    header = list(rows[0])
    assert header[:4] == ["站点编号", "站点名称", "层级", "服务区域代码"]
    exported = dict(zip(header, next(r for r in rows[1:] if r[1] == "甲点"), strict=True))
    assert exported["站长电话"] == "138****5678" and exported["服务项目"] == "快递收发、直播带货"
    # the export reads back: codes match, masked phones keep the stored number
    again = IMPORTERS["stations"](user=services.SYSTEM, programme=programme()).run(
        xlsx_upload(list(rows[0]), rows[1:]), "export.xlsx"
    )
    assert again.committed, again.errors
    assert Station.objects.count() == 2
    point.refresh_from_db()
    assert point.operator_phone.reveal() == "13812345678"


def test_api_creates_a_proposal_in_scope_only(base_data):
    township = login(make_user("hongyang-user", "township", HONGYANG))
    body = {
        "name": "接口新点",
        "level": "village",
        "area": area(f"{HONGYANG}201").pk,
        "latitude": "23.430000",
        "longitude": "116.275000",
        "services": ["express"],
    }
    response = township.post("/api/v1/stations/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    station = Station.objects.get(name="接口新点")
    assert (
        station.status == rules.PROPOSED and station.events.count() == 1 and response.json()["services"] == ["express"]
    )
    other = {**body, "name": "越界", "area": area(f"{NANXI}201").pk}
    assert township.post("/api/v1/stations/", other, content_type="application/json").status_code == 400
    wrong = {**body, "name": "错层级", "level": "township"}
    assert township.post("/api/v1/stations/", wrong, content_type="application/json").status_code == 400


def test_checkin_api(network):
    operator = make_user("operator", "station_operator", HONGYANG)
    Station.objects.filter(pk=network[2].pk).update(operator_user=operator)
    client = login(operator)
    response = client.post(
        "/api/v1/station-checkins/", {"station": network[2].pk, "is_open": True}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["day"] == timezone.localdate().isoformat()
    assert (
        client.post(
            "/api/v1/station-checkins/", {"station": network[4].pk}, content_type="application/json"
        ).status_code
        == 400
    )


def test_only_stations_in_operation_check_in_or_report(network):
    operator = make_user("operator", "station_operator", NANXI)
    proposed = network[5]
    Station.objects.filter(pk=proposed.pk).update(operator_user=operator)
    client = login(operator)
    response = client.post(f"/stations/{proposed.pk}/checkin/", {"is_open": "on"})
    assert response.status_code == 200 and "只有运营中的站点可以打卡" in response.content.decode()
    assert not CheckIn.objects.filter(station=proposed).exists()
    opened = network[4]
    Station.objects.filter(pk=opened.pk).update(operator_user=operator)
    assert client.get(f"/stations/{opened.pk}/report/2019-12/").status_code == 404  # opened in January 2020
    assert client.get(f"/stations/{opened.pk}/report/2020-01/").status_code == 200
