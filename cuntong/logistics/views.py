"""Logistics pages: volumes and their growth, parcels and the county centre's scan, the keeper's phone page, carrier
figures, outlets, routes, runs, fees and the price watch.

The keeper's page (``keeper``) is a phone page on the stations' light template: no Bootstrap or chart scripts, one
small form, so it opens on a slow connection.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cuntong.geo.models import Area
from cuntong.programme.kpi import AreaScope
from cuntong.stations.models import Station
from cuntong.web.views import ObjectDetailView, ObjectEditView, ObjectListView

from . import kpis, pickup, policies, rules, services, tables
from .filters import ParcelFilter, PriceFilter, VolumeFilter
from .forms import HubForm, PickupForm, PriceForm, VolumeForm
from .models import ExpressVolume, Parcel, PriceSample, Source, VehicleRun


def _need(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied(_("您没有该操作的权限。"))


def _programme(request):
    if not request.programme:
        raise Http404(_("您的账号尚未分配到任何示范项目。"))
    return request.programme


# --- volumes -----------------------------------------------------------------------------------------------------


class VolumeListView(ObjectListView):
    table = tables.VolumeTable
    filterset_class = VolumeFilter
    add_url_name = "logistics:volume_add"
    import_name = "express_volumes"


class VolumeDetailView(ObjectDetailView):
    model = ExpressVolume
    fields = tables.VOLUME_DETAIL
    edit_url_name = "logistics:volume_edit"

    def optimise(self, queryset):
        return queryset.select_related("township", "carrier", "entered_by")


class VolumeEditView(ObjectEditView):
    model = ExpressVolume
    form_class = VolumeForm

    def save(self, form):
        data = form.cleaned_data
        return services.save_volume(
            _programme(self.request),
            data["township"],
            data["carrier"],
            data["month"],
            data["inbound"],
            data["outbound"],
            user=self.request.user,
            source=Source.FORM,
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)


def _year(request) -> int | None:
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return None


@login_required
def growth(request):
    """Volume growth year on year, by month and year to date, with the months left out named; and the township
    reconciliation with the stations' parcel counts."""
    _need(request, "logistics.view_expressvolume")
    programme = _programme(request)
    scope = AreaScope(programme, request.user)
    volumes = kpis.volumes(scope)
    year = _year(request)
    result = services.growth(volumes, year)
    rows, disagree = [], []
    if result is not None and result.compared:
        stations = Station.objects.restrict(request.user, "view").in_programme(programme)
        rows, disagree = services.reconciliation(programme, volumes, stations, [m.month for m in result.compared])
    codes = [r.township for r in rows]
    names = dict(Area.objects.current().filter(code__in=codes).values_list("code", "name")) if codes else {}
    years = sorted({d.year for d in volumes.dates("month", "year")}, reverse=True)
    return render(
        request,
        "logistics/growth.html",
        {
            "result": result,
            "target": services.plan_rule(programme)["growth_target_percent"],
            "rows": [(names.get(r.township, r.township), r) for r in rows],
            "disagree": {r.township for r in disagree},
            "tolerance": services.plan_rule(programme)["reconciliation_tolerance_percent"],
            "years": years,
            "scope_label": scope.label(ExpressVolume),
        },
    )


# --- parcels -----------------------------------------------------------------------------------------------------


class ParcelListView(ObjectListView):
    table = tables.ParcelTable
    filterset_class = ParcelFilter


class ParcelDetailView(ObjectDetailView):
    model = Parcel
    template_name = "logistics/parcel_detail.html"
    fields = tables.PARCEL_DETAIL

    def optimise(self, queryset):
        return queryset.select_related("carrier", "outlet", "township", "village", "station", "route", "run__route")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["events"] = self.object.events.select_related("by", "station", "run")
        return context


@login_required
def hub(request):
    """The county centre: scan waybills in, sort them to routes and stations, load them on a run, deliver them.
    Delivering issues each parcel's pickup code, shown here once (for the slip), stored only as a hash."""
    programme = _programme(request)
    if not policies.may_run_steps(request.user):
        raise PermissionDenied(_("您没有该操作的权限。"))
    runs = VehicleRun.objects.restrict(request.user, "view").in_programme(programme).select_related("route")
    runs = runs.filter(on__gte=timezone.localdate() - datetime.timedelta(days=7))
    codes, errors = {}, {}
    if request.method == "POST":
        form = HubForm(request.POST, runs=runs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                codes = services.run_step(
                    programme, form.waybill_list(), data["step"], user=request.user, run=data["run"], note=data["note"]
                )
            except services.StepFailed as exc:
                errors = exc.errors
            else:
                messages.success(request, _("已处理 %(n)d 件。") % {"n": len(form.waybill_list())})
                if not codes:
                    return redirect("logistics:hub")
                form = HubForm(initial={"step": data["step"]}, runs=runs)
    else:
        form = HubForm(runs=runs)
    return render(
        request,
        "logistics/hub.html",
        {"form": form, "errors": errors, "codes": [(w, pickup.display(c)) for w, c in codes.items()]},
    )


@login_required
def carriers(request):
    """Per carrier and month: parcels, fees charged, average days from arrival to pickup."""
    _need(request, "logistics.view_parcel")
    programme = _programme(request)
    parcels = Parcel.objects.restrict(request.user, "view").in_programme(programme)
    return render(request, "logistics/carriers.html", {"rows": services.carrier_stats(parcels)})


# --- the keeper's phone page -------------------------------------------------------------------------------------


@login_required
def keeper(request):
    """The keeper's parcels waiting at their stations; a pickup code typed or scanned hands one over."""
    stations = list(policies.keeper_stations(request.user).select_related("area").order_by("code"))
    if not stations and not request.user.has_perm(policies.HAND_OVER):
        raise PermissionDenied(_("您没有该操作的权限。"))
    today = timezone.localdate()
    handed = None
    form = PickupForm()
    chosen = stations[0] if len(stations) == 1 else None
    if request.method == "POST":
        form = PickupForm(request.POST)
        station_id = request.POST.get("station", "")
        chosen = next((s for s in stations if str(s.pk) == station_id), chosen)
        if chosen is None:
            form.add_error(None, _("请选择站点。"))
        elif form.is_valid():
            try:
                handed = services.hand_over(chosen, form.cleaned_data["code"], user=request.user)
            except services.HandOverRefused as exc:
                form.add_error("code", str(exc.message))
            else:
                messages.success(request, _("运单 %(w)s 已交付。") % {"w": handed.waybill})
                return redirect("logistics:keeper")
    waiting = list(
        Parcel.objects.filter(station__in=stations, status=rules.AT_STATION)
        .select_related("carrier", "station")
        .order_by("held_until", "waybill")[:200]
    )
    for parcel in waiting:
        parcel.overdue = rules.is_overdue(parcel.status, parcel.held_until, today)
    return render(
        request,
        "logistics/phone/keeper.html",
        {"stations": stations, "waiting": waiting, "form": form, "today": today, "chosen": chosen},
    )


@login_required
@require_POST
def keeper_return(request, pk):
    parcel = get_object_or_404(policies.keeper_parcels(request.user), pk=pk)
    try:
        services.return_parcel(parcel, user=request.user)
    except services.HandOverRefused as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("运单 %(w)s 已退回。") % {"w": parcel.waybill})
    return redirect("logistics:keeper")


# --- reference lists ---------------------------------------------------------------------------------------------


class OutletListView(ObjectListView):
    table = tables.OutletTable


class RouteListView(ObjectListView):
    table = tables.RouteTable


class RunListView(ObjectListView):
    table = tables.RunTable


class FeeBandListView(ObjectListView):
    table = tables.FeeBandTable


# --- prices ------------------------------------------------------------------------------------------------------


class PriceListView(ObjectListView):
    table = tables.PriceTable
    filterset_class = PriceFilter
    add_url_name = "logistics:price_add"
    import_name = "express_prices"


class PriceEditView(ObjectEditView):
    model = PriceSample
    form_class = PriceForm

    def save(self, form):
        sample = form.save(commit=False)
        sample.programme = _programme(self.request)
        return services.save_price(sample, user=self.request.user)

    def get_success_url(self):
        return self.object.get_absolute_url()


@login_required
def price_watch(request):
    """The market regulator's page (价格监测): prices that moved beyond the plan's threshold from their trailing
    average, newest first, and the latest price of each series."""
    _need(request, "logistics.view_pricesample")
    programme = _programme(request)
    samples = PriceSample.objects.restrict(request.user, "view").in_programme(programme)
    rule = services.plan_rule(programme)
    alerts = services.price_alerts(programme, samples)
    latest = {}
    for sample in samples.select_related("carrier").order_by("on", "pk"):
        latest[sample.series] = sample
    return render(
        request,
        "logistics/price_watch.html",
        {
            "alerts": alerts[:100],
            "latest": sorted(latest.values(), key=lambda s: (s.carrier.order, s.zone, s.weight_kg)),
            "threshold": rule["price_threshold_percent"],
            "window": rule["price_window"],
        },
    )
