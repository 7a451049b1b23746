"""XLSX/CSV imports of stations, monthly reports and candidate sites: every bad row reported, nothing written
unless the whole file is valid (``cuntong import stations FILE``, or the import page)."""

from __future__ import annotations

import re
from abc import abstractmethod
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
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
from .models import CandidateSite, MonthlyReport, ReportRevision, Station

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


class RowsRefused(Exception):
    """Rows the services refused while writing (rules, permission, particulars): the import is undone."""

    def __init__(self, errors: list[imp.RowError]):
        super().__init__("; ".join(map(str, errors)))
        self.errors = errors


def _messages(exc: Exception) -> str:
    return "；".join(getattr(exc, "messages", None) or [str(exc)])


class ProgrammeImporter(imp.Importer):
    """Imports into one programme for an acting user, through the stations services (their permission, scope and
    rule checks, under the programme's lock). Stations are looked up by code within the programme and the user's
    scope.

    ``user`` is the person importing (the import page and its job), or ``SYSTEM`` (the ``cuntong import`` command);
    the core importer refuses None.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.programme is None:
            raise ValueError("station imports need a programme")

    def stations(self, action: str = "view"):
        # Through the programme's manager, so each station's ``programme`` is this one instance (its rules parsed once).
        return services.restrict(self.programme.stations.all(), self.user, action)


class ServiceImporter(ProgrammeImporter):
    """Rows written one by one through a service, each in a savepoint: what the service refuses (rules checked under
    the programme's lock, permission and scope, particulars) becomes that row's error. A file that will not be
    written as a whole (other rows are bad, or only checking) is written on trial and rolled back, so every refusal
    is reported; a refusal undoes the whole import unless only the valid rows were asked for."""

    @abstractmethod
    def write_row(self, item) -> None:
        """Write one cleaned row through the service (it raises what the service refuses)."""

    @abstractmethod
    def row_number(self, item) -> int:
        """The file's row number of a cleaned row, for its error."""

    def run(self, stream, filename, *, commit: bool = True, valid_only: bool = False, progress=None):
        self.commit, self.valid_only = commit, valid_only
        try:
            return super().run(stream, filename, commit=commit, valid_only=valid_only, progress=progress)
        except RowsRefused as refused:  # raised inside the write transaction: nothing was written
            self.report.errors = sorted([*self.report.errors, *refused.errors], key=lambda e: e.row)
            self.report.written, self.report.committed = 0, False
            return self.report

    def iter_clean(self, rows, report, progress, total):
        self.report = report
        items = list(super().iter_clean(rows, report, progress, total))
        if items and (not self.commit or (report.errors and not self.valid_only)):
            with transaction.atomic():
                refused = self._write_rows(items)
                transaction.set_rollback(True)
            report.valid_rows -= len(refused)
            report.errors = sorted([*report.errors, *refused], key=lambda e: e.row)
        return items

    def _write_rows(self, items) -> list[imp.RowError]:
        errors = []
        for item in items:
            try:
                with transaction.atomic():
                    self.write_row(item)
            except services.RulesBroken as exc:
                message = _("不符合站点规则，未批准：%(v)s") % {"v": "；".join(exc.messages)}
                errors.append(imp.RowError(self.row_number(item), _("状态"), message))
            except (ValidationError, PermissionDenied, rules.IllegalTransition) as exc:
                errors.append(imp.RowError(self.row_number(item), None, _messages(exc)))
        return errors

    def write(self, cleaned):
        errors = self._write_rows(cleaned)
        if errors and not self.valid_only:
            raise RowsRefused(errors)
        self.report.errors = sorted([*self.report.errors, *errors], key=lambda e: e.row)
        return len(cleaned) - len(errors)


@dataclass
class StationRow:
    row: int
    station: Station
    status: str
    opened_on: object


@register_importer("stations")
class StationImporter(ServiceImporter):
    """New stations (or updates by code), created as proposals through ``services.save_station``.

    A 状态 beyond 拟建 (an existing network) is reached through the same life-cycle steps as on the station page —
    approval with its quota and spacing check under the programme's lock, building, opening — each made by the
    importing user. So only a user who may make every step (the office) imports an operating station; anyone else
    is told to import it as 拟建 and submit it for approval. Nothing is written unless every row passes.
    """

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
        Column("sub_item", ("资金子项", "sub_item"), parse=imp.text),
        Column("status", ("状态", "status"), parse=_status),
        Column("opened_on", ("开始运营日期", "opened_on"), parse=imp.day),
        Column("note", ("备注", "note"), parse=imp.text),
    )
    # Written by the station list's export for reading (it imports back); the import does not set them.
    ignored_headers = ("服务区域", "停止运营日期", "标杆站点", "演示生成数据")  # export-only: derived or informational

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen_codes: dict[str, int] = {}
        areas = Area.objects.current().filter(
            code__startswith=self.programme.county.code, level__in=["township", "village"]
        )
        self.areas = {a.code: a for a in areas.select_related("parent")}
        self.in_scope = set(services.restrict(areas, self.user).values_list("code", flat=True))
        self.sub_items = {s.code: s for s in SubItem.objects.filter(project__programme=self.programme)}
        self.existing = {s.code: s for s in self.stations().select_related("area")}

    def _may(self, action: str) -> bool:
        return self.user is services.SYSTEM or self.user.has_perm(f"stations.{action}_station")

    def clean_row(self, values, row_number):
        area = self.areas.get(values["area_code"])
        if area is None:
            raise RowInvalid(
                _("服务区域代码 %(c)s 不是本县的乡镇或行政村") % {"c": values["area_code"]}, _("服务区域代码")
            )
        if area.code not in self.in_scope:
            raise RowInvalid(_("服务区域 %(a)s 不在您的管辖范围内") % {"a": area.name}, _("服务区域代码"))
        code = values.get("code") or ""
        if code and code in self.seen_codes:
            raise RowInvalid(
                _("站点编号 %(c)s 与第%(r)d行重复") % {"c": code, "r": self.seen_codes[code]}, _("站点编号")
            )
        station = self.existing.get(code) if code else None
        if station is None:
            station = Station(programme=self.programme, code=code)
            previous = rules.PROPOSED
            for step in rules.steps_to(values["status"]):
                if not self._may(rules.TRANSITIONS[previous][step]):
                    raise RowInvalid(
                        _(
                            "您无权将站点直接导入为“%(s)s”：“%(step)s”须由项目办按审批流程办理。"
                            "请将状态填为“拟建”或留空，导入后提交审批。"
                        )
                        % {"s": rules.status_label(values["status"]), "step": rules.status_label(step)},
                        _("状态"),
                    )
                previous = step
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
        station.sub_item = sub_item or station.sub_item
        errors = services.station_errors(station)
        if errors:
            raise RowInvalid("；".join(m for messages in errors.values() for m in messages))
        status = values["status"] if station.pk is None else station.status
        if station.pk is None and status in rules.IN_OPERATION and not values.get("opened_on"):
            raise RowInvalid(_("运营中的站点须填写开始运营日期"), _("开始运营日期"))
        if code:
            self.seen_codes[code] = row_number
        return StationRow(row_number, station, status, values.get("opened_on"))

    def row_number(self, item: StationRow) -> int:
        return item.row

    def write_row(self, row: StationRow) -> None:
        """In file order, so earlier rows hold their place when later ones are approved."""
        creating = row.station.pk is None
        station = services.save_station(row.station, user=self.user)
        if not creating:
            return
        reason = _("导入已有站点（第%(r)d行）") % {"r": row.row}
        for step in rules.steps_to(row.status):
            services.transition(station, step, user=self.user, reason=reason, on=row.opened_on)


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
    """Monthly reports by station code and month; unusual figures need 确认=是, corrections a 修改原因.

    Checked in sets: the stations in the user's scope are read once; each row's own checks run as the file streams
    past (its cleaned row kept on disk); then, the whole file read, one query reads the stored reports of the file's
    months and the months before them (for the jump check and for corrections), rows repeating a station and month
    are found (:class:`~cuntong.core.importer.RepeatFinder`), and every row is checked against them. Nothing is
    written unless every row passes; ``services.import_reports`` writes the file in batches."""

    title = gettext_lazy("站点月报")
    model = MonthlyReport
    spooled = True
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
        self.by_id = {s.pk: s for s in self.by_code.values()}
        self.bounds = services.station_rules(self.programme).plausible_max
        self.months: set = set()
        self.repeats = imp.RepeatFinder()
        self.today = timezone.localdate()
        self.this_month = rules.month_start(self.today)

    @staticmethod
    def _key(station_id: int, month) -> int:
        return station_id << 20 | (month.year * 12 + month.month)

    def clean_row(self, values, row_number):
        station = self.by_code.get(values["station"])
        if station is None:
            raise RowInvalid(_("没有站点编号 %(c)s（或不在您的管辖范围内）") % {"c": values["station"]}, _("站点编号"))
        month = values["month"]
        if month > self.this_month:
            raise RowInvalid(_("不能填报未来月份"), _("月份"))
        if station.opened_on is None or station.opened_on > rules.month_end(month):
            raise RowInvalid(_("站点在 %(m)s 尚未运营") % {"m": f"{month:%Y-%m}"}, _("月份"))
        figures = tuple(values.get(name) or 0 for name in rules.FIGURE_NAMES)
        # The errors need no stored report (the warnings do: they are checked with the whole file).
        check = rules.check_figures(rules.Figures(*figures), station.level, None, self.bounds)
        if check.errors:
            raise RowInvalid("；".join(f"{_label(e.field)}{e.message}" for e in check.errors))
        self.repeats.add(self._key(station.pk, month), row_number)
        self.months.add(month)
        return (row_number, station.pk, month, figures, bool(values.get("confirm")), values.get("reason") or "")

    def check_file(self, cleaned, report):
        try:
            refused = self.refuse(
                report,
                (
                    imp.RowError(r.row, _("月份"), _("与第%(r)d行是同一站点同一月份") % {"r": r.first_row})
                    for r in self.repeats.repeats()
                ),
            )
        finally:
            self.repeats.close()
        months = self.months | {rules.add_months(month, -1) for month in self.months}
        stored = services.stored_reports(self.programme, set(self.by_id), months)
        in_file = {report.pk for (_station, month), report in stored.items() if month in self.months}
        changeable = services.reports_user_may(self.user, "change", in_file)
        checked = imp.Spool()
        errors = []
        for row, station_id, month, values, confirm, reason in cleaned:
            if row in refused:
                continue
            figures = rules.Figures(*values)
            previous = stored.get((station_id, rules.add_months(month, -1)))
            check = rules.check_figures(
                figures, self.by_id[station_id].level, previous.figures if previous else None, self.bounds
            )
            existing = stored.get((station_id, month))
            confirmed = existing.confirmed_warnings if existing else frozenset()
            unconfirmed = [w for w in check.warnings if w.field not in confirmed]
            if unconfirmed and not confirm:
                errors.append(
                    imp.RowError(
                        row,
                        None,
                        "；".join(f"{_label(w.field)}{w.message}" for w in unconfirmed)
                        + _("（如确认无误，请在“确认”列填“是”）"),
                    )
                )
                continue
            if existing is None:
                checked.append(services.ReportImport(station_id, month, values, tuple(check.warning_codes)))
                continue
            if existing.figures == figures:
                continue  # nothing changes
            if not reason:
                errors.append(imp.RowError(row, _("修改原因"), _("该月月报已报送，修改须填写修改原因")))
            elif existing.pk not in changeable:
                errors.append(imp.RowError(row, None, _("您没有修改该月报的权限。")))
            else:
                checked.append(
                    services.ReportImport(station_id, month, values, tuple(check.warning_codes), existing.pk, reason)
                )
        self.refuse(report, errors)
        return checked

    def write(self, cleaned):
        return services.import_reports(self.user, self.programme, cleaned)

    def filled_tables(self):
        from cuntong.audit.models import ChangeRecord

        return [(model, model._meta.db_table) for model in (MonthlyReport, ReportRevision, ChangeRecord)]


def _label(field: str) -> str:
    return f"{MonthlyReport._meta.get_field(field).verbose_name}："


@register_importer("station-candidates")
class CandidateImporter(ServiceImporter):
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
        self.villages = {v.code: v for v in services.restrict(villages.select_related("parent"), self.user)}
        self.existing = {
            (c.village_id, c.name): c
            for c in services.restrict(CandidateSite.objects.filter(programme=self.programme), self.user, "change")
        }
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
        site = self.existing.get(key) or CandidateSite(programme=self.programme, village=village, name=values["name"])
        site.latitude, site.longitude = values["latitude"], values["longitude"]
        site.note = values.get("note") or ""
        errors = services.position_errors(self.programme, village, site.latitude, site.longitude)
        if errors:
            raise RowInvalid("；".join(m for messages in errors.values() for m in messages), _("纬度"))
        return row_number, site

    def row_number(self, item) -> int:
        return item[0]

    def write_row(self, item) -> None:
        services.save_candidate(item[1], user=self.user)
