"""The stations' list columns (``core.tables``) and the fields of their detail pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cuntong.core.tables import Col, Table

from . import rules
from .models import CandidateSite, CheckIn, ManagementProposal, MonthlyReport, Station


class StationExportTable(Table):
    """The export carries the headers StationImporter reads, so an exported file can be corrected and imported
    back."""

    code = Col("code", _("站点编号"))
    name = Col("name", _("站点名称"))
    level = Col("level", _("层级"))
    area_code = Col("area.code", _("服务区域代码"))
    area = Col("area.name", _("服务区域"))
    latitude = Col("latitude", _("纬度"))
    longitude = Col("longitude", _("经度"))
    address = Col("address", _("地址"))
    operator_name = Col("operator_name", _("站长姓名"))
    operator_phone = Col("operator_phone", _("站长电话"))
    floor_area_m2 = Col("floor_area_m2", _("场地面积（平方米）"))
    services = Col("services_display", _("服务项目"))
    is_benchmark = Col("is_benchmark", _("标杆站点"))
    sub_item = Col("sub_item.code", _("资金子项"))
    status = Col("status", _("状态"))
    opened_on = Col("opened_on", _("开始运营日期"))
    closed_on = Col("closed_on", _("停止运营日期"))
    note = Col("note", _("备注"))
    is_generated = Col("is_generated", _("演示生成数据"))

    class Meta:
        model = Station


class StationTable(Table):
    code = Col("code", _("站点编号"), order_by="code")
    name = Col("name", _("站点名称"), kind="link", order_by="name")
    level = Col("level", _("层级"))
    area = Col("area.name", _("服务区域"))
    status = Col("status", _("状态"), kind="badge", order_by="status")
    operator_name = Col("operator_name", _("站长"))
    operator_phone = Col("operator_phone", _("站长电话"))
    floor_area_m2 = Col("floor_area_m2", _("面积（平方米）"), kind="number")
    is_benchmark = Col("is_benchmark", _("标杆"), kind="bool")
    opened_on = Col("opened_on", _("开始运营"), kind="date", order_by="opened_on")
    is_generated = Col("is_generated", _("演示生成"), kind="bool")

    class Meta:
        model = Station
        phone_hidden = (
            "level",
            "operator_name",
            "operator_phone",
            "floor_area_m2",
            "is_benchmark",
            "opened_on",
            "is_generated",
        )
        export = StationExportTable


STATION_DETAIL = (
    Col("code", _("站点编号")),
    Col("level", _("层级")),
    Col("area", _("服务区域")),
    Col("status", _("状态"), kind="badge"),
    Col("address", _("地址")),
    Col("latitude", _("纬度（WGS-84）")),
    Col("longitude", _("经度（WGS-84）")),
    Col("operator_name", _("站长")),
    Col("operator_phone", _("站长电话")),
    Col("operator_user", _("站长账号")),
    Col("organisation", _("运营单位")),
    Col("floor_area_m2", _("场地面积（平方米）")),
    Col("services_display", _("服务项目")),
    Col("is_benchmark", _("标杆站点"), kind="bool"),
    Col("sub_item", _("资金子项")),
    Col("replaces", _("替换的站点")),
    Col("opened_on", _("开始运营日期"), kind="date"),
    Col("closed_on", _("停止运营日期"), kind="date"),
    Col("note", _("备注")),
    Col("is_generated", _("演示生成数据"), kind="bool"),
)


# --- monthly reports -------------------------------------------------------------------------------------------


def _figure(name: str) -> Col:
    """A report figure headed by the model's own label, with its unit."""
    return Col(name, MonthlyReport._meta.get_field(name).verbose_name)


class ReportExportTable(Table):
    station_code = Col("station.code", _("站点编号"))
    station = Col("station.name", _("站点"))
    month = Col("month_label", _("月份"))
    parcels_in = _figure("parcels_in")
    parcels_out = _figure("parcels_out")
    agri_sales = _figure("agri_sales")
    purchases_for_villagers = _figure("purchases_for_villagers")
    financial_count = _figure("financial_count")
    financial_amount = _figure("financial_amount")
    live_sessions = _figure("live_sessions")
    live_sales = _figure("live_sales")
    visitors = _figure("visitors")
    submitted_at = Col("submitted_at", _("报送时间"))
    due_on = Col("due_on", _("报送截止日"))
    on_time = Col("on_time", _("按时"))
    source = Col("source", _("来源"))

    class Meta:
        model = MonthlyReport


class ReportTable(Table):
    month = Col("month_label", _("月份"), order_by="month")
    station = Col("station.name", _("站点"), kind="link")
    parcels_in = Col("parcels_in", _("收件（下行）"), kind="number")
    parcels_out = Col("parcels_out", _("寄件（上行）"), kind="number")
    agri_sales = Col("agri_sales", _("农产品网销额"), kind="yuan")
    purchases_for_villagers = Col("purchases_for_villagers", _("代购金额"), kind="yuan")
    financial_count = Col("financial_count", _("金融服务笔数"), kind="number")
    financial_amount = Col("financial_amount", _("金融服务金额"), kind="yuan")
    live_sessions = Col("live_sessions", _("直播场次"), kind="number")
    live_sales = Col("live_sales", _("直播销售额"), kind="yuan")
    visitors = Col("visitors", _("到站人次"), kind="number")
    submitted_at = Col("submitted_at", _("报送时间"), kind="datetime")
    on_time = Col("on_time", _("按时"), kind="bool")

    class Meta:
        model = MonthlyReport
        phone_hidden = (
            "agri_sales",
            "purchases_for_villagers",
            "financial_count",
            "financial_amount",
            "live_sessions",
            "live_sales",
            "visitors",
            "submitted_at",
            "on_time",
        )
        export = ReportExportTable


REPORT_DETAIL = (
    Col("station", _("站点")),
    Col("month_label", _("月份")),
    *(getattr(ReportTable, name) for name in rules.FIGURE_NAMES),
    Col("submitted_at", _("报送时间"), kind="datetime"),
    Col("submitted_by", _("报送人")),
    Col("due_on", _("报送截止日"), kind="date"),
    Col("on_time", _("按时报送"), kind="bool"),
    Col("source", _("来源")),
)


class CheckInTable(Table):
    day = Col("day", _("日期"), kind="date", order_by="day")
    station = Col("station.name", _("站点"))
    is_open = Col("is_open", _("开门营业"), kind="bool")
    checked_at = Col("checked_at", _("打卡时间"), kind="datetime")
    distance_m = Col("distance_m", _("距站点（米）"), kind="number")
    note = Col("note", _("备注"))

    class Meta:
        model = CheckIn
        phone_hidden = ("checked_at", "distance_m", "note")


# --- dynamic management and the optimiser's candidate sites ----------------------------------------------------


class ProposalTable(Table):
    station = Col("station.name", _("站点"))
    kind = Col("kind", _("建议"), kind="link")
    status = Col("status", _("状态"), kind="badge")
    created_at = Col("created_at", _("提出时间"), kind="datetime")
    decided_by = Col("decided_by", _("审定人"))
    decision_reason = Col("decision_reason", _("审定意见"))

    class Meta:
        model = ManagementProposal
        phone_hidden = ("created_at", "decided_by", "decision_reason")


PROPOSAL_DETAIL = (
    Col("station", _("站点")),
    Col("kind", _("建议")),
    Col("status", _("状态"), kind="badge"),
    Col("created_at", _("提出时间"), kind="datetime"),
    Col("decided_by", _("审定人")),
    Col("decided_at", _("审定时间"), kind="datetime"),
    Col("decision_reason", _("审定意见")),
)


class CandidateTable(Table):
    village = Col("village.name", _("行政村"))
    name = Col("name", _("点位名称"), kind="link")
    latitude = Col("latitude", _("纬度"))
    longitude = Col("longitude", _("经度"))
    note = Col("note", _("说明"))
    is_generated = Col("is_generated", _("演示生成"), kind="bool")

    class Meta:
        model = CandidateSite
        phone_hidden = ("note", "is_generated")
