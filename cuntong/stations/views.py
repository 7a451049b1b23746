"""Station pages: the network (list, detail, life cycle), reports, check-ins, dynamic management, the live map,
the wall dashboard, the rule check, coverage, benchmarks and the placement optimiser.

Operators' pages (``my``, the monthly report and the check-in) are phone pages on a light template of their own:
no Bootstrap, ECharts or Leaflet scripts, one small script that keeps a draft in localStorage.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import secrets
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cuntong.audit.services import log_event
from cuntong.core import freshness
from cuntong.core.public import public_record, public_view
from cuntong.core.scoping import is_permitted
from cuntong.geo.models import Area
from cuntong.jobs.services import start
from cuntong.jobs.views import visible_jobs
from cuntong.programme.kpi import AreaScope
from cuntong.web.views import ObjectDetailView, ObjectEditView, ObjectListView

from . import dashboard, kpis, policies, rules, services, tables
from .filters import CandidateFilter, CheckInFilter, ProposalFilter, ReportFilter, StationFilter
from .forms import (
    CandidateSiteForm,
    CheckInForm,
    DecisionForm,
    DisplayLinkForm,
    FiguresForm,
    PlanForm,
    StationForm,
    TransitionForm,
)
from .models import (
    CandidateSite,
    CheckIn,
    DisplayLink,
    ManagementProposal,
    MonthlyReport,
    ProposalStatus,
    Station,
)

# --- helpers ---------------------------------------------------------------------------------------------------


def _need(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied(_("您没有该操作的权限。"))


def _programme(request):
    if not request.programme:
        raise Http404(_("您的账号尚未分配到任何示范项目。"))
    return request.programme


def visible_stations(request, action: str = "view"):
    return Station.objects.restrict(request.user, action).in_programme(_programme(request))


def scope_area_code(user, programme) -> str:
    """The area the user's view of stations covers: their township, or the whole county."""
    codes = {
        grant.area_code
        for grant in user.scope_grants()
        if "stations.view_station" in grant.permissions and grant.area_code.startswith(programme.county.code)
    }
    if user.is_superuser or len(codes) != 1:
        return programme.county.code
    return codes.pop()


def _month_param(value: str | None, default: datetime.date) -> datetime.date:
    try:
        return datetime.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return default


# --- stations --------------------------------------------------------------------------------------------------


class StationListView(ObjectListView):
    table = tables.StationTable
    filterset_class = StationFilter
    add_url_name = "stations:station_add"
    import_name = "stations"
    template_name = "stations/station_list.html"


class StationDetailView(ObjectDetailView):
    model = Station
    template_name = "stations/station_detail.html"
    edit_url_name = "stations:station_edit"
    fields = tables.STATION_DETAIL

    def optimise(self, queryset):
        return queryset.select_related("area", "operator_user", "organisation", "sub_item", "replaces", "programme")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        station = self.object
        user = self.request.user
        programme = station.programme
        reports = list(station.reports.order_by("-month")[:12])
        context["reports"] = [(r, services.month_scores(programme, r.month).get(station.pk)) for r in reports[:6]]
        context["more_reports"] = len(reports) > 6
        context["events"] = station.events.select_related("by", "proposal")
        context["checkins"] = station.checkins.order_by("-day")[:7]
        context["violations"] = (
            services.violations_for(services.rule_check_for(station), user, own=[station.pk])
            if station.status in (rules.PROPOSED, *rules.ACTIVE_STATUSES)
            else []
        )
        allowed = policies.transition_targets(user, station)
        if allowed:
            form = TransitionForm(station=station)
            form.fields["target"].choices = [c for c in form.fields["target"].choices if c[0] in allowed]
            context["transition_form"] = form
        context["can_override"] = policies.may(user, "override", station)
        context["can_report"] = user.has_perm("stations.add_monthlyreport") and station.is_in_operation
        context["today_month"] = f"{timezone.localdate():%Y-%m}"
        context["proposals"] = station.proposals.all()[:5]
        context["replaced_by"] = station.replaced_by.all()
        return context


class ServiceEditView(ObjectEditView):
    """Saves through the app's service (the one gate); what it refuses shows on the form, by field."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)


class StationEditView(ServiceEditView):
    model = Station
    form_class = StationForm

    def save(self, form):
        station = form.save(commit=False)
        if not station.programme_id:
            station.programme = self.request.programme
        return services.save_station(station, user=self.request.user)


@require_POST
@login_required
def station_transition(request, pk):
    station = get_object_or_404(visible_stations(request), pk=pk)
    form = TransitionForm(request.POST, station=station)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(station)
    data = form.cleaned_data
    try:
        services.transition(
            station, data["target"], user=request.user, reason=data["reason"], on=data["on"], override=data["override"]
        )
    except services.RulesBroken as exc:
        messages.error(
            request,
            _("不符合站点规则，未批准：%(v)s。项目办可勾选“规则例外批准”并说明理由。") % {"v": "；".join(exc.messages)},
        )
    except rules.IllegalTransition as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("站点状态已变更为“%(s)s”。") % {"s": rules.status_label(data["target"])})
    return redirect(station)


# --- monthly reports -------------------------------------------------------------------------------------------


class ReportListView(ObjectListView):
    table = tables.ReportTable
    filterset_class = ReportFilter
    import_name = "station-reports"
    template_name = "stations/report_list.html"


class ReportDetailView(ObjectDetailView):
    model = MonthlyReport
    template_name = "stations/report_detail.html"
    fields = tables.REPORT_DETAIL

    def optimise(self, queryset):
        return queryset.select_related("station", "submitted_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["revisions"] = self.object.revisions.select_related("changed_by")
        context["edit_report_url"] = (
            reverse("stations:report_form", args=[self.object.station_id, f"{self.object.month:%Y-%m}"])
            if is_permitted(self.request.user, "change", self.object)
            else None
        )
        return context


@login_required
def completeness(request):
    """Completeness and timeliness per month, with the stations still missing for the chosen month."""
    _need(request, "stations.view_monthlyreport")
    programme = _programme(request)
    stations = visible_stations(request)
    rules_ = services.station_rules(programme)
    last = rules.last_closed_month(timezone.localdate(), rules_.report_due_day)
    months = [rules.add_months(last, -i) for i in range(11, -2, -1)]
    chosen = _month_param(request.GET.get("month"), last)
    by_month = services.months_completeness(programme, [*months, chosen], stations)
    rows, detail = [by_month[month] for month in months], by_month[chosen]
    missing = Station.objects.filter(pk__in=detail.missing).select_related("area")
    late = (
        MonthlyReport.objects.filter(station__in=stations, month=chosen, submitted_at__date__gt=detail.due)
        .select_related("station")
        .order_by("station__code")
    )
    return render(
        request,
        "stations/completeness.html",
        {"rows": rows, "detail": detail, "missing": missing, "late": late, "chosen": chosen},
    )


# --- operators' phone pages ------------------------------------------------------------------------------------


@login_required
def my_stations(request):
    """The operator's home on the phone: their stations, this month's report and today's check-in."""
    stations = list(
        visible_stations(request)
        .filter(operator_user=request.user, status__in=rules.IN_OPERATION)
        .select_related("area")
        .order_by("code")
    )
    today = timezone.localdate()
    this_month = rules.month_start(today)
    previous = rules.add_months(this_month, -1)
    reported = set(
        MonthlyReport.objects.filter(station__in=stations, month__in=[previous, this_month]).values_list(
            "station_id", "month"
        )
    )
    checked = set(CheckIn.objects.filter(station__in=stations, day=today).values_list("station_id", flat=True))
    rows = [
        {
            "station": station,
            "months": [(m, (station.pk, m) in reported) for m in (previous, this_month)],
            "checked_in": station.pk in checked,
        }
        for station in stations
    ]
    return render(request, "stations/phone/my.html", {"rows": rows, "today": today})


@login_required
def report_form(request, pk, month):
    """The monthly report on a phone: figures, then a confirm step for implausible ones, a reason for corrections."""
    month_day = _month_param(month, None)
    if month_day is None:
        raise Http404
    station = get_object_or_404(visible_stations(request).select_related("area", "programme"), pk=pk)
    report = MonthlyReport.objects.filter(station=station, month=month_day).first()
    action = "change" if report else "add"
    _need(request, f"stations.{action}_monthlyreport")
    if month_day > rules.month_start(timezone.localdate()):
        raise Http404(_("不能填报未来月份。"))
    if station.opened_on is None or station.opened_on > rules.month_end(month_day):
        raise Http404(_("站点在该月尚未运营。"))
    warnings = ()
    if request.method == "POST":
        form = FiguresForm(request.POST, instance=report, user=request.user, programme=station.programme)
        if form.is_valid():
            figures = form.figures()
            check = services.check_report(station, month_day, figures)
            try:
                services.save_report(
                    station,
                    month_day,
                    figures,
                    user=request.user,
                    confirm=form.cleaned_data["confirm"],
                    reason=form.cleaned_data["reason"],
                    check=check,
                )
            except services.ReportRefused as exc:
                for finding in exc.check.errors:
                    form.add_error(finding.field, finding.message)
                warnings = exc.check.warnings
                if exc.needs_reason:
                    form.add_error("reason", _("修改已报送的月报须填写修改原因。"))
            else:
                messages.success(request, _("%(m)s 月报已报送。") % {"m": f"{month_day:%Y-%m}"})
                return redirect(f"{reverse('stations:my')}?saved={station.pk}-{month_day:%Y-%m}")
    else:
        form = FiguresForm(instance=report, user=request.user, programme=station.programme)
    labels = {name: form.fields[name].label for name in form.fields}
    return render(
        request,
        "stations/phone/report_form.html",
        {
            "station": station,
            "month": month_day,
            "form": form,
            "report": report,
            "warnings": [(labels.get(w.field, w.field), w.message) for w in warnings],
            "show_reason": report is not None,
            "draft_key": f"cuntong-report-{station.pk}-{month_day:%Y-%m}",
        },
    )


@login_required
def checkin_form(request, pk):
    station = get_object_or_404(visible_stations(request), pk=pk)
    _need(request, "stations.add_checkin")
    today = timezone.localdate()
    existing = CheckIn.objects.filter(station=station, day=today).first()
    if request.method == "POST":
        form = CheckInForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            from cuntong.attachments.rules import UploadRefused

            try:
                services.check_in(
                    station,
                    user=request.user,
                    is_open=data["is_open"],
                    note=data["note"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    photo=data["photo"],
                )
            except UploadRefused as exc:
                form.add_error("photo", str(exc))
            except rules.IllegalTransition as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("今日打卡成功。"))
                return redirect("stations:my")
    else:
        form = CheckInForm(initial={"is_open": existing.is_open if existing else True})
    return render(request, "stations/phone/checkin.html", {"station": station, "form": form, "existing": existing})


class CheckInListView(ObjectListView):
    table = tables.CheckInTable
    filterset_class = CheckInFilter


# --- map and wall ----------------------------------------------------------------------------------------------


def _map_stations(request):
    stations = visible_stations(request)
    filterset = StationFilter(request.GET, queryset=stations, request=request)
    return filterset, filterset.qs


MAP = freshness.payload("stations.map", "the live map's markers, counts and recent reports, per scope and filter")
WALL = freshness.payload("stations.wall", "every figure of the wall dashboard, per scope")


def _map_figures(request) -> tuple:
    """The map's figures for this request's scope and filter (``core.freshness``): the markers as JSON text made
    once, the counts and the recent reports. The refresh interval is the page's, not the figures'."""
    programme = _programme(request)
    colour_by = "activity" if request.GET.get("colour") == "activity" else "status"
    query = sorted((k, tuple(v)) for k, v in request.GET.lists() if k != "refresh")
    filterset, stations = _map_stations(request)

    def compute() -> dict:
        payload = dashboard.map_payload(stations, programme, colour_by=colour_by)
        return {
            "markers_json": json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False),
            "month": payload["month"],
            "count": len(payload["markers"]),
            "checkins": sum(m["checked_in"] for m in payload["markers"]),
            "recent": dashboard.recent_reports(stations),
        }

    return (
        filterset,
        colour_by,
        freshness.cached(programme, freshness.scope_key(request.user, extra=query), MAP, compute),
    )


@login_required
def station_map(request):
    _need(request, "stations.view_station")
    filterset, colour_by, figures = _map_figures(request)
    return render(
        request,
        "stations/map.html",
        {
            "filterset": filterset,
            "payload": {"month": figures["month"], "count": figures["count"]},
            "markers_json": _script_safe(figures["markers_json"]),
            "checkins": figures["checkins"],
            "recent": figures["recent"],
            "colour_by": colour_by,
            "legend": [(rules.status_label(s), c) for s, c in dashboard.STATUS_COLOURS.items()],
            "data_url": f"{reverse('stations:map_data')}?{request.GET.urlencode()}",
            "interval": _interval(request),
        },
    )


@login_required
def station_map_data(request):
    _need(request, "stations.view_station")
    _filterset, _colour_by, figures = _map_figures(request)
    rest = {
        "lists": {"recent-reports": figures["recent"]},
        "text": {
            "map-month": figures["month"],
            "map-count": str(figures["count"]),
            "map-checkins": str(figures["checkins"]),
        },
    }
    # The markers go in as the JSON text made when they were computed: no re-encoding of thousands of markers.
    body = (
        f'{{"generated_at": {json.dumps(timezone.now().isoformat(timespec="seconds"))}, '
        f'"scripts": {{"station-map-data": {figures["markers_json"]}}}, '
        f"{json.dumps(rest, cls=DjangoJSONEncoder, ensure_ascii=False)[1:]}"
    )
    return HttpResponse(body, content_type="application/json")


_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _script_safe(text: str) -> str:
    """JSON text made safe inside a ``<script>`` element, as Django's ``json_script`` escapes it."""
    return mark_safe(text.translate(_SCRIPT_ESCAPES))


def _interval(request) -> int:
    """Seconds between refreshes: 15 by default, 2–30 on request (a wall may slow down, a test may speed up)."""
    try:
        return max(2, min(30, int(request.GET.get("refresh", 15))))
    except ValueError:
        return 15


@login_required
def wall(request):
    _need(request, "stations.view_station")
    scope = AreaScope(_programme(request), request.user)
    return _render_wall(request, scope, visible_stations(request), reverse("stations:wall_data"))


@login_required
def wall_data(request):
    _need(request, "stations.view_station")
    scope = AreaScope(_programme(request), request.user)
    return JsonResponse(_wall_figures(scope, visible_stations(request)))


def _wall_figures(scope: AreaScope, stations) -> dict:
    """The wall's figures for ``scope`` (``stations`` are the scope's, so its key is the scope's), computed when the
    programme's data changed (``core.freshness``); the clock on the wall is the request's."""
    payload = freshness.cached(scope.programme, scope.cache_key, WALL, lambda: dashboard.wall_payload(scope, stations))
    now = timezone.now()
    return {
        **payload,
        "generated_at": now.isoformat(timespec="seconds"),
        "text": {**payload["text"], "wall-updated": timezone.localtime(now).strftime("%H:%M:%S")},
    }


WALL_TILES = (
    ("wall-stations", gettext_lazy("运营站点")),
    ("wall-township-coverage", gettext_lazy("镇级覆盖")),
    ("wall-village-coverage", gettext_lazy("行政村覆盖率")),
    ("wall-poverty-coverage", gettext_lazy("省定贫困村覆盖")),
    ("wall-benchmarks", gettext_lazy("标杆站点")),
    ("wall-reports", gettext_lazy("月报已报/应报")),
    ("wall-parcels-in", gettext_lazy("本月下行（件）")),
    ("wall-parcels-out", gettext_lazy("本月上行（件）")),
    ("wall-agri-sales", gettext_lazy("本月农产品网销（元）")),
    ("wall-checkins", gettext_lazy("今日打卡/运营站点")),
)
WALL_CHARTS = (
    ("wall-status-chart", gettext_lazy("站点状态"), "col-12 col-md-6 col-xl-3"),
    ("wall-township-chart", gettext_lazy("各乡镇站点"), "col-12 col-md-6 col-xl-5"),
    ("wall-parcels-chart", gettext_lazy("月度快递件量（上行/下行）"), "col-12 col-xl-4"),
    ("wall-top-chart", gettext_lazy("活跃度前十"), "col-12 col-md-6 col-xl-4"),
    ("wall-bottom-chart", gettext_lazy("活跃度后十"), "col-12 col-md-6 col-xl-4"),
)


def _render_wall(request, scope: AreaScope, stations, data_url: str, *, screen: bool = False):
    payload = _wall_figures(scope, stations)
    return TemplateResponse(
        request,
        "stations/wall.html",
        {
            "programme": public_record(scope.programme, "name"),
            "scope_label": scope.label(Station),
            "tiles": [(key, label, payload["text"][key]) for key, label in WALL_TILES],
            "charts": [(key, label, size, payload["scripts"][key]) for key, label, size in WALL_CHARTS],
            "alerts": payload["lists"]["wall-alerts"],
            "sections": [
                {**section, "figures": [{**f, "value": payload["text"][f["id"]]} for f in section["figures"]]}
                for section in payload["sections"]
            ],
            "month": payload["text"]["wall-month"],
            "updated": payload["text"]["wall-updated"],
            "data_url": data_url,
            "interval": _interval(request),
            "screen": screen,
        },
    )


def _display_link(request, token: str) -> DisplayLink:
    """The usable link ``token`` opens (else 404), checked on every request; its last use is recorded at most
    every five minutes, the one write a wall screen makes."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    link = (
        DisplayLink.objects.select_related("programme", "programme__county", "area").filter(token_hash=digest).first()
    )
    if link is None or not link.is_usable:
        raise Http404
    now = timezone.now()
    if link.last_used_at is None or now - link.last_used_at > timedelta(minutes=5):
        DisplayLink.objects.filter(pk=link.pk).update(last_used_at=now)
    return link


def _link_scope(link: DisplayLink) -> AreaScope:
    return AreaScope(link.programme, areas=(link.area.code,))


# A wall screen refreshes every 2–30 seconds, and several may share an office's address; a revoked link stops
# within the cache's ten seconds.
screen_view = public_view(
    reason="an unattended wall screen opened by its display link: one area's figures, read-only, revocable",
    cache_seconds=10,
    rate="600/minute",
    token=_display_link,
    token_writes=[DisplayLink],
)


@screen_view
def screen(request, token):
    """The wall dashboard for an unattended screen: no login, read-only, one area, revocable (see DisplayLink)."""
    scope = _link_scope(request.public_grant)
    data_url = reverse("stations:screen_data", args=[token])
    return _render_wall(request, scope, scope.records(Station.objects.all()), data_url, screen=True)


@screen_view
def screen_data(request, token):
    scope = _link_scope(request.public_grant)
    return JsonResponse(_wall_figures(scope, scope.records(Station.objects.all())))


@login_required
def display_links(request):
    """Make and revoke wall-screen links; a new link is shown once."""
    _need(request, "stations.view_displaylink")
    programme = _programme(request)
    created_url = None
    form = None
    if request.user.has_perm("stations.add_displaylink"):
        form = DisplayLinkForm(request.POST or None, user=request.user, programme=programme)
        if request.method == "POST" and form.is_valid():
            token = secrets.token_urlsafe(32)
            with transaction.atomic():
                link = form.save(commit=False)
                link.programme = programme
                link.prefix = token[:8]
                link.token_hash = hashlib.sha256(token.encode()).hexdigest()
                link.created_by = request.user
                link.expires_at = timezone.now() + timedelta(days=form.cleaned_data["valid_days"])
                link.save()
                if not is_permitted(request.user, "add", link):
                    transaction.set_rollback(True)
                    raise PermissionDenied(_("保存后的记录超出了您的管辖范围。"))
            log_event("display_link_created", obj=link, area=link.area.code)
            created_url = request.build_absolute_uri(reverse("stations:screen", args=[token]))
            form = DisplayLinkForm(user=request.user, programme=programme)
    links = (
        DisplayLink.objects.restrict(request.user, "view").in_programme(programme).select_related("area", "created_by")
    )
    return render(
        request,
        "stations/display_links.html",
        {
            "form": form,
            "links": links,
            "created_url": created_url,
            "can_revoke": request.user.has_perm("stations.change_displaylink"),
        },
    )


@require_POST
@login_required
def display_link_revoke(request, pk):
    _need(request, "stations.change_displaylink")
    link = get_object_or_404(DisplayLink.objects.restrict(request.user, "change"), pk=pk)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at", "updated_at"])
        log_event("display_link_revoked", obj=link)
    messages.success(request, _("展示链接已撤销，使用该链接的大屏将无法再打开。"))
    return redirect("stations:display_links")


# --- rules, coverage, dynamic management, benchmarks -----------------------------------------------------------


@login_required
def rule_check(request):
    """Open violations touching the user's scope, and apart from them the exceptions the office approved."""
    _need(request, "stations.view_station")
    programme = _programme(request)
    return render(
        request,
        "stations/check.html",
        {"report": services.rule_report_for(programme, request.user), "rules": services.station_rules(programme)},
    )


@login_required
def coverage(request):
    _need(request, "stations.view_station")
    scope = AreaScope(_programme(request), request.user)
    figures = kpis.network_coverage(scope)
    uncovered = (
        Area.objects.current()
        .restrict(request.user, "view")
        .filter(code__in=figures.coverage.uncovered_villages)
        .select_related("parent")
        .order_by("-is_provincial_poverty_village", "code")
    )
    townships = Area.objects.current().filter(code__in=figures.coverage.uncovered_townships)
    return render(
        request,
        "stations/coverage.html",
        {
            "figures": figures,
            "cov": figures.coverage,
            "uncovered": uncovered,
            "townships": townships,
            "scope_label": scope.label(Station),
        },
    )


class ProposalListView(ObjectListView):
    table = tables.ProposalTable
    filterset_class = ProposalFilter
    template_name = "stations/proposal_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_review"] = policies.may_manage_network(self.request.user)
        return context


class ProposalDetailView(ObjectDetailView):
    model = ManagementProposal
    template_name = "stations/proposal_detail.html"
    fields = tables.PROPOSAL_DETAIL

    def optimise(self, queryset):
        return queryset.select_related("station", "station__area", "decided_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        proposal = self.object
        basis = proposal.basis or {}
        context["scores"] = [(month, (basis.get("scores") or {}).get(month)) for month in basis.get("months", [])]
        context["basis"] = basis
        if proposal.status == ProposalStatus.PENDING and policies.may(
            self.request.user, rules.MANAGE, proposal.station
        ):
            context["decision_form"] = DecisionForm()
        return context


@require_POST
@login_required
def proposal_decide(request, pk):
    proposal = get_object_or_404(ManagementProposal.objects.restrict(request.user, "view"), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("审定须填写意见。"))
        return redirect(proposal)
    approve = request.POST.get("decision") == "approve"
    try:
        services.decide_proposal(proposal, approve=approve, user=request.user, reason=form.cleaned_data["reason"])
    except rules.IllegalTransition as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已同意该建议。") if approve else _("已驳回该建议。"))
    return redirect(proposal)


@require_POST
@login_required
def review(request):
    """Run the dynamic-management rule now (it also runs from `cuntong stations review`)."""
    policies.require_manage_network(request.user)
    programme = _programme(request)
    created = services.review_activity(programme, user=request.user)
    services.refresh_benchmarks(programme, user=request.user)
    messages.success(request, _("动态管理评估完成，新增建议 %(n)d 条。") % {"n": len(created)})
    return redirect("stations:proposal_list")


@login_required
def benchmarks(request):
    """The benchmark stations (those meeting the plan's criteria) and the strongest near-misses."""
    _need(request, "stations.view_station")
    programme = _programme(request)
    rules_ = services.station_rules(programme)
    rows = services.benchmark_assessments(programme, visible_stations(request))
    designated = [r for r in rows if r["qualifies"]]
    candidates = sorted((r for r in rows if not r["qualifies"]), key=lambda r: (-r["met"], -(r["average"] or 0)))[:10]
    return render(
        request,
        "stations/benchmarks.html",
        {
            "designated": designated,
            "candidates": candidates,
            "target": rules_.benchmark_count,
            "months": rows[0]["months"] if rows else [],
            "criteria": rules_.benchmark,
            "headers": rows[0]["criteria"] if rows else [],
        },
    )


# --- placement optimiser ---------------------------------------------------------------------------------------


@login_required
def plan(request):
    _need(request, "stations.view_candidatesite")
    programme = _programme(request)
    form = PlanForm(request.POST or None, user=request.user, programme=programme)
    if request.method == "POST":
        _need(request, "stations.add_station")
        if form.is_valid():
            data = form.cleaned_data
            scope = scope_area_code(request.user, programme)
            township = data["township"] or (
                Area.objects.current().get(code=scope) if scope != programme.county.code else None
            )
            job = start(
                "stations.plan",
                title=_("站点布局优化：%(area)s") % {"area": township.name if township else programme.county.name},
                user=request.user,
                programme=programme,
                params={
                    "programme_id": programme.pk,
                    "township_code": township.code if township else None,
                    "village_target": float(data["village_target"]),
                    "poverty_target": float(data["poverty_target"]),
                    "time_limit": data["time_limit"],
                },
            )
            return redirect("stations:plan_result", job.pk)
    runs = visible_jobs(request.user).filter(kind="stations.plan", programme=programme)[:10]
    return render(request, "stations/plan.html", {"form": form, "runs": runs})


@login_required
def plan_result(request, job_id):
    _need(request, "stations.view_candidatesite")
    job = get_object_or_404(visible_jobs(request.user).filter(kind="stations.plan"), pk=job_id)
    result = job.result if job.finished and job.result else None
    payload = None
    if result:
        payload = {
            "center": [result["sites"][0]["lat"], result["sites"][0]["lng"]] if result["sites"] else [23.3, 116.17],
            "zoom": 11,
            "markers": [
                {
                    "lat": s["lat"],
                    "lng": s["lng"],
                    "color": "#dc3545" if s["poverty"] else "#0d6efd",
                    "label": f"{s['village_name']} · {s['site']}",
                }
                for s in result["sites"]
            ],
        }
    template = "stations/_plan_progress.html" if getattr(request, "htmx", False) else "stations/plan_result.html"
    return render(request, template, {"job": job, "result": result, "payload": payload})


class CandidateListView(ObjectListView):
    table = tables.CandidateTable
    filterset_class = CandidateFilter
    add_url_name = "stations:candidate_add"
    import_name = "station-candidates"


class CandidateEditView(ServiceEditView):
    model = CandidateSite
    form_class = CandidateSiteForm

    def save(self, form):
        site = form.save(commit=False)
        if not site.programme_id:
            site.programme = self.request.programme
        return services.save_candidate(site, user=self.request.user)

    def get_success_url(self):
        return reverse("stations:candidate_list")
