"""XLSX/CSV imports of stations, monthly reports and candidate sites: every bad row reported, nothing written
unless the whole file is valid (``cuntong import stations FILE``, or the import page)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cuntong.core import importer as imp
from cuntong.core.importer import Column, RowInvalid, register_importer
from cuntong.core.personal import PHONE
from cuntong.geo.importers import _coordinate
from cuntong.geo.models import Area
from cuntong.programme.models import SubItem

from . import rules, services
from .models import CandidateSite, MonthlyReport, ReportSource, Station

LATITUDE = _coordinate(3, 54, gettext_lazy("纬度"))  # the areas importer's check: inside China, six places
LONGITUDE = _coordinate(73, 136, gettext_lazy("经度"))


def _phone(value: str) -> str | None:
    """A phone number, or None for a masked one (an exported file re-imported keeps the stored number)."""
    if "*" in value:
        return None
    if not value:
        return ""
    try:
        return PHONE.validate(value)
    except Exception as exc:  # ValidationError carries the message users read
        raise RowInvalid(" ".join(getattr(exc, "messages", [str(exc)]))) from exc


def _services(value: str) -> list[str]:
    parse = imp.choice(dict(rules.SERVICE_LABELS))
    return sorted({parse(part) for part in re.split(r"[、,，;；/\s]+", value) if part.strip()})


def _level(value: str) -> str:
    return imp.choice({rules.TOWNSHIP: _("镇级服务站"), rules.VILLAGE: _("村级服务点")})(value)


def _status(value: str) -> str:
    return imp.choice(dict(rules.STATUS_LABELS))(value) if value else rules.PROPOSED


class ProgrammeImporter(imp.Importer):
    """Imports into one programme: stations are looked up by code within it, and within the user's scope."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.programme is None:
            raise ValueError("station imports need a programme")

    def stations(self, action: str = "view"):
        # Through the programme's manager, so each station's ``programme`` is this one instance (its rules parsed once).
        queryset = self.programme.stations.all()
        return queryset.restrict(self.user, action) if self.user is not None else queryset


@dataclass
class StationRow:
    row: int
    station: Station
    status: str
    opened_on: object


@register_importer("stations")
class StationImporter(ProgrammeImporter):
    """New stations (or updates by code). A status beyond 拟建 imports an existing network: such rows must keep
    the quota and spacing rules against the network and the file's earlier rows (otherwise import them as 拟建 and
    let the office approve them, with an override where needed)."""

    title = gettext_lazy("服务站点")
    model = Station
    columns = (
        Column("code", ("站点编号", "code")),
        Column("name", ("站点名称", "name"), required=True, parse=imp.text),
        Column("level", ("层级", "level"), required=True, parse=_level),
        Column("area_code", ("服务区域代码", "area_code"), required=True, parse=imp.text),
        Column("latitude", ("纬度", "latitude"), required=True, parse=LATITUDE),
        Column("longitude", ("经度", "longitude"), required=True, parse=LONGITUDE),
        Column("address", ("地址", "address"), parse=imp.text),
        Column("operator_name", ("站长姓名", "operator_name"), parse=imp.text),
        Column("operator_phone", ("站长电话", "operator_phone"), parse=_phone),
        Column("floor_area_m2", ("场地面积（平方米）", "场地面积", "floor_area_m2"), parse=imp.non_negative_decimal),
        Column("services", ("服务项目", "services"), parse=_services),
        Column("is_benchmark", ("标杆站点", "is_benchmark"), parse=imp.boolean),
        Column("sub_item", ("资金子项", "sub_item"), parse=imp.text),
        Column("status", ("状态", "status"), parse=_status),
        Column("opened_on", ("开始运营日期", "opened_on"), parse=imp.day),
        Column("note", ("备注", "note"), parse=imp.text),
    )
    # Written by the station list's export for reading (it imports back); the import does not set them.
    ignored_headers = ("服务区域", "停止运营日期", "演示生成数据")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen_codes: dict[str, int] = {}
        self.areas = {
            a.code: a
            for a in Area.objects.current().filter(
                code__startswith=self.programme.county.code, level__in=["township", "village"]
            )
        }
        self.sub_items = {s.code: s for s in SubItem.objects.filter(project__programme=self.programme)}
        self.existing = {s.code: s for s in self.stations().select_related("area")}
        self.network = services.active_sites(self.programme)
        self.rules = services.station_rules(self.programme)

    def clean_row(self, values, row_number):
        area = self.areas.get(values["area_code"])
        if area is None:
            raise RowInvalid(
                _("服务区域代码 %(c)s 不是本县的乡镇或行政村") % {"c": values["area_code"]}, _("服务区域代码")
            )
        if self.user is not None and not Area.objects.restrict(self.user, "view").filter(pk=area.pk).exists():
            raise RowInvalid(_("服务区域 %(a)s 不在您的管辖范围内") % {"a": area.name}, _("服务区域代码"))
        code = values.get("code") or ""
        if code and code in self.seen_codes:
            raise RowInvalid(
                _("站点编号 %(c)s 与第%(r)d行重复") % {"c": code, "r": self.seen_codes[code]}, _("站点编号")
            )
        station = self.existing.get(code) if code else None
        if station is None:
            station = Station(programme=self.programme, code=code)
        elif values["status"] != rules.PROPOSED and values["status"] != station.status:
            raise RowInvalid(_("已有站点的状态须在站点页面按流程变更"), _("状态"))
        sub_item = None
        if values.get("sub_item"):
            sub_item = self.sub_items.get(values["sub_item"]) or next(
                (s for s in self.sub_items.values() if s.name == values["sub_item"]), None
            )
            if sub_item is None:
                raise RowInvalid(_("没有资金子项“%(s)s”") % {"s": values["sub_item"]}, _("资金子项"))
        for name in (
            "name",
            "level",
            "latitude",
            "longitude",
            "address",
            "operator_name",
            "operator_phone",
            "floor_area_m2",
            "note",
        ):
            setattr(station, name, values.get(name) if values.get(name) is not None else getattr(station, name))
        station.area = area
        station.services = values.get("services") or station.services
        station.is_benchmark = values.get("is_benchmark", False)
        station.sub_item = sub_item or station.sub_item
        try:
            station.clean()
        except Exception as exc:  # ValidationError with per-field messages
            raise RowInvalid("；".join(getattr(exc, "messages", [str(exc)]))) from exc
        status = values["status"] if station.pk is None else station.status
        if station.pk is None and status in rules.ACTIVE_STATUSES:
            site = rules.Site(
                f"row-{row_number}",
                station.level,
                area.code,
                float(station.latitude),
                float(station.longitude),
                label=station.name,
            )
            broken = rules.check_site(site, self.network, area.population, self.rules)
            if broken:
                raise RowInvalid("；".join(v.message for v in broken), _("状态"))
            self.network.append(site)
        if status in rules.IN_OPERATION and not values.get("opened_on"):
            raise RowInvalid(_("运营中的站点须填写开始运营日期"), _("开始运营日期"))
        if code:
            self.seen_codes[code] = row_number
        return StationRow(row_number, station, status, values.get("opened_on"))

    def write(self, cleaned):
        for row in cleaned:
            creating = row.station.pk is None
            services.save_station(row.station, user=self.user)
            if creating and row.status != rules.PROPOSED:
                _import_status(row, self.user)
        return len(cleaned)


def _import_status(row: StationRow, user) -> None:
    """An existing network's station arrives with its status: recorded as one dated, explained step."""
    from .models import StationEvent

    station = row.station
    day = row.opened_on or timezone.localdate()
    station.status = row.status
    station.status_changed_on = day
    if row.status in rules.IN_OPERATION:
        station.opened_on = row.opened_on
    station.save(update_fields=["status", "status_changed_on", "opened_on", "updated_at"])
    StationEvent.objects.create(
        station=station,
        from_status=rules.PROPOSED,
        to_status=row.status,
        on=day,
        by=user,
        reason=_("导入已有站点（第%(r)d行）") % {"r": row.row},
    )


@dataclass
class ReportRow:
    station: Station
    month: object
    figures: rules.Figures
    confirm: bool
    reason: str
    check: rules.ReportCheck


FIGURE_COLUMNS = (
    Column("parcels_in", ("收件量（下行，件）", "收件量", "parcels_in"), parse=imp.non_negative_integer),
    Column("parcels_out", ("寄件量（上行，件）", "寄件量", "parcels_out"), parse=imp.non_negative_integer),
    Column("agri_sales", ("农产品网销额（元）", "农产品网销额", "agri_sales"), parse=imp.non_negative_decimal),
    Column(
        "purchases_for_villagers",
        ("代购金额（元）", "代购金额", "purchases_for_villagers"),
        parse=imp.non_negative_decimal,
    ),
    Column("financial_count", ("金融服务笔数", "financial_count"), parse=imp.non_negative_integer),
    Column(
        "financial_amount", ("金融服务金额（元）", "金融服务金额", "financial_amount"), parse=imp.non_negative_decimal
    ),
    Column("live_sessions", ("直播场次", "live_sessions"), parse=imp.non_negative_integer),
    Column("live_sales", ("直播销售额（元）", "直播销售额", "live_sales"), parse=imp.non_negative_decimal),
    Column("visitors", ("到站人次", "visitors"), parse=imp.non_negative_integer),
)


@register_importer("station-reports")
class ReportImporter(ProgrammeImporter):
    """Monthly reports by station code and month; unusual figures need 确认=是, corrections a 修改原因."""

    title = gettext_lazy("站点月报")
    model = MonthlyReport
    columns = (
        Column("station", ("站点编号", "station_code", "station"), required=True, parse=imp.text),
        Column("month", ("月份", "month"), required=True, parse=imp.month),
        *FIGURE_COLUMNS,
        Column("confirm", ("确认", "confirm"), parse=imp.boolean),
        Column("reason", ("修改原因", "reason"), parse=imp.text),
    )
    # Written by the report list's export for reading (it imports back); the import does not set them.
    ignored_headers = ("站点", "报送时间", "报送截止日", "按时", "来源")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.by_code = {s.code: s for s in self.stations().select_related("area")}
        self.seen: dict[tuple, int] = {}
        self.today = timezone.localdate()

    def clean_row(self, values, row_number):
        station = self.by_code.get(values["station"])
        if station is None:
            raise RowInvalid(_("没有站点编号 %(c)s（或不在您的管辖范围内）") % {"c": values["station"]}, _("站点编号"))
        month = values["month"]
        if month > rules.month_start(self.today):
            raise RowInvalid(_("不能填报未来月份"), _("月份"))
        if station.opened_on is None or station.opened_on > rules.month_end(month):
            raise RowInvalid(_("站点在 %(m)s 尚未运营") % {"m": f"{month:%Y-%m}"}, _("月份"))
        key = (station.pk, month)
        if key in self.seen:
            raise RowInvalid(_("与第%(r)d行是同一站点同一月份") % {"r": self.seen[key]}, _("月份"))
        self.seen[key] = row_number
        figures = rules.Figures(**{c.key: values.get(c.key) or 0 for c in FIGURE_COLUMNS})
        check = services.check_report(station, month, figures)
        if check.errors:
            raise RowInvalid("；".join(f"{_label(e.field)}{e.message}" for e in check.errors))
        existing = MonthlyReport.objects.filter(station=station, month=month).first()
        confirmed = set(existing.confirmed_warnings) if existing else set()
        unconfirmed = [w for w in check.warnings if w.field not in confirmed]
        if unconfirmed and not values.get("confirm"):
            raise RowInvalid(
                "；".join(f"{_label(w.field)}{w.message}" for w in unconfirmed)
                + _("（如确认无误，请在“确认”列填“是”）")
            )
        if existing is not None and existing.figures != figures and not values.get("reason"):
            raise RowInvalid(_("该月月报已报送，修改须填写修改原因"), _("修改原因"))
        return ReportRow(station, month, figures, bool(values.get("confirm")), values.get("reason") or "", check)

    def write(self, cleaned):
        written = 0
        for row in cleaned:
            _report, changed = services.save_report(
                row.station,
                row.month,
                row.figures,
                user=self.user,
                confirm=row.confirm,
                reason=row.reason,
                source=ReportSource.IMPORT,
                check=row.check,
            )
            written += changed
        return written


def _label(field: str) -> str:
    return f"{MonthlyReport._meta.get_field(field).verbose_name}："


@register_importer("station-candidates")
class CandidateImporter(ProgrammeImporter):
    """Candidate sites for new points: village code, name and position."""

    title = gettext_lazy("候选点位")
    model = CandidateSite
    columns = (
        Column("village", ("行政村代码", "village_code"), required=True, parse=imp.text),
        Column("name", ("点位名称", "name"), required=True, parse=imp.text),
        Column("latitude", ("纬度", "latitude"), required=True, parse=LATITUDE),
        Column("longitude", ("经度", "longitude"), required=True, parse=LONGITUDE),
        Column("note", ("说明", "note"), parse=imp.text),
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        villages = Area.objects.current().filter(code__startswith=self.programme.county.code, level="village")
        if self.user is not None:
            villages = villages.restrict(self.user, "view")
        self.villages = {v.code: v for v in villages}
        self.seen: dict[tuple, int] = {}

    def clean_row(self, values, row_number):
        village = self.villages.get(values["village"])
        if village is None:
            raise RowInvalid(
                _("行政村代码 %(c)s 不在本县或不在您的管辖范围内") % {"c": values["village"]}, _("行政村代码")
            )
        key = (village.pk, values["name"])
        if key in self.seen:
            raise RowInvalid(_("与第%(r)d行重复") % {"r": self.seen[key]}, _("点位名称"))
        self.seen[key] = row_number
        return CandidateSite(
            programme=self.programme,
            village=village,
            name=values["name"],
            latitude=values["latitude"],
            longitude=values["longitude"],
            note=values.get("note") or "",
        )

    def write(self, cleaned):
        for site in cleaned:
            CandidateSite.objects.update_or_create(
                programme=site.programme,
                village=site.village,
                name=site.name,
                defaults={"latitude": site.latitude, "longitude": site.longitude, "note": site.note},
            )
        return len(cleaned)
