"""Monthly reports: validation, the confirm step, corrections with reasons, one per station and month,
completeness and timeliness, the operator's phone page, the API, XLSX import and export."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cuntong.core.importer import IMPORTERS
from cuntong.stations import rules, services
from cuntong.stations.models import MonthlyReport, ReportRevision, Station
from cuntong.stations.rules import Figures
from cuntong.web.testing import HONGYANG, NANXI, frozen_clock, login, make_user, programme, xlsx_rows, xlsx_upload

from .factories import FIGURES, make_report, make_station

MAY = datetime.date(2020, 5, 1)
APRIL = datetime.date(2020, 4, 1)


@pytest.fixture
def operator(base_data):
    return make_user("operator", "station_operator", HONGYANG, display_name="站长甲")


@pytest.fixture
def station(operator):
    return make_station(f"{HONGYANG}201", operator_user=operator)


# --- the service -----------------------------------------------------------------------------------------------


def test_a_report_is_saved_with_its_due_date(station, operator):
    report, changed = services.save_report(station, MAY, Figures(**FIGURES), user=operator)
    assert changed and report.due_on == datetime.date(2020, 6, 10) and report.submitted_by == operator


def test_negative_figures_are_refused(station):
    with pytest.raises(services.ReportRefused) as refused:
        services.save_report(station, MAY, Figures(parcels_in=-5), user=services.SYSTEM)
    assert refused.value.check.errors[0].field == "parcels_in"
    assert not MonthlyReport.objects.exists()


def test_implausible_figures_need_confirmation(station):
    figures = Figures(parcels_in=50_000)
    with pytest.raises(services.ReportRefused) as refused:
        services.save_report(station, MAY, figures, user=services.SYSTEM)
    assert refused.value.needs_confirmation and not MonthlyReport.objects.exists()
    report, _changed = services.save_report(station, MAY, figures, confirm=True, user=services.SYSTEM)
    assert report.confirmed_warnings == ["parcels_in"]


def test_corrections_need_a_reason_and_stay_in_history(station, operator):
    services.save_report(station, MAY, Figures(**FIGURES), user=operator)
    corrected = Figures(**{**FIGURES, "parcels_in": 1200})
    with pytest.raises(services.ReportRefused) as refused:
        services.save_report(station, MAY, corrected, user=operator)
    assert refused.value.needs_reason
    report, changed = services.save_report(station, MAY, corrected, user=operator, reason="漏记一批快递")
    assert changed and report.parcels_in == 1200
    revision = ReportRevision.objects.get()
    assert revision.reason == "漏记一批快递" and revision.changed_by == operator
    assert (revision.before["parcels_in"], revision.after["parcels_in"]) == (1000, 1200)
    assert revision.changes == [("收件量（下行，件）", 1000, 1200)]
    # the same figures again change nothing and need no reason
    assert services.save_report(station, MAY, corrected, user=operator)[1] is False


def test_one_report_per_station_and_month_is_a_database_rule(station):
    make_report(station, MAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_report(station, MAY)


def test_negative_money_is_refused_by_the_database(station):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_report(station, MAY, agri_sales=Decimal("-1.00"))


def test_completeness_and_timeliness_per_month(base_data):
    on_time = make_station(f"{HONGYANG}201")
    late = make_station(f"{HONGYANG}202")
    missing = make_station(f"{NANXI}201")
    make_station(f"{NANXI}202", opened_on=datetime.date(2020, 6, 1))  # not yet open in May: owes nothing
    make_report(on_time, MAY)
    make_report(late, MAY, on_time=False)
    result = services.month_completeness(programme(), MAY)
    assert (result.expected, result.received, result.on_time, result.late) == (3, 2, 1, 1)
    assert result.missing == (missing.pk,)
    office = login(make_user("office-user", "office"))
    page = office.get("/stations/reports/completeness/?month=2020-05").content.decode()
    assert missing.name in page and late.name in page


def test_several_months_at_once_follow_each_stations_opening_and_closing(base_data):
    steady = make_station(f"{HONGYANG}201")
    opened_in_june = make_station(f"{NANXI}202", opened_on=datetime.date(2020, 6, 1))
    closed_in_may = make_station(f"{NANXI}201")
    Station.objects.filter(pk=closed_in_may.pk).update(closed_on=datetime.date(2020, 5, 20))
    make_report(steady, MAY)
    june = datetime.date(2020, 6, 1)
    by_month = services.months_completeness(programme(), [APRIL, MAY, june])
    assert {month: (r.expected, r.received, set(r.missing)) for month, r in by_month.items()} == {
        APRIL: (2, 0, {steady.pk, closed_in_may.pk}),
        MAY: (2, 1, {closed_in_may.pk}),
        june: (2, 0, {steady.pk, opened_in_june.pk}),
    }
    assert by_month[MAY] == services.month_completeness(programme(), MAY)


# --- the phone page --------------------------------------------------------------------------------------------


def _post(client, station, month, **values):
    data = {name: str(value) for name, value in FIGURES.items()} | {k: str(v) for k, v in values.items()}
    return client.post(f"/stations/{station.pk}/report/{month}/", data)


def test_phone_page_is_light(station, operator):
    html = login(operator).get(f"/stations/{station.pk}/report/2020-05/").content.decode()
    scripts = [line for line in html.splitlines() if "<script" in line]
    assert scripts == [line for line in scripts if "stations/phone.js" in line] and len(scripts) == 1
    for heavy in ("echarts", "leaflet", "bootstrap", "htmx"):
        assert heavy not in html
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert 'data-draft="cuntong-report-' in html and 'inputmode="numeric"' in html


def test_operator_submits_then_corrects_on_the_phone(station, operator):
    client = login(operator)
    response = _post(client, station, "2020-05")
    assert response.status_code == 302 and f"saved={station.pk}-2020-05" in response["Location"]
    home = client.get(response["Location"]).content.decode()
    assert f'data-clear-draft="cuntong-report-{station.pk}-2020-05"' in home
    response = _post(client, station, "2020-05", parcels_in=1100)
    assert response.status_code == 200 and "修改已报送的月报须填写修改原因" in response.content.decode()
    response = _post(client, station, "2020-05", parcels_in=1100, reason="补录")
    assert response.status_code == 302
    assert MonthlyReport.objects.get().parcels_in == 1100 and ReportRevision.objects.get().reason == "补录"


def test_phone_page_asks_to_confirm_implausible_figures(station, operator):
    client = login(operator)
    response = _post(client, station, "2020-05", visitors=99999)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="report-warnings"' in html and 'name="confirm"' in html
    assert not MonthlyReport.objects.exists()
    assert _post(client, station, "2020-05", visitors=99999, confirm="on").status_code == 302
    assert MonthlyReport.objects.get().confirmed_warnings == ["visitors"]


def test_phone_page_refuses_negative_numbers(station, operator):
    response = _post(login(operator), station, "2020-05", parcels_out=-3)
    assert response.status_code == 200 and not MonthlyReport.objects.exists()


@frozen_clock("2026-12-31")  # next month is next year's
def test_operator_cannot_report_for_another_station_or_a_future_month(station, operator):
    other = make_station(f"{HONGYANG}202")
    client = login(operator)
    assert client.get(f"/stations/{other.pk}/report/2020-05/").status_code == 404
    future = (timezone.localdate().replace(day=1) + datetime.timedelta(days=40)).strftime("%Y-%m")
    assert client.get(f"/stations/{station.pk}/report/{future}/").status_code == 404


def test_my_page_lists_the_operators_station(station, operator):
    html = login(operator).get("/stations/my/").content.decode()
    assert station.name in html and "填报月报" in html and "今日打卡" in html


# --- API -------------------------------------------------------------------------------------------------------


def test_api_report_needs_confirmation_and_reason(station, operator):
    client = login(operator)
    body = {"station": station.pk, "month": "2020-05", **{k: str(v) for k, v in FIGURES.items()}, "visitors": 90000}
    response = client.post("/api/v1/station-reports/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["needs_confirmation"] is True
    response = client.post("/api/v1/station-reports/", {**body, "confirm": True}, content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["month"] == "2020-05" and data["visitors"] == 90000 and data["on_time"] is False
    url = f"/api/v1/station-reports/{data['id']}/"
    response = client.patch(url, {"parcels_in": 5}, content_type="application/json")
    assert response.status_code == 400 and response.json()["needs_reason"] is True
    response = client.patch(url, {"parcels_in": 5, "reason": "更正"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["parcels_in"] == 5


def test_api_refuses_reports_for_stations_outside_scope(station, operator):
    other = make_station(f"{NANXI}201")
    body = {"station": other.pk, "month": "2020-05", **{k: str(v) for k, v in FIGURES.items()}}
    response = login(operator).post("/api/v1/station-reports/", body, content_type="application/json")
    assert response.status_code == 400 and not MonthlyReport.objects.exists()  # not a choice for this operator


# --- XLSX import and export ------------------------------------------------------------------------------------


HEADER = [
    "站点编号",
    "月份",
    "收件量（下行，件）",
    "寄件量（上行，件）",
    "农产品网销额（元）",
    "直播场次",
    "直播销售额（元）",
    "确认",
    "修改原因",
]


def test_import_reports_every_bad_row_and_writes_nothing(station):
    other = make_station(f"{HONGYANG}202")
    stream = xlsx_upload(
        HEADER,
        [
            [station.code, "2020-05", 100, 50, "1000", 0, 0, "", ""],
            [station.code, "2020-05", 100, 50, "1000", 0, 0, "", ""],  # duplicate
            [other.code, "2020-13", 100, 50, "1000", 0, 0, "", ""],  # not a month
            ["NO-SUCH", "2020-05", 100, 50, "1000", 0, 0, "", ""],  # unknown station
            [other.code, "2020-05", -4, 50, "1000", 0, 0, "", ""],  # negative
            [other.code, "2020-04", 50000, 50, "1000", 0, 0, "", ""],  # implausible, not confirmed
            [other.code, "2020-03", 10, 5, "100", 0, "500", "", ""],  # live sales without sessions
        ],
    )
    report = IMPORTERS["station-reports"](user=services.SYSTEM, programme=programme()).run(stream, "reports.xlsx")
    assert not report.committed and not MonthlyReport.objects.exists()
    assert [e.row for e in report.errors] == [3, 4, 5, 6, 7, 8]
    messages = " ".join(e.message for e in report.errors)
    assert "第2行" in messages and "不是月份" in messages and "NO-SUCH" in messages
    assert "不能为负数" in messages and "确认" in messages and "直播场次" in messages


def test_import_writes_valid_reports_and_corrections_with_reasons(station):
    make_report(station, APRIL)
    stream = xlsx_upload(
        HEADER,
        [
            [station.code, "2020年5月", 100, 50, "1,000", 0, 0, "", ""],
            [station.code, "2020-04", 50000, 50, "1000", 0, 0, "是", "快递站合并"],
        ],
    )
    report = IMPORTERS["station-reports"](user=services.SYSTEM, programme=programme()).run(stream, "reports.xlsx")
    assert report.committed and report.written == 2, report.errors
    may = MonthlyReport.objects.get(month=MAY)
    assert may.agri_sales == Decimal("1000") and may.source == "import"
    assert ReportRevision.objects.get().reason == "快递站合并"


def test_import_checks_each_row_without_reloading_the_programme(station):
    make_station(f"{HONGYANG}202")
    rows = [
        [s.code, month, 10, 5, "100", 0, 0, "", ""] for s in Station.objects.all() for month in ("2020-04", "2020-05")
    ]
    importer = IMPORTERS["station-reports"](user=services.SYSTEM, programme=programme())
    assert {id(s.programme) for s in importer.by_code.values()} == {id(importer.programme)}
    assert importer.run(xlsx_upload(HEADER, rows), "reports.xlsx").written == 4


def test_report_export_reads_back_into_the_importer(station):
    make_report(station, MAY)
    office = login(make_user("office-user", "office"))
    rows = xlsx_rows(office.get("/stations/reports/", {"export": "xlsx"}))
    assert rows[0][:3] == ("站点编号", "站点", "月份") and rows[1][0] == station.code and rows[1][2] == "2020-05"
    report = IMPORTERS["station-reports"](user=services.SYSTEM, programme=programme()).run(
        xlsx_upload(list(rows[0]), rows[1:]), "export.xlsx", commit=False
    )
    assert report.ok and report.valid_rows == 1


def test_import_page_runs_the_importer_as_a_job(station, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cuntong.jobs.models import Job

    office = login(make_user("office-user", "office"))
    upload = SimpleUploadedFile(
        "r.xlsx", xlsx_upload(HEADER, [[station.code, "2020-05", 1, 1, "1", 0, 0, "", ""]]).read()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = office.post("/import/station-reports/", {"file": upload})
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.status == "succeeded" and job.result["committed"] and MonthlyReport.objects.count() == 1


def test_report_months_are_month_starts(station):
    report, _changed = services.save_report(station, datetime.date(2020, 5, 17), Figures(), user=services.SYSTEM)
    assert report.month == MAY and rules.month_end(report.month) == datetime.date(2020, 5, 31)
