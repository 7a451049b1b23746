"""Applying the station rules to the database: every page, API endpoint, command, import and job calls these."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import NamedTuple

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cuntong.audit import bulk as history
from cuntong.core import freshness
from cuntong.core.actors import SYSTEM, recorded_user, require_actor, restrict
from cuntong.core.appendonly import append_rows
from cuntong.geo.models import Area
from cuntong.programme.models import Programme

from . import optimiser, policies, rules, spatial
from .models import (
    CandidateSite,
    CheckIn,
    ManagementProposal,
    MonthlyReport,
    ProposalStatus,
    ReportRevision,
    ReportSource,
    Station,
    StationEvent,
)


def station_rules(programme: Programme) -> rules.StationRules:
    """The plan's station parameters, parsed once per programme object."""
    cached = getattr(programme, "_station_rules", None)
    if cached is None:
        cached = rules.StationRules.from_plan(programme.rule("stations"))
        programme._station_rules = cached
    return cached


def townships_of(programme: Programme):
    """The county's township-level units: each should have one township station."""
    return Area.objects.current().filter(parent=programme.county, level="township")


def villages_of(programme: Programme):
    """The county's administrative villages (村委会), the denominator of village coverage."""
    return Area.objects.current().filter(code__startswith=programme.county.code, level="village", kind="village")


# --- one change at a time (who may act: policies.py) -----------------------------------------------------------


def _lock_network(programme_id: int) -> None:
    """Changes to one programme's network run one at a time (approvals, moves, imports), so two neighbouring
    changes cannot both pass the spacing and quota checks."""
    Programme.objects.select_for_update().filter(pk=programme_id).first()


def visible_keys(user, keys: Iterable) -> set:
    """Which of these station keys ``user`` may see; anything else is named only as another township's station."""
    keys = set(keys)
    if user is SYSTEM:
        return keys
    saved = [key for key in keys if isinstance(key, int)]
    return set(restrict(Station.objects.filter(pk__in=saved), user).values_list("pk", flat=True))


def violations_for(violations: Iterable[rules.Violation], user, *, own: Iterable = ()) -> list[dict]:
    """Violations as ``user`` may read them (``own``: keys of what they are proposing, always theirs to see)."""
    violations = list(violations)
    keys = {site.key for v in violations for site in v.sites}
    visible = visible_keys(user, keys) | set(own)
    return [v.as_dict(visible) for v in violations]


# --- life cycle ------------------------------------------------------------------------------------------------


class RulesBroken(Exception):
    """Approving would break the station rules; the office may override with a reason. ``details`` are the
    violations as the acting user may read them."""

    def __init__(self, violations: list[rules.Violation], details: list[dict] | None = None):
        self.violations = violations
        self.details = details if details is not None else [v.as_dict() for v in violations]
        self.messages = [d["message"] for d in self.details]
        super().__init__("; ".join(self.messages))


def next_code(station: Station) -> str:
    """``445281104201-01``: the served area's code and a serial within the programme."""
    prefix = f"{station.area.code}-"
    taken = set(
        Station.objects.filter(programme=station.programme, code__startswith=prefix).values_list("code", flat=True)
    )
    serial = 1
    while f"{prefix}{serial:02d}" in taken:
        serial += 1
    return f"{prefix}{serial:02d}"


def area_centre(area: Area) -> tuple[float, float] | None:
    """The recorded centre of an area; a village without one falls back to its township's."""
    for place in (area, area.parent if area.level == "village" else None):
        if place is not None and place.latitude is not None and place.longitude is not None:
            return float(place.latitude), float(place.longitude)
    return None


def position_errors(programme: Programme, area: Area | None, latitude, longitude) -> dict[str, list[str]]:
    """The plan's position rule for a station or candidate site in ``area`` (see ``rules.position_problem``)."""
    if area is None or latitude is None or longitude is None:
        return {}
    problem = rules.position_problem(
        float(latitude), float(longitude), area_centre(area), area.name, station_rules(programme).position
    )
    return {"latitude": [problem]} if problem else {}


def model_errors(record, *, exclude: set[str] = frozenset()) -> dict[str, list[str]]:
    """The model's own checks on ``record``, by field: field validators, ``clean()`` and its database constraints
    (a negative floor area is a message, not an IntegrityError). ``exclude``: fields the caller checks itself."""
    errors: dict[str, list[str]] = {}
    for check in (
        lambda: record.clean_fields(exclude=exclude),
        record.clean,
        lambda: record.validate_constraints(exclude=exclude),
    ):
        try:
            check()
        except ValidationError as exc:
            found = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
            for field, messages in found.items():
                errors.setdefault(field, []).extend(m for m in messages if m not in errors.get(field, []))
    return errors


def station_errors(station: Station) -> dict[str, list[str]]:
    """What is wrong with a station's particulars, by field: the model's own checks (served area and level), the
    position rule, and a code already used in the programme."""
    errors = model_errors(station, exclude={"code"})
    area = station.area if station.area_id else None
    for field, messages in position_errors(station.programme, area, station.latitude, station.longitude).items():
        errors.setdefault(field, []).extend(messages)
    if (
        station.code
        and Station.objects.filter(programme_id=station.programme_id, code=station.code).exclude(pk=station.pk).exists()
    ):
        errors.setdefault("code", []).append(_("站点编号 %(c)s 已被使用。") % {"c": station.code})
    return errors


_PLACE_FIELDS = ("latitude", "longitude", "area_id", "level")


@transaction.atomic
def save_station(station: Station, *, user) -> Station:
    """Create (as a proposal, with its first event) or update a station's particulars for ``user``.

    Checks the user's permission and scope (on the station as it was and as it will be), the particulars
    (``station_errors``), and — for a station holding its place in the network that moves (position, served area,
    level) — the quota and spacing rules, under the programme's lock. The status and its dates never change here:
    a new station is a proposal, whatever the caller set. Raises PermissionDenied or ValidationError (by field).
    """
    if user is None:
        raise PermissionDenied(_("您没有该操作的权限。"))
    _lock_network(station.programme_id)
    creating = station.pk is None
    if creating:
        station.status, station.status_changed_on, station.opened_on, station.closed_on = (
            rules.PROPOSED,
            None,
            None,
            None,
        )
    else:
        before = Station.objects.select_for_update(of=("self",)).get(pk=station.pk)
        policies.require(user, rules.CHANGE, before)
        station.status, station.status_changed_on = before.status, before.status_changed_on
        station.opened_on, station.closed_on = before.opened_on, before.closed_on
    errors = station_errors(station)
    if errors:
        raise ValidationError(errors)
    moved = not creating and any(getattr(before, f) != getattr(station, f) for f in _PLACE_FIELDS)
    if moved and station.status in rules.ACTIVE_STATUSES:
        broken = rule_check_for(station)
        if broken:
            details = violations_for(broken, user, own=[station.pk])
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: [
                        _("已批准的站点移动后不符合站点规则：%(v)s") % {"v": "；".join(d["message"] for d in details)}
                    ]
                }
            )
    if not station.code:
        station.code = next_code(station)
    station.save()
    policies.require(user, "add" if creating else rules.CHANGE, station)
    if creating:
        StationEvent.objects.create(
            station=station, from_status="", to_status=station.status, on=timezone.localdate(), by=recorded_user(user)
        )
    freshness.bump(station.programme_id)
    return station


def active_sites(programme: Programme, *, exclude: Iterable[int] = ()) -> list[rules.Site]:
    """The stations holding their place in the network (approved, built, operating, on probation)."""
    rows = (
        Station.objects.filter(programme=programme, status__in=rules.ACTIVE_STATUSES)
        .exclude(pk__in=list(exclude))
        .values_list("pk", "level", "area__code", "latitude", "longitude", "name")
    )
    return [rules.Site(pk, level, code, float(lat), float(lng), label=name) for pk, level, code, lat, lng, name in rows]


def rule_check_for(station: Station) -> list[rules.Violation]:
    """What approving this station would break, against the stations already holding their place."""
    others = active_sites(station.programme, exclude=[station.pk])
    return rules.check_site(station.as_site(), others, station.area.population, station_rules(station.programme))


@transaction.atomic
def transition(
    station: Station,
    target: str,
    *,
    user,
    reason: str = "",
    on: datetime.date | None = None,
    override: bool = False,
    proposal: ManagementProposal | None = None,
) -> StationEvent:
    """One life-cycle step, dated and attributed; approval checks the rules, which only an override with a reason
    (and the override permission) can set aside."""
    _lock_network(station.programme_id)
    station = (
        Station.objects.select_for_update(of=("self",))
        .select_related("area", "programme", "programme__county")
        .get(pk=station.pk)
    )
    action = rules.check_transition(station.status, target, reason)
    policies.require(user, action, station)
    violations: list[rules.Violation] = []
    if target == rules.APPROVED:
        violations = rule_check_for(station)
        if violations and not override:
            raise RulesBroken(violations, violations_for(violations, user, own=[station.pk]))
        if violations:
            policies.require(user, "override", station)
            if not reason.strip():
                raise rules.IllegalTransition(_("例外批准须填写理由。"))
    day = on or timezone.localdate()
    previous = station.status
    station.status = target
    station.status_changed_on = day
    if target == rules.OPERATING and station.opened_on is None:
        station.opened_on = day
    if target in rules.CLOSED_STATUSES and station.closed_on is None:
        station.closed_on = day
    station.save(update_fields=["status", "status_changed_on", "opened_on", "closed_on", "updated_at"])
    event = StationEvent.objects.create(
        station=station,
        from_status=previous,
        to_status=target,
        on=day,
        by=recorded_user(user),
        reason=reason.strip(),
        override=bool(violations),
        violations=[v.as_dict() for v in violations],
        proposal=proposal,
    )
    replaced = station.replaces
    if target == rules.OPERATING and replaced is not None and rules.REPLACED in rules.TRANSITIONS[replaced.status]:
        transition(  # the rule's consequence, not the acting user's step
            replaced,
            rules.REPLACED,
            user=SYSTEM,
            reason=_("由增补站点 %(s)s（%(code)s）替换") % {"s": station.name, "code": station.code},
            on=day,
        )
    freshness.bump(station.programme_id)
    return event


# --- the whole network -----------------------------------------------------------------------------------------


def network_check(programme: Programme, *, indexed: bool = True) -> rules.NetworkCheck:
    """Every township without a township station, and every spacing and quota violation among the stations holding
    their place in the network."""
    sites = active_sites(programme)
    codes = {s.area_code for s in sites}
    populations = dict(Area.objects.current().filter(code__in=codes).values_list("code", "population"))
    townships = dict(townships_of(programme).values_list("code", "name"))
    return rules.check_network(sites, populations, station_rules(programme), townships=townships, indexed=indexed)


def overrides_of(programme: Programme) -> list[rules.Override]:
    """Every approval the office made against the rules, with what it set aside, who, when and why."""
    events = StationEvent.objects.filter(station__programme=programme, override=True).select_related("by")
    return [
        rules.Override(e.station_id, e.on, str(e.by) if e.by else str(_("系统")), e.reason, tuple(e.violations))
        for e in events
    ]


def rule_report(programme: Programme, *, indexed: bool = True) -> rules.RuleReport:
    """The network check split into open violations and the exceptions the office approved."""
    return rules.judge(network_check(programme, indexed=indexed), overrides_of(programme))


@dataclass(frozen=True)
class RuleReportView:
    """The rule report as one user may read it: what touches their scope, other townships' stations unnamed."""

    checked: int
    open: list[dict]
    exceptions: list[dict]

    @property
    def ok(self) -> bool:
        return not self.open


def rule_report_for(programme: Programme, user) -> RuleReportView:
    report = rule_report(programme)
    violations = report.check.violations
    visible = visible_keys(user, {site.key for v in violations for site in v.sites})
    missing = [v.area_code for v in report.check.missing]
    areas = set(restrict(Area.objects.filter(code__in=missing), user).values_list("code", flat=True))

    def touches(violation) -> bool:
        return any(site.key in visible for site in violation.sites) or (
            isinstance(violation, rules.MissingStationViolation) and violation.area_code in areas
        )

    def shown(violation) -> dict:
        data = violation.as_dict(visible)
        data["sites"] = [
            {"key": key, "label": label} for key, label in zip(data["stations"], data["labels"], strict=True)
        ]
        return data

    active = Station.objects.filter(programme=programme, status__in=rules.ACTIVE_STATUSES)
    return RuleReportView(
        checked=restrict(active, user).count(),  # what the user may see was checked, not the county's count
        open=[shown(v) for v in report.open if touches(v)],
        exceptions=[
            {
                **shown(v),
                "approved": {
                    "station": override.station if override.station in visible else None,
                    "on": override.on.isoformat(),
                    "by": override.by,
                    "reason": override.reason,
                },
            }
            for v, override in report.exceptions
            if touches(v)
        ],
    )


@dataclass(frozen=True)
class CoverageFigures:
    coverage: rules.Coverage
    benchmark_count: int


def coverage_for(programme: Programme, *, area_code: str | None = None) -> CoverageFigures:
    """Coverage from the stations in operation (operating or on probation) — proposals and buildings do not count.
    ``area_code`` narrows to one township (its villages and its own township station). Two queries."""
    code = area_code or programme.county.code
    operating, benchmarks = [], 0
    for pk, level, area, benchmark in Station.objects.filter(
        programme=programme, status__in=rules.IN_OPERATION, area__code__startswith=code
    ).values_list("pk", "level", "area__code", "is_benchmark"):
        operating.append(rules.Site(pk, level, area, 0.0, 0.0))
        benchmarks += benchmark
    townships, villages = [], []
    areas = Area.objects.current().filter(code__startswith=code)
    for area, name, level, poverty in areas.filter(
        Q(level="township", parent__code=programme.county.code) | Q(level="village", kind="village")
    ).values_list("code", "name", "level", "is_provincial_poverty_village"):
        if level == "township":
            townships.append(area)
        else:
            villages.append(rules.VillageInfo(area, name, area[:9], poverty))
    return CoverageFigures(rules.coverage(townships, villages, operating), benchmarks)


# --- monthly reports -------------------------------------------------------------------------------------------


class ReportRefused(Exception):
    """Errors to fix, warnings to confirm, or a reason missing for a change after submission."""

    def __init__(self, check: rules.ReportCheck, *, needs_reason: bool = False):
        self.check = check
        self.needs_reason = needs_reason
        parts = [f"{e.field}: {e.message}" for e in check.errors]
        if not check.errors:
            parts += [f"{w.field}: {w.message}" for w in check.warnings]
        if needs_reason:
            parts.append(_("修改已报送的月报须填写修改原因"))
        super().__init__("; ".join(parts))

    @property
    def needs_confirmation(self) -> bool:
        return not self.check.errors and bool(self.check.warnings)


def previous_figures(station: Station, month: datetime.date) -> rules.Figures | None:
    report = MonthlyReport.objects.filter(station=station, month=rules.add_months(month, -1)).first()
    return report.figures if report else None


def check_report(station: Station, month: datetime.date, figures: rules.Figures) -> rules.ReportCheck:
    return rules.check_figures(
        figures, station.level, previous_figures(station, month), station_rules(station.programme).plausible_max
    )


@transaction.atomic
def save_report(
    station: Station,
    month: datetime.date,
    figures: rules.Figures,
    *,
    user,
    confirm: bool = False,
    reason: str = "",
    source: str = ReportSource.FORM,
    check: rules.ReportCheck | None = None,
) -> tuple[MonthlyReport, bool]:
    """Submit or correct a station's month; returns (report, changed).

    Errors refuse the figures; warnings refuse them until confirmed (a warning confirmed once stays confirmed for
    that report); a change to a submitted report needs a reason and is kept as a revision (before, after, why, who).
    """
    month = rules.month_start(month)
    check = check or check_report(station, month, figures)
    report = MonthlyReport.objects.select_for_update().filter(station=station, month=month).first()
    if report is not None:
        policies.require(user, "change", report)
    elif user is None:
        raise PermissionDenied(_("您没有该操作的权限。"))
    already_confirmed = set(report.confirmed_warnings) if report else set()
    if not check.ok or (set(check.warning_codes) - already_confirmed and not confirm):
        raise ReportRefused(check)
    values = {name: getattr(figures, name) for name in rules.FIGURE_NAMES}
    if report is None:
        report = MonthlyReport.objects.create(
            station=station,
            month=month,
            due_on=rules.due_date(month, station_rules(station.programme).report_due_day),
            submitted_by=recorded_user(user),
            source=source,
            confirmed_warnings=check.warning_codes,
            **values,
        )
        policies.require(user, "add", report)
        freshness.bump(station.programme_id)
        return report, True
    before = _figures_json(report.figures)
    after = _figures_json(figures)
    if before == after:
        return report, False
    if not reason.strip():
        raise ReportRefused(check, needs_reason=True)
    for name, value in values.items():
        setattr(report, name, value)
    report.confirmed_warnings = sorted(set(report.confirmed_warnings) | set(check.warning_codes))
    report.save()
    ReportRevision.objects.create(
        report=report, changed_by=recorded_user(user), reason=reason.strip(), before=before, after=after
    )
    freshness.bump(station.programme_id)
    return report, True


def _figures_json(figures: rules.Figures) -> dict:
    return {
        name: (f"{Decimal(value):.2f}" if name in rules.MONEY_FIGURES else int(value))
        for name, value in ((n, getattr(figures, n)) for n in rules.FIGURE_NAMES)
    }


# --- reports in sets (the import) ------------------------------------------------------------------------------


class StoredReport(NamedTuple):
    """What a report import checks a row against: the stored report of the same station and month (or the month
    before, for the jump check)."""

    pk: int
    figures: rules.Figures
    confirmed_warnings: frozenset[str]


def stored_reports(programme: Programme, station_ids: set[int], months: Iterable[datetime.date]):
    """The stored reports of ``months`` for these stations, by (station id, month): one query, streamed (the
    programme's reports of those months are read; only the stations asked for are kept)."""
    found: dict[tuple[int, datetime.date], StoredReport] = {}
    rows = (
        MonthlyReport.objects.filter(station__programme=programme, month__in=sorted(set(months)))
        .values_list("pk", "station_id", "month", "confirmed_warnings", *rules.FIGURE_NAMES)
        .iterator(chunk_size=2000)
    )
    for pk, station_id, month, confirmed, *figures in rows:
        if station_id in station_ids:
            found[(station_id, month)] = StoredReport(pk, rules.Figures(*figures), frozenset(confirmed or ()))
    return found


def reports_user_may(user, action: str, pks: Iterable[int]) -> set[int]:
    """Which of these stored reports ``user`` may ``action`` (one query; the system: all)."""
    pks = list(pks)
    if user is SYSTEM or not pks:
        return set(pks)
    return set(restrict(MonthlyReport.objects.filter(pk__in=pks), user, action).values_list("pk", flat=True))


class ReportImport(NamedTuple):
    """One checked row of a report import, as ``import_reports`` writes it: a new report (``report_id`` None) or a
    correction of a stored one, with its reason."""

    station_id: int
    month: datetime.date
    figures: tuple  # in rules.FIGURE_NAMES order
    warnings: tuple[str, ...]  # the warning codes this row confirms
    report_id: int | None = None
    reason: str = ""


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _require_all(user, action: str, pks: list[int]) -> None:
    if len(reports_user_may(user, action, pks)) != len(set(pks)):
        raise PermissionDenied(_("部分记录超出了您的管辖范围，未导入任何数据。"))


@transaction.atomic
def import_reports(user, programme: Programme, rows: Iterable[ReportImport], *, batch_size: int = 1000) -> int:
    """Write an import's checked reports in batches: new reports by bulk insert, corrections by bulk update with a
    revision each (before, after, reason, who); the change history of every report is written alongside
    (``audit.bulk``). Each batch is checked in one query to lie inside ``user``'s scope (``add`` for new reports,
    ``change`` for corrections): one outside it undoes the whole import. Returns how many reports were written.

    The rows come checked (``rules.check_figures`` with the stored month before, confirmations, reasons): the report
    importer checks a whole file before anything is written."""
    require_actor(user)
    stations = {station.pk: station for station in programme.stations.all()}
    due_day = station_rules(programme).report_due_day
    submitted_by = recorded_user(user)
    written = 0
    for batch in _batches(rows, batch_size):
        new = [
            MonthlyReport(
                station=stations[row.station_id],
                month=row.month,
                due_on=rules.due_date(row.month, due_day),
                submitted_by=submitted_by,
                source=ReportSource.IMPORT,
                confirmed_warnings=list(row.warnings),
                **dict(zip(rules.FIGURE_NAMES, row.figures, strict=True)),
            )
            for row in batch
            if row.report_id is None
        ]
        if new:
            history.bulk_create(MonthlyReport, new)
            _require_all(user, "add", [report.pk for report in new])
        corrections = [row for row in batch if row.report_id is not None]
        if any(not row.reason.strip() for row in corrections):
            raise ValidationError(_("修改已报送的月报须填写修改原因"), code="reason")
        if corrections:
            _require_all(user, "change", [row.report_id for row in corrections])
            stored = MonthlyReport.objects.select_for_update().in_bulk([row.report_id for row in corrections])
            revisions = []
            for row in corrections:
                report = stored[row.report_id]
                before = _figures_json(report.figures)
                for name, value in zip(rules.FIGURE_NAMES, row.figures, strict=True):
                    setattr(report, name, value)
                report.confirmed_warnings = sorted(set(report.confirmed_warnings) | set(row.warnings))
                revisions.append(
                    ReportRevision(
                        report=report,
                        changed_by=submitted_by,
                        reason=row.reason.strip(),
                        before=before,
                        after=_figures_json(report.figures),
                    )
                )
            history.bulk_update(MonthlyReport, list(stored.values()), [*rules.FIGURE_NAMES, "confirmed_warnings"])
            append_rows(ReportRevision, revisions)
        written += len(new) + len(corrections)
    if written:
        freshness.bump(programme)
    return written


def expected_stations(programme: Programme, month: datetime.date):
    """Stations that were in operation at some time during ``month``: each owes that month's report."""
    return Station.objects.filter(
        programme=programme, opened_on__isnull=False, opened_on__lte=rules.month_end(month)
    ).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=month))


def month_completeness(programme: Programme, month: datetime.date, stations=None) -> rules.MonthCompleteness:
    """Completeness and timeliness of one month, over ``stations`` (default: the whole programme)."""
    return months_completeness(programme, [month], stations)[month]


def months_completeness(
    programme: Programme, months: Iterable[datetime.date], stations=None
) -> dict[datetime.date, rules.MonthCompleteness]:
    """Completeness and timeliness of several months in two queries, however many months and stations."""
    months = sorted(set(months))
    in_operation = Station.objects.filter(
        programme=programme, opened_on__isnull=False, opened_on__lte=rules.month_end(months[-1])
    ).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=months[0]))
    if stations is not None:
        in_operation = in_operation.filter(pk__in=stations.values("pk"))
    periods = list(in_operation.values_list("pk", "opened_on", "closed_on"))
    submitted: dict[datetime.date, dict[int, datetime.date]] = {month: {} for month in months}
    reports = MonthlyReport.objects.filter(station_id__in=[pk for pk, _o, _c in periods], month__in=months)
    for station_id, month, at in reports.values_list("station_id", "month", "submitted_at"):
        submitted[month][station_id] = timezone.localdate(at)
    due_day = station_rules(programme).report_due_day
    return {
        month: rules.completeness(
            month,
            [
                pk
                for pk, opened, closed in periods
                if opened <= rules.month_end(month) and (closed is None or closed >= month)
            ],
            submitted[month],
            due_day,
        )
        for month in months
    }


# --- activity scores and dynamic management --------------------------------------------------------------------


def month_scores(programme: Programme, month: datetime.date) -> dict[int, float]:
    """Activity scores of every station that owed the month's report (no report scores 0)."""
    activity = station_rules(programme).activity
    if activity is None:  # a plan that states no activity weights scores no station
        return {}
    stations = dict(expected_stations(programme, month).values_list("pk", "level"))
    reports = {r.station_id: r.figures for r in MonthlyReport.objects.filter(station_id__in=stations, month=month)}
    weights = activity.weights
    return rules.activity_scores({pk: reports.get(pk) for pk in stations}, stations, weights)


def score_history(programme: Programme, months: Iterable[datetime.date]) -> dict[datetime.date, dict[int, float]]:
    return {month: month_scores(programme, month) for month in months}


def latest_scored_month(programme: Programme, today: datetime.date | None = None) -> datetime.date:
    """The latest month with reports in, else the latest closed month: what the map and the wall show."""
    latest = MonthlyReport.objects.filter(station__programme=programme).aggregate(m=Max("month"))["m"]
    return latest or rules.last_closed_month(today or timezone.localdate(), station_rules(programme).report_due_day)


def _probation_months(stations: list[Station]) -> dict[int, datetime.date]:
    rows = (
        StationEvent.objects.filter(station__in=stations, to_status=rules.PROBATION)
        .values("station_id")
        .annotate(last=Max("on"))
    )
    return {row["station_id"]: rules.month_start(row["last"]) for row in rows}


@transaction.atomic
def review_activity(
    programme: Programme, *, user, today: datetime.date | None = None, progress: Callable | None = None
) -> list[ManagementProposal]:
    """Score the last closed months and propose probation, elimination or reinstatement where the rule says so.

    Only proposes (the office decides each), for the whole programme: ``user`` needs the dynamic-management
    permission, or is the system's monthly run. Idempotent: a station with a pending proposal of the same kind gets
    no second one.
    """
    policies.require_manage_network(user)
    rules_ = station_rules(programme)
    activity = rules_.activity
    last = rules.last_closed_month(today or timezone.localdate(), rules_.report_due_day)
    span = activity.consecutive_months + activity.elimination_after_probation_months
    months = [rules.add_months(last, -offset) for offset in range(span - 1, -1, -1)]
    history = score_history(programme, months)
    weak = {
        month: rules.weak_stations(scores, activity.probation_threshold, activity.bottom_share_percent)
        for month, scores in history.items()
    }
    stations = list(Station.objects.filter(programme=programme, status__in=rules.IN_OPERATION).select_related("area"))
    since = _probation_months(stations)
    activities = [
        rules.StationActivity(
            key=station.pk,
            status=station.status,
            weak_by_month={m: station.pk in weak[m] for m in months if station.pk in history[m]},
            probation_since=since.get(station.pk),
        )
        for station in stations
    ]
    by_pk = {s.pk: s for s in stations}
    pending = set(
        ManagementProposal.objects.filter(station__programme=programme, status=ProposalStatus.PENDING).values_list(
            "station_id", "kind"
        )
    )
    created = []
    decisions = rules.management_decisions(activities, activity)
    for index, decision in enumerate(decisions):
        if progress:
            progress(index, len(decisions), by_pk[decision.key].name)
        if (decision.key, decision.kind) in pending:
            continue
        station = by_pk[decision.key]
        basis = {
            "months": [m.isoformat() for m in decision.months],
            "scores": {m.isoformat(): history[m].get(station.pk) for m in decision.months},
            "threshold": activity.probation_threshold,
            "bottom_share_percent": activity.bottom_share_percent,
        }
        options = (
            [o.as_dict() for o in replacement_options_for(station)]
            if decision.kind == rules.PROPOSE_ELIMINATION
            else []
        )
        created.append(
            ManagementProposal.objects.create(
                station=station, kind=decision.kind, basis=basis, replacement_options=options
            )
        )
    freshness.bump(programme)
    return created


def proposals_to_decide(user, proposals):
    """The pending proposals of ``proposals`` that ``user`` sees and may decide: the check ``decide_proposal`` makes."""
    stations = Station.objects.restrict(user, rules.MANAGE)
    return proposals.restrict(user, "view").filter(status=ProposalStatus.PENDING, station__in=stations)


@transaction.atomic
def decide_proposal(proposal: ManagementProposal, *, approve: bool, user, reason: str = "") -> ManagementProposal:
    """The office's decision; an approval makes the life-cycle step, recorded with the proposal."""
    proposal = ManagementProposal.objects.select_for_update().select_related("station").get(pk=proposal.pk)
    if proposal.status != ProposalStatus.PENDING:
        raise rules.IllegalTransition(_("该建议已审定。"))
    policies.require(user, rules.MANAGE, proposal.station)
    if not reason.strip():
        raise rules.IllegalTransition(_("审定须填写意见。"))
    if approve:
        transition(proposal.station, proposal.target_status, user=user, reason=reason, proposal=proposal)
    proposal.status = ProposalStatus.APPROVED if approve else ProposalStatus.REJECTED
    proposal.decided_by = recorded_user(user)
    proposal.decided_at = timezone.now()
    proposal.decision_reason = reason.strip()
    proposal.save()
    freshness.bump(proposal.station.programme_id)
    return proposal


# --- benchmark stations ---------------------------------------------------------------------------------------


def benchmark_assessments(programme: Programme, stations, *, today: datetime.date | None = None) -> list[dict]:
    """Each station in operation among ``stations`` against the plan's benchmark criteria over the last closed
    months: the criteria (requirement, figure, met), how many it meets and its average activity."""
    rules_ = station_rules(programme)
    criteria = rules_.benchmark
    last = rules.last_closed_month(today or timezone.localdate(), rules_.report_due_day)
    months = [rules.add_months(last, -i) for i in range(criteria.months - 1, -1, -1)]
    stations = stations.filter(programme=programme, status__in=rules.IN_OPERATION).select_related("area")
    history = score_history(programme, months)
    on_time = {
        (r["station_id"], r["month"]): timezone.localdate(r["submitted_at"]) <= r["due_on"]
        for r in MonthlyReport.objects.filter(station__in=stations, month__in=months).values(
            "station_id", "month", "submitted_at", "due_on"
        )
    }
    rows = []
    for station in stations:
        recent = [(m, history[m].get(station.pk), on_time.get((station.pk, m), False)) for m in months]
        assessment = rules.assess_benchmark(
            level=station.level,
            status=station.status,
            services=station.services,
            floor_area_m2=station.floor_area_m2,
            recent=recent,
            criteria=criteria,
        )
        scores = [score for _m, score, _t in recent if score is not None]
        rows.append(
            {
                "station": station,
                "criteria": assessment,
                "met": sum(c.met for c in assessment),
                "qualifies": all(c.met for c in assessment),
                "average": round(sum(scores) / len(months), 1) if scores else None,
                "months": months,
            }
        )
    return rows


def benchmark_station_ids(programme: Programme, *, today: datetime.date | None = None) -> set[int]:
    """The stations that meet every one of the plan's benchmark criteria now: what the benchmark KPI counts."""
    return {
        row["station"].pk
        for row in benchmark_assessments(programme, Station.objects.all(), today=today)
        if row["qualifies"]
    }


@transaction.atomic
def refresh_benchmarks(programme: Programme, *, user, today: datetime.date | None = None) -> int:
    """Set each station's benchmark flag from the criteria (the flag is derived, never entered or imported);
    returns how many stations qualify. The system's monthly run, or a user with the dynamic-management permission."""
    policies.require_manage_network(user)
    qualifying = benchmark_station_ids(programme, today=today)
    stations = Station.objects.filter(programme=programme)
    for station in stations.filter(is_benchmark=True).exclude(pk__in=qualifying):
        station.is_benchmark = False
        station.save(update_fields=["is_benchmark", "updated_at"])  # one by one: each change in the history
    for station in stations.filter(is_benchmark=False, pk__in=qualifying):
        station.is_benchmark = True
        station.save(update_fields=["is_benchmark", "updated_at"])
    freshness.bump(programme)
    return len(qualifying)


# --- candidate sites -------------------------------------------------------------------------------------------


def candidate_errors(site: CandidateSite) -> dict[str, list[str]]:
    """A candidate site obeys the same position rule as a station, and its name is unique in its village."""
    errors = model_errors(site, exclude={"name"})
    position = position_errors(site.programme, site.village if site.village_id else None, site.latitude, site.longitude)
    for field, messages in position.items():
        errors.setdefault(field, []).extend(messages)
    if (
        site.village_id
        and CandidateSite.objects.filter(programme_id=site.programme_id, village_id=site.village_id, name=site.name)
        .exclude(pk=site.pk)
        .exists()
    ):
        errors.setdefault("name", []).append(_("该行政村已有同名候选点位。"))
    return errors


@transaction.atomic
def save_candidate(site: CandidateSite, *, user) -> CandidateSite:
    """Create or update a candidate site for ``user`` (permission and scope before and after, position, name)."""
    if user is None:
        raise PermissionDenied(_("您没有该操作的权限。"))
    creating = site.pk is None
    if not creating:
        policies.require(user, "change", CandidateSite.objects.select_for_update().get(pk=site.pk))
    errors = candidate_errors(site)
    if errors:
        raise ValidationError(errors)
    site.save()
    policies.require(user, "add" if creating else "change", site)
    freshness.bump(site.programme_id)
    return site


def village_sites(programme: Programme, *, township_code: str | None = None) -> list[rules.VillageSites]:
    """Every village with its active points and the places a point could go: its recorded candidate sites that keep
    the position rule, else its centre (a village with neither has nowhere to go, but still counts in coverage)."""
    position = station_rules(programme).position
    villages = villages_of(programme)
    if township_code:
        villages = villages.filter(code__startswith=township_code)
    counts = (
        Station.objects.filter(programme=programme, status__in=rules.ACTIVE_STATUSES, level=rules.VILLAGE)
        .values("area_id")
        .annotate(n=Count("pk"), serving=Count("pk", filter=Q(status__in=rules.IN_OPERATION)))
    )
    points = {row["area_id"]: row["n"] for row in counts}
    serving = {row["area_id"]: row["serving"] for row in counts}
    sites: dict[int, list[tuple[float, float, str]]] = defaultdict(list)
    for village_id, lat, lng, name in CandidateSite.objects.filter(
        programme=programme, village__in=villages
    ).values_list("village_id", "latitude", "longitude", "name"):
        sites[village_id].append((float(lat), float(lng), name))
    result = []
    for village in villages:
        centre = (float(village.latitude), float(village.longitude)) if village.latitude is not None else None
        kept = [p for p in sites.get(village.pk, []) if not rules.position_problem(p[0], p[1], centre, "", position)]
        places = kept or (
            [(float(village.latitude), float(village.longitude), _("村中心"))] if village.latitude is not None else []
        )
        result.append(
            rules.VillageSites(
                code=village.code,
                name=village.name,
                township_code=village.code[:9],
                population=village.population,
                poverty=village.is_provincial_poverty_village,
                points=points.get(village.pk, 0),
                sites=tuple(places),
                in_operation=serving.get(village.pk, 0),
            )
        )
    return result


def replacement_options_for(station: Station, limit: int = 5) -> list[rules.ReplacementOption]:
    programme = station.programme
    return rules.replacement_options(
        station.as_site(), village_sites(programme), active_sites(programme), station_rules(programme), limit
    )


# --- check-in --------------------------------------------------------------------------------------------------


@transaction.atomic
def check_in(
    station: Station,
    *,
    user,
    is_open: bool = True,
    note: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    photo=None,
) -> CheckIn:
    """Today's check-in (one per station and day; a second one updates it), with an optional photo whose EXIF
    position counts when the phone gave none."""
    from cuntong.attachments.services import attach

    if station.status not in rules.IN_OPERATION:
        raise rules.IllegalTransition(_("只有运营中的站点可以打卡。"))
    today = timezone.localdate()
    existing = CheckIn.objects.filter(station=station, day=today).first()
    if existing is not None:
        policies.require(user, "change", existing)
    checkin, created = CheckIn.objects.update_or_create(
        station=station,
        day=today,
        defaults={"by": recorded_user(user), "is_open": is_open, "note": note, "checked_at": timezone.now()},
    )
    policies.require(user, "add" if created else "change", checkin)
    if photo is not None:
        attachment = attach(checkin, photo, user=recorded_user(user), kind="photo", description=_("打卡照片"))
        if latitude is None and attachment.latitude is not None:
            latitude, longitude = attachment.latitude, attachment.longitude
    if latitude is not None and longitude is not None:
        checkin.latitude, checkin.longitude = latitude, longitude
        checkin.distance_m = round(
            spatial.geodesic_m(float(latitude), float(longitude), float(station.latitude), float(station.longitude))
        )
        checkin.save(update_fields=["latitude", "longitude", "distance_m", "updated_at"])
    freshness.bump(station.programme_id)
    return checkin


# --- the optimiser on the programme's data ---------------------------------------------------------------------


def placement_problem(
    programme: Programme, *, township_code: str | None = None, village_target: float = 50, poverty_target: float = 100
) -> optimiser.Problem:
    """Villages and their candidate sites as the optimiser sees them (a township narrows these), and every existing
    point of the programme (neighbouring townships' points constrain the spacing too)."""
    rules_ = station_rules(programme)
    villages, candidates = [], []
    for village in village_sites(programme, township_code=township_code):
        lat, lng = village.sites[0][:2] if village.sites else (0.0, 0.0)
        villages.append(
            optimiser.Village(
                key=village.code,
                name=village.name,
                township=village.township_code,
                lat=lat,
                lng=lng,
                population=village.population or 0,
                poverty=village.poverty,
                quota_left=rules.village_quota(village.population, rules_) - village.points,
                # covered as the coverage KPI counts it (a point in operation); an approved or built point is
                # planned: it holds the village, and the plan shows it apart
                covered=village.in_operation > 0,
                planned=village.points > 0 and village.in_operation == 0,
            )
        )
        candidates.extend(
            optimiser.Candidate(f"{village.code}#{index}", village.code, site_lat, site_lng, label)
            for index, (site_lat, site_lng, label) in enumerate(village.sites)
        )
    points = Station.objects.filter(programme=programme, status__in=rules.ACTIVE_STATUSES, level=rules.VILLAGE)
    return optimiser.Problem(
        villages=villages,
        candidates=candidates,
        existing=[optimiser.Existing(str(s.pk), float(s.latitude), float(s.longitude), s.name) for s in points],
        min_spacing_m=rules_.min_spacing_m,
        village_target_percent=village_target,
        poverty_target_percent=poverty_target,
    )


def run_placement(
    programme: Programme,
    *,
    progress: Callable | None = None,
    time_limit: float = 60,
    township_code: str | None = None,
    village_target: float = 50,
    poverty_target: float = 100,
) -> dict:
    """Solve and describe the plan: the sites to open (with village and position), coverage, gap, blockers."""
    problem = placement_problem(
        programme, township_code=township_code, village_target=village_target, poverty_target=poverty_target
    )
    result = optimiser.optimise(problem, time_limit=time_limit, progress=progress)
    villages = {v.key: v for v in problem.villages}
    sites = {c.key: c for c in problem.candidates}
    data = result.as_dict()
    data["sites"] = [
        {
            "key": key,
            "village_code": sites[key].village,
            "village_name": villages[sites[key].village].name,
            "site": sites[key].label,
            "lat": round(sites[key].lat, 6),
            "lng": round(sites[key].lng, 6),
            "poverty": villages[sites[key].village].poverty,
            "population": villages[sites[key].village].population,
        }
        for key in result.chosen
    ]
    data["programme"] = programme.code
    data["township"] = township_code or ""
    data["time_limit"] = time_limit
    return data
