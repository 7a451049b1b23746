"""Logistics transactions: volumes, parcels step by step, hand-over with the pickup code, prices, figures, reminders.

Every change takes the acting user and checks ``policies`` itself (``SYSTEM`` for commands and the demo; ``None`` is
refused); pages, the API, importers and commands only call these.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cuntong.core import freshness
from cuntong.core.actors import SYSTEM, recorded_user, require_actor
from cuntong.core.actors import restrict as restrict_for
from cuntong.core.appendonly import append_rows
from cuntong.geo.models import Area
from cuntong.notify import services as notify_services
from cuntong.stations import rules as station_rules
from cuntong.stations.models import MonthlyReport, Station

from . import pickup, policies, rules
from .models import (
    Carrier,
    ExpressVolume,
    FeeBand,
    Outlet,
    Parcel,
    ParcelEvent,
    PriceSample,
    Route,
    Source,
    VehicleRun,
)
from .notifications import PICKUP_CODE

DEFAULTS = {
    "growth_target_percent": 20,
    "report_due_day": 10,
    "price_threshold_percent": 10,
    "price_window": 6,
    "holding_days": 7,
    "reconciliation_tolerance_percent": 30,
}


def plan_rule(programme) -> dict:
    """The plan's ``logistics:`` parameters, with the defaults for any it leaves out."""
    return {**DEFAULTS, **programme.rule("logistics")}


def _saved_in_scope(instance, user, action: str):
    """Save ``instance``; undone when the saved record lies outside what ``user`` may ``action``."""
    require_actor(user)
    with transaction.atomic():
        instance.full_clean()
        instance.save()
        policies.require(user, action, instance)
        freshness.bump(getattr(instance, "programme_id", None))
    return instance


# --- volumes -----------------------------------------------------------------------------------------------------


def save_volume(
    programme, township, carrier, month, inbound: int, outbound: int, *, user, source: str = Source.FORM
) -> ExpressVolume:
    """Record (or correct) one township's month for one carrier."""
    month = rules.month_start(month)
    if month > rules.month_start(timezone.localdate()):
        raise ValidationError({"month": _("不能填报未来月份。")})
    if township.level != "township" or not township.code.startswith(programme.county.code):
        raise ValidationError({"township": _("请选择本县的乡镇。")})
    volume = ExpressVolume.objects.filter(programme=programme, township=township, carrier=carrier, month=month).first()
    action = "change" if volume else "add"
    volume = volume or ExpressVolume(programme=programme, township=township, carrier=carrier, month=month)
    volume.inbound, volume.outbound, volume.source = inbound, outbound, source
    volume.entered_by = recorded_user(user)
    return _saved_in_scope(volume, user, action)


def county_volumes(queryset) -> dict[datetime.date, int]:
    """Month → inbound + outbound over ``queryset`` (already scoped); a month with no row is absent."""
    rows = queryset.values("month").annotate(total=Sum(F("inbound") + F("outbound")))
    return {row["month"]: row["total"] for row in rows}


def latest_month(queryset) -> datetime.date | None:
    return queryset.order_by("-month").values_list("month", flat=True).first()


def growth(queryset, year: int | None = None, through: datetime.date | None = None) -> rules.Growth | None:
    """Year-on-year growth of the volumes in ``queryset``: the year of its latest month unless given, through that
    month (or ``through``). None without any volume. One query."""
    volumes = county_volumes(queryset)
    if through is None:
        months = [month for month in volumes if year is None or month.year == year]
        if not months:
            if year is None:
                return None
            months = [datetime.date(year, 12, 1)]
        through = max(months)
    return rules.growth(volumes, through.year, through)


def station_parcels(stations, months) -> int:
    """Parcels in and out in the stations' monthly reports over ``months``."""
    totals = MonthlyReport.objects.filter(station__in=stations, month__in=list(months)).aggregate(
        total=Sum(F("parcels_in") + F("parcels_out"))
    )
    return totals["total"] or 0


def reconciliation(programme, volumes, stations, months: Iterable[datetime.date]):
    """Postal volume against the stations' monthly parcel counts, by township, over ``months``."""
    months = list(months)
    tolerance = plan_rule(programme)["reconciliation_tolerance_percent"]
    postal = {
        row["township__code"]: row["total"]
        for row in volumes.filter(month__in=months)
        .values("township__code")
        .annotate(total=Sum(F("inbound") + F("outbound")))
    }
    reports = MonthlyReport.objects.filter(station__in=stations, month__in=months)
    counted: dict[str, int] = defaultdict(int)
    for code, total in reports.values_list("station__area__code").annotate(
        total=Sum(F("parcels_in") + F("parcels_out"))
    ):
        counted[code[:9]] += total
    return rules.reconcile(postal, counted, tolerance)


# --- reminders ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VolumeDue:
    month: datetime.date
    due_on: datetime.date
    missing: tuple[str, ...]  # township codes without any figure for the month

    @property
    def overdue_on(self) -> bool:
        return bool(self.missing)


def volume_due(programme, today: datetime.date | None = None) -> VolumeDue:
    """Last month's volumes, owed by the postal administration by the plan's day of this month: the townships
    still without any figure."""
    today = today or timezone.localdate()
    month = rules.add_months(rules.month_start(today), -1)
    due_on = rules.report_due_on(month, plan_rule(programme)["report_due_day"])
    reported = ExpressVolume.objects.filter(programme=programme, month=month).values("township_id")
    missing = (
        Area.objects.current()
        .filter(level="township", code__startswith=programme.county.code)
        .exclude(pk__in=reported)
        .order_by("code")
        .values_list("code", flat=True)
    )
    return VolumeDue(month, due_on, tuple(missing))


def postal_staff(programme):
    from cuntong.accounts.models import User

    return (
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__role__code="postal",
            memberships__area__code__in=[programme.county.code, programme.county.code[:4], programme.county.code[:2]],
        )
        .distinct()
        .order_by("pk")
    )


def remind_volume_reports(programme, *, actor, today: datetime.date | None = None) -> int:
    """Remind the postal administration of last month's volumes from the due day on, once per month: the
    notification's dedupe key names the month, so a daily run tells each person once. How many were told."""
    from django.urls import reverse

    from cuntong.notify.services import notify

    from .notifications import VOLUME_DUE

    require_actor(actor)
    today = today or timezone.localdate()
    due = volume_due(programme, today)
    if not due.missing or today < due.due_on - datetime.timedelta(days=3):
        return 0
    subject = _("请报送 %(month)s 快递业务量（截止 %(due)s）") % {
        "month": rules.month_label(due.month),
        "due": f"{due.due_on:%Y-%m-%d}",
    }
    body = _("尚有 %(n)d 个乡镇未报送该月分快递公司的业务量（下行、上行）。") % {"n": len(due.missing)}
    sent = notify(
        VOLUME_DUE.code,
        list(postal_staff(programme)),
        subject,
        body,
        reverse("logistics:volume_list") + f"?month={rules.month_label(due.month)}",
        actor=actor,
        programme=programme,
        dedupe_key=f"{programme.code}:{rules.month_label(due.month)}",
        dedupe_period="once",
    )
    return sent.messages.count() if sent is not None else 0


# --- parcels: manifests and the county centre's steps ---------------------------------------------------------


@dataclass(frozen=True)
class ManifestRow:
    waybill: str
    township_code: str
    village_code: str = ""
    weight_g: int = 0
    recipient_phone: str = ""


class StepFailed(Exception):
    """Some waybills could not take the step; nothing was written."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _areas(programme, codes: set[str]) -> dict[str, Area]:
    return {a.code: a for a in Area.objects.current().filter(code__in=codes, code__startswith=programme.county.code)}


def announce(outlet: Outlet, rows: Iterable[ManifestRow], *, user, source_note: str = "") -> list[Parcel]:
    """A carrier's manifest: the parcels its outlet hands to the shared delivery (status 已预报). All rows or none:
    a row naming an unknown township or village, or a waybill already announced, refuses the manifest."""
    require_actor(user)
    if user is not SYSTEM and not policies.outlets_for(user).filter(pk=outlet.pk).exists():
        raise PermissionDenied(_("您没有该操作的权限。"))
    rows = list(rows)
    programme = outlet.programme
    areas = _areas(programme, {r.township_code for r in rows} | {r.village_code for r in rows if r.village_code})
    known = set(
        Parcel.objects.filter(carrier_id=outlet.carrier_id, waybill__in=[r.waybill for r in rows]).values_list(
            "waybill", flat=True
        )
    )
    errors, parcels, seen = {}, [], set()
    for row in rows:
        township = areas.get(row.township_code)
        village = areas.get(row.village_code) if row.village_code else None
        if not row.waybill or len(row.waybill) > 40:
            errors[row.waybill or "?"] = _("运单号须为1至40个字符。")
        elif row.waybill in known or row.waybill in seen:
            errors[row.waybill] = _("运单号已存在。")
        elif township is None or township.level != "township":
            errors[row.waybill] = _("乡镇代码不在本县：%(code)s") % {"code": row.township_code}
        elif row.village_code and (village is None or village.parent_id != township.pk):
            errors[row.waybill] = _("行政村代码不属于该乡镇：%(code)s") % {"code": row.village_code}
        seen.add(row.waybill)
        if row.waybill not in errors:
            parcels.append(
                Parcel(
                    programme=programme,
                    carrier_id=outlet.carrier_id,
                    outlet=outlet,
                    waybill=row.waybill,
                    township=township,
                    village=village,
                    weight_g=row.weight_g,
                    recipient_phone=row.recipient_phone,
                )
            )
    if errors:
        raise StepFailed(errors)
    now, by = timezone.now(), recorded_user(user)
    with transaction.atomic():
        for parcel in parcels:  # one by one: the phone's encryption and blind index are the field's to compute
            parcel.save()
        append_rows(
            ParcelEvent,
            (
                ParcelEvent(
                    parcel=p,
                    programme=programme,
                    township=p.township,
                    step="manifest",
                    status=rules.ANNOUNCED,
                    at=now,
                    by=by,
                    note=source_note[:200],
                )
                for p in parcels
            ),
        )
        freshness.bump(programme)
    return parcels


def _fee_bands(programme) -> dict[int, list[rules.FeeBand]]:
    bands: dict[int, list[rules.FeeBand]] = defaultdict(list)
    for band in FeeBand.objects.filter(programme=programme):
        bands[band.carrier_id].append(rules.FeeBand(band.max_weight_g, band.fee))
    return bands


def station_for(parcel: Parcel, stations: list[Station]) -> Station | None:
    """Where a parcel is handed out: the point serving its village, else its township's station."""
    by_area = {s.area_id: s for s in stations}
    if parcel.village_id and parcel.village_id in by_area:
        return by_area[parcel.village_id]
    return by_area.get(parcel.township_id)


def run_step(
    programme,
    waybills: Iterable[str],
    step: str,
    *,
    user,
    run: VehicleRun | None = None,
    note: str = "",
    at: datetime.datetime | None = None,
) -> dict[str, str]:
    """Take one step (arrive, sort, load, deliver, return) for each scanned waybill at the county centre; all or
    none. Returns the pickup codes issued on delivery ({waybill: code}, shown once, never stored)."""
    require_actor(user)
    policies.require_steps(user)
    if step not in ("arrive", "sort", "load", "deliver", "return"):
        raise ValueError(step)
    waybills = [w.strip() for w in waybills if w and w.strip()]
    errors: dict[str, str] = {}
    at = at or timezone.now()
    rule = plan_rule(programme)
    bands = _fee_bands(programme) if step == "arrive" else {}
    stations = list(
        Station.objects.filter(programme=programme, status__in=station_rules.IN_OPERATION).select_related("area")
    )
    codes: dict[str, str] = {}
    with transaction.atomic():
        parcels = {
            p.waybill: p
            for p in restrict_for(Parcel.objects.filter(programme=programme, waybill__in=waybills), user, "change")
            .select_related("township", "village", "station")
            .select_for_update(of=("self",))
        }
        for waybill in waybills:
            parcel = parcels.get(waybill)
            if parcel is None:
                errors[waybill] = _("未找到运单，或不在您的管辖范围内。")
                continue
            try:
                parcel.status = rules.next_status(step, parcel.status)
            except rules.StepRefused as exc:
                errors[waybill] = str(exc.message)
                continue
            if step == "arrive":
                parcel.arrived_at = at
                parcel.fee = rules.fee_for(parcel.weight_g, bands.get(parcel.carrier_id, []))
            elif step == "sort":
                parcel.station = station_for(parcel, stations)
                if parcel.station is None:
                    errors[waybill] = _("该乡镇（村）没有运营中的站点，无法分拣。")
                    continue
                parcel.route = (
                    Route.objects.filter(programme=programme, stations=parcel.station).order_by("code").first()
                    or Route.objects.filter(programme=programme, township=parcel.township).order_by("code").first()
                )
            elif step == "load":
                if run is None or (parcel.route_id and run.route_id != parcel.route_id):
                    errors[waybill] = _("请选择该运单所属线路的车次。")
                    continue
                parcel.run = run
            elif step == "deliver":
                parcel.delivered_at = at
                parcel.held_until = rules.hold_until(timezone.localdate(at), rule["holding_days"])
                code = pickup.new_code()
                parcel.pickup_code_hash = pickup.code_hash(parcel.station_id, code)
                codes[waybill] = code
            elif step == "return":
                parcel.returned_at = at
                parcel.pickup_code_hash = ""
        if errors:
            transaction.set_rollback(True)
            raise StepFailed(errors)
        changed = [parcels[w] for w in waybills]
        fields = {
            "arrive": ["status", "arrived_at", "fee"],
            "sort": ["status", "station", "route"],
            "load": ["status", "run"],
            "deliver": ["status", "delivered_at", "held_until", "pickup_code_hash"],
            "return": ["status", "returned_at", "pickup_code_hash"],
        }[step]
        for parcel in changed:
            parcel.save(update_fields=[*fields, "updated_at"])
        _events(changed, step, user=user, at=at, run=run, note=note)
        if step == "deliver":
            for parcel in changed:
                text_pickup_code(parcel, codes[parcel.waybill], actor=user, programme=programme)
    return codes


def text_pickup_code(parcel: Parcel, code: str, *, actor, programme):
    """The recipient's pickup code by SMS (``notify.send_to_phone``, once the delivery commits); the log keeps the
    message without the code, to the masked number. Nothing for a parcel without a phone number."""
    words = _("取件码 %(code)s：您的包裹（运单尾号 %(tail)s）已到%(station)s，请于 %(day)s 前凭码取件。")
    values = {"tail": parcel.waybill[-4:], "station": parcel.station.name, "day": f"{parcel.held_until:%Y-%m-%d}"}
    return notify_services.send_to_phone(
        PICKUP_CODE.code,
        parcel.recipient_phone,
        words % {**values, "code": pickup.display(code)},
        recorded_subject=words % {**values, "code": "********"},
        actor=actor,
        programme=programme,
        area=parcel.township,
    )


def _events(parcels, step, *, user, at, run=None, note=""):
    by = recorded_user(user)
    append_rows(
        ParcelEvent,
        (
            ParcelEvent(
                parcel=p,
                programme_id=p.programme_id,
                township_id=p.township_id,
                step=step,
                status=p.status,
                at=at,
                by=by,
                station_id=p.station_id,
                run=run,
                note=note[:200],
            )
            for p in parcels
        ),
    )
    for programme_id in {p.programme_id for p in parcels}:  # a parcel moved on: to-dos and figures change
        freshness.bump(programme_id)


class HandOverRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def hand_over(station: Station, typed_code: str, *, user, at: datetime.datetime | None = None) -> Parcel:
    """The recipient shows the pickup code at the station: the parcel waiting there under that code is handed over
    and the code spent. The hash is looked up among the station's waiting parcels and cleared by the same
    conditional UPDATE that marks the parcel picked up, so of two concurrent hand-overs only one finds it."""
    require_actor(user)
    if not pickup.well_formed(typed_code):
        raise HandOverRefused(_("取件码格式不正确：应为8位字母或数字。"))
    digest = pickup.code_hash(station.pk, typed_code)
    parcel = (
        Parcel.objects.filter(station=station, status=rules.AT_STATION, pickup_code_hash=digest)
        .select_related("station")
        .first()
    )
    if parcel is None or not pickup.matches(parcel.pickup_code_hash, station.pk, typed_code):
        raise HandOverRefused(_("取件码无效或已使用。"))
    policies.require_hand_over(user, parcel)
    now = at or timezone.now()
    with transaction.atomic():
        won = Parcel.objects.filter(pk=parcel.pk, status=rules.AT_STATION, pickup_code_hash=digest).update(
            status=rules.PICKED_UP, picked_up_at=now, pickup_code_hash="", updated_at=now
        )
        if won != 1:
            raise HandOverRefused(_("取件码无效或已使用。"))
        parcel.status, parcel.picked_up_at, parcel.pickup_code_hash = rules.PICKED_UP, now, ""
        _events([parcel], "hand_over", user=user, at=now)
    return parcel


def return_parcel(parcel: Parcel, *, user, note: str = "") -> Parcel:
    """The keeper sends a parcel back (holding period over, or refused by its recipient)."""
    require_actor(user)
    policies.require_hand_over(user, parcel)
    now = timezone.now()
    with transaction.atomic():
        won = Parcel.objects.filter(pk=parcel.pk, status=rules.AT_STATION).update(
            status=rules.RETURNED, returned_at=now, pickup_code_hash="", updated_at=now
        )
        if won != 1:
            raise HandOverRefused(_("该运单不在待取件状态。"))
        parcel.status, parcel.returned_at, parcel.pickup_code_hash = rules.RETURNED, now, ""
        _events([parcel], "return", user=user, at=now, note=note or _("超过保管期退回"))
    return parcel


def return_overdue(programme, *, user, today: datetime.date | None = None) -> int:
    """Every parcel past its holding period goes back to its carrier (the daily run)."""
    today = today or timezone.localdate()
    waybills = list(
        Parcel.objects.filter(programme=programme, status=rules.AT_STATION, held_until__lt=today).values_list(
            "waybill", flat=True
        )
    )
    if waybills:
        run_step(programme, waybills, "return", user=user, note=_("超过保管期退回"))
    return len(waybills)


def carrier_event(parcel: Parcel, note: str, *, user, at: datetime.datetime | None = None) -> ParcelEvent:
    """A status the carrier reports for its parcel (in transit, delayed …): recorded, the parcel's stage unchanged."""
    require_actor(user)
    policies.require_report_status(user, parcel)
    event = ParcelEvent(
        parcel=parcel,
        programme_id=parcel.programme_id,
        township_id=parcel.township_id,
        step="carrier",
        status=parcel.status,
        at=at or timezone.now(),
        by=recorded_user(user),
        note=note[:200],
    )
    event.save()
    return event


MAX_BATCH = 1000


def carrier_events(items: list[tuple[str, str]], *, user, at: datetime.datetime | None = None) -> int:
    """Many status events at once ((waybill, note) pairs, at most ``MAX_BATCH``): all of the caller's own parcels
    or none written. One query finds the parcels, one batch inserts the events (append-only, no per-row history)."""
    require_actor(user)
    if len(items) > MAX_BATCH:
        raise ValidationError(_("每批最多 %(n)d 条。") % {"n": MAX_BATCH})
    if user is not SYSTEM and not user.has_perm("logistics.add_parcelevent"):
        raise PermissionDenied(_("您没有该操作的权限。"))
    waybills = {waybill for waybill, _note in items}
    parcels = {
        p["waybill"]: p
        for p in restrict_for(Parcel.objects.filter(waybill__in=waybills), user, "view").values(
            "pk", "waybill", "programme_id", "township_id", "status"
        )
    }
    unknown = sorted(waybills - set(parcels))
    if unknown:
        raise ValidationError(
            _("未找到运单，或不在您的管辖范围内。") + " " + "、".join(unknown[:20]), code="unknown_waybill"
        )
    at, by = at or timezone.now(), recorded_user(user)
    return append_rows(
        ParcelEvent,
        (
            ParcelEvent(
                parcel_id=parcels[waybill]["pk"],
                programme_id=parcels[waybill]["programme_id"],
                township_id=parcels[waybill]["township_id"],
                step="carrier",
                status=parcels[waybill]["status"],
                at=at,
                by=by,
                note=note[:200],
            )
            for waybill, note in items
        ),
    )


def overdue_parcels(queryset, today: datetime.date | None = None):
    today = today or timezone.localdate()
    return queryset.filter(status=rules.AT_STATION, held_until__lt=today)


def carrier_stats(queryset) -> list[rules.CarrierMonth]:
    """Per carrier and month of arrival over ``queryset`` (scoped parcels)."""
    names = {c.pk: str(c) for c in Carrier.objects.all()}
    facts = (
        rules.ParcelFacts(
            names.get(carrier_id, "?"),
            timezone.localdate(arrived).replace(day=1),
            fee,
            arrived,
            picked,
        )
        for carrier_id, arrived, picked, fee in queryset.filter(arrived_at__isnull=False).values_list(
            "carrier_id", "arrived_at", "picked_up_at", "fee"
        )
    )
    return rules.carrier_months(facts)


def waiting_counts(stations) -> dict[int, int]:
    rows = (
        Parcel.objects.filter(station__in=stations, status=rules.AT_STATION)
        .values("station")
        .annotate(n=Count("pk"))
        .values_list("station", "n")
    )
    return dict(rows)


# --- prices ------------------------------------------------------------------------------------------------------


def save_price(sample: PriceSample, *, user) -> PriceSample:
    action = "change" if sample.pk else "add"
    sample.entered_by = recorded_user(user)
    try:
        return _saved_in_scope(sample, user, action)
    except IntegrityError as exc:  # pragma: no cover - full_clean checks the unique constraint first
        raise ValidationError(str(exc)) from exc


def price_alerts(programme, samples) -> list[rules.PriceAlert]:
    rule = plan_rule(programme)
    points = [
        rules.PricePoint((s.carrier_id, s.weight_kg, s.zone), s.on, s.price, s)
        for s in samples.select_related("carrier").order_by("on", "pk")
    ]
    return rules.price_alerts(points, rule["price_threshold_percent"], rule["price_window"])


def fee_total(queryset) -> Decimal:
    return queryset.aggregate(total=Sum("fee"))["total"] or Decimal("0.00")


def restrict(queryset, user, action: str = "view"):
    return restrict_for(queryset, user, action)
