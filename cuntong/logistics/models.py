"""Express logistics: carriers and their county outlets, the postal administration's monthly volumes, shared
delivery (共同配送) of parcels through the county centre to the stations, fee schedules and price samples.

Parcels are scoped to the township they go to and, for a carrier's own accounts (own-records roles with the carrier's
organisation), to the carrier's outlet. A station keeper reaches the parcels of their stations through the keeper
policy (``policies.keeper_parcels``), which starts from the stations they may see.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cuntong.core.appendonly import AppendOnlyModel, append_only_triggers
from cuntong.core.fields import BlindIndexField, PhoneNumberField
from cuntong.core.models import BusinessModel
from cuntong.core.money import MoneyField
from cuntong.core.scoping import Scope

from . import rules

ParcelStatus = models.TextChoices("ParcelStatus", [(k.upper(), (k, v)) for k, v in rules.STATUS_LABELS.items()])
StepKind = models.TextChoices("StepKind", [(k.upper(), (k, v)) for k, v in rules.STEP_LABELS.items()])


class Carrier(models.Model):
    """An express company (中国邮政, 顺丰 …): reference data, the same in every county (migration 0002)."""

    code = models.SlugField(_("代码"), max_length=16, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    short_name = models.CharField(_("简称"), max_length=16)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("快递公司")
        verbose_name_plural = _("快递公司")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.short_name or self.name


class Source(models.TextChoices):
    FORM = "form", _("页面填报")
    IMPORT = "import", _("Excel导入")
    API = "api", _("接口")
    DEMO = "demo", _("演示生成")


class Outlet(BusinessModel):
    """A carrier's outlet in the county (网点); its organisation holds the carrier's API accounts."""

    scope = Scope(programme="programme", area="area", owner_organisation="organisation")

    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("示范项目"), on_delete=models.CASCADE, related_name="+"
    )
    carrier = models.ForeignKey(Carrier, verbose_name=_("快递公司"), on_delete=models.PROTECT, related_name="outlets")
    name = models.CharField(_("网点名称"), max_length=100)
    area = models.ForeignKey("geo.Area", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("地址"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("所属机构"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("快递公司在本县的机构：其账号（接口令牌）只能看到本网点的运单"),
    )
    is_generated = models.BooleanField(_("演示生成数据"), default=False)

    class Meta:
        verbose_name = _("快递网点")
        verbose_name_plural = _("快递网点")
        ordering = ["carrier__order", "name"]
        constraints = [models.UniqueConstraint(fields=["programme", "name"], name="logistics_outlet_name_unique")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("logistics:outlet_list") + f"?carrier={self.carrier_id}"


class ExpressVolume(BusinessModel):
    """One township's month for one carrier in the postal administration's statistics: inbound (下行, parcels
    delivered into the township) and outbound (上行, parcels sent from it)."""

    scope = Scope(programme="programme", area="township")

    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("示范项目"), on_delete=models.CASCADE, related_name="+"
    )
    township = models.ForeignKey("geo.Area", verbose_name=_("乡镇"), on_delete=models.PROTECT, related_name="+")
    carrier = models.ForeignKey(Carrier, verbose_name=_("快递公司"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    inbound = models.PositiveIntegerField(_("下行（收件，件）"), default=0)
    outbound = models.PositiveIntegerField(_("上行（寄件，件）"), default=0)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.FORM)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("快递业务量")
        verbose_name_plural = _("快递业务量")
        ordering = ["-month", "township__code", "carrier__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "township", "carrier", "month"], name="logistics_volume_one_per_month"
            )
        ]
        indexes = [models.Index(fields=["programme", "month"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.township_id and self.township.name} · {self.carrier_id and self.carrier}"

    def get_absolute_url(self) -> str:
        return reverse("logistics:volume_detail", args=[self.pk])

    @property
    def total(self) -> int:
        return self.inbound + self.outbound


class Route(BusinessModel):
    """A delivery route of the shared delivery: from the county centre to one township's stations."""

    scope = Scope(programme="programme", area="township")

    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("示范项目"), on_delete=models.CASCADE, related_name="+"
    )
    code = models.SlugField(_("线路编号"), max_length=32)
    name = models.CharField(_("线路名称"), max_length=100)
    township = models.ForeignKey("geo.Area", verbose_name=_("乡镇"), on_delete=models.PROTECT, related_name="+")
    stations = models.ManyToManyField(
        "stations.Station", verbose_name=_("沿途站点"), blank=True, related_name="logistics_routes"
    )
    is_generated = models.BooleanField(_("演示生成数据"), default=False)

    class Meta:
        verbose_name = _("配送线路")
        verbose_name_plural = _("配送线路")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="logistics_route_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("logistics:route_list") + f"?township={self.township_id}"


class VehicleRun(BusinessModel):
    """One trip of a vehicle along a route on a day."""

    scope = Scope(programme="route__programme", area="route__township")

    route = models.ForeignKey(Route, verbose_name=_("线路"), on_delete=models.PROTECT, related_name="runs")
    on = models.DateField(_("日期"))
    vehicle = models.CharField(_("车牌"), max_length=16)
    departed_at = models.DateTimeField(_("发车时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("车次")
        verbose_name_plural = _("车次")
        ordering = ["-on", "route__code"]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} · {self.route.code} · {self.vehicle}"

    def get_absolute_url(self) -> str:
        return reverse("logistics:run_list") + f"?route={self.route_id}"


class Parcel(BusinessModel):
    """An inbound parcel of the shared delivery, from a carrier's manifest to its hand-over or return.

    Its steps are ``ParcelEvent`` rows (append-only): the parcel keeps only where it is now, without change
    history of its own (``track_changes = False``), since scans are many and the events are the record. The pickup
    code is stored only as a keyed hash (``pickup.py``)."""

    scope = Scope(programme="programme", area="township", owner_organisation="outlet__organisation")
    track_changes = False  # the append-only ParcelEvent rows are the parcel's history
    personal_fields = ("recipient_phone",)

    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("示范项目"), on_delete=models.CASCADE, related_name="+"
    )
    carrier = models.ForeignKey(Carrier, verbose_name=_("快递公司"), on_delete=models.PROTECT, related_name="+")
    outlet = models.ForeignKey(Outlet, verbose_name=_("网点"), on_delete=models.PROTECT, related_name="parcels")
    waybill = models.CharField(_("运单号"), max_length=40)
    township = models.ForeignKey("geo.Area", verbose_name=_("乡镇"), on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(
        "geo.Area", verbose_name=_("行政村"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("站点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parcels",
    )
    route = models.ForeignKey(
        Route, verbose_name=_("线路"), null=True, blank=True, on_delete=models.PROTECT, related_name="parcels"
    )
    run = models.ForeignKey(
        VehicleRun, verbose_name=_("车次"), null=True, blank=True, on_delete=models.PROTECT, related_name="parcels"
    )
    weight_g = models.PositiveIntegerField(_("重量（克）"), default=0)
    fee = MoneyField(_("配送费（元）"), null=True, blank=True)
    recipient_phone = PhoneNumberField(_("收件人电话"), blank=True)
    recipient_phone_hash = BlindIndexField(source="recipient_phone")
    status = models.CharField(
        _("状态"), max_length=16, choices=ParcelStatus.choices, default=rules.ANNOUNCED, editable=False
    )
    arrived_at = models.DateTimeField(_("到县中心时间"), null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(_("送达站点时间"), null=True, blank=True, editable=False)
    held_until = models.DateField(_("保管至"), null=True, blank=True, editable=False)
    picked_up_at = models.DateTimeField(_("取件时间"), null=True, blank=True, editable=False)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True, editable=False)
    pickup_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    is_generated = models.BooleanField(_("演示生成数据"), default=False)

    class Meta:
        verbose_name = _("共同配送运单")
        verbose_name_plural = _("共同配送运单")
        ordering = ["-created_at", "-pk"]
        permissions = [("hand_over_parcel", _("站点交付取件（核对取件码）"))]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "waybill"], name="logistics_parcel_waybill_unique"),
            models.UniqueConstraint(
                fields=["station", "pickup_code_hash"],
                condition=~Q(pickup_code_hash=""),
                name="logistics_parcel_code_unique_at_station",
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "status"]),
            models.Index(fields=["station", "status"]),
            models.Index(fields=["waybill"]),
        ]

    def __str__(self) -> str:
        return self.waybill

    def get_absolute_url(self) -> str:
        return reverse("logistics:parcel_detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return rules.is_overdue(self.status, self.held_until, timezone.localdate())


class ParcelEvent(AppendOnlyModel, BusinessModel):
    """One step of a parcel: what, when, who (a person, or the carrier's account through the API)."""

    scope = Scope(programme="programme", area="township", owner_organisation="parcel__outlet__organisation")

    parcel = models.ForeignKey(Parcel, verbose_name=_("运单"), on_delete=models.CASCADE, related_name="events")
    # Copied from the parcel, so a township's events are read without joining the parcel (high volume).
    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("示范项目"), on_delete=models.CASCADE, related_name="+"
    )
    township = models.ForeignKey("geo.Area", verbose_name=_("乡镇"), on_delete=models.PROTECT, related_name="+")
    step = models.CharField(_("环节"), max_length=16, choices=StepKind.choices)
    status = models.CharField(_("状态"), max_length=16, choices=ParcelStatus.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("站点"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    run = models.ForeignKey(
        VehicleRun, verbose_name=_("车次"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("运单轨迹")
        verbose_name_plural = _("运单轨迹")
        ordering = ["parcel", "at", "pk"]
        triggers = append_only_triggers("parcel event log", clearable=["by", "station", "run"])
        indexes = [models.Index(fields=["programme", "at"])]

    def __str__(self) -> str:
        return f"{self.parcel_id and self.parcel.waybill} · {self.get_step_display()}"

    def get_absolute_url(self) -> str:
        return self.parcel.get_absolute_url()


class FeeBand(BusinessModel):
    """The shared delivery's fee for one carrier's parcels up to a weight (配送费标准)."""

    scope = Scope(programme="programme")

    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("示范项目"), on_delete=models.CASCADE, related_name="+"
    )
    carrier = models.ForeignKey(Carrier, verbose_name=_("快递公司"), on_delete=models.PROTECT, related_name="+")
    max_weight_g = models.PositiveIntegerField(_("重量上限（克）"), validators=[MinValueValidator(1)])
    fee = MoneyField(_("配送费（元）"))
    is_generated = models.BooleanField(_("演示生成数据"), default=False)

    class Meta:
        verbose_name = _("配送费标准")
        verbose_name_plural = _("配送费标准")
        ordering = ["carrier__order", "max_weight_g"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "carrier", "max_weight_g"], name="logistics_fee_band_unique"),
            models.CheckConstraint(condition=Q(fee__gte=0), name="logistics_fee_band_fee_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.carrier_id and self.carrier} ≤{self.max_weight_g}g"

    def get_absolute_url(self) -> str:
        return reverse("logistics:fee_list")


class Zone(models.TextChoices):
    LOCAL = "local", _("同城")
    PROVINCE = "province", _("省内")
    NEAR = "near", _("邻近省份")
    FAR = "far", _("其他省份")
    REMOTE = "remote", _("偏远地区")


class PriceSample(BusinessModel):
    """A carrier's price for sending a parcel of a weight band to a zone, observed on a day (价格监测)."""

    scope = Scope(programme="programme")

    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("示范项目"), on_delete=models.CASCADE, related_name="+"
    )
    carrier = models.ForeignKey(Carrier, verbose_name=_("快递公司"), on_delete=models.PROTECT, related_name="+")
    weight_kg = models.DecimalField(
        _("重量档（公斤以内）"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0)]
    )
    zone = models.CharField(_("目的地区域"), max_length=16, choices=Zone.choices)
    price = MoneyField(_("价格（元）"))
    on = models.DateField(_("日期"))
    source = models.CharField(_("来源"), max_length=100, blank=True, help_text=_("例如：网点牌价、电话询价"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_generated = models.BooleanField(_("演示生成数据"), default=False)

    class Meta:
        verbose_name = _("快递价格样本")
        verbose_name_plural = _("快递价格样本")
        ordering = ["-on", "carrier__order", "zone", "weight_kg"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="logistics_price_non_negative"),
            models.UniqueConstraint(
                fields=["programme", "carrier", "weight_kg", "zone", "on"], name="logistics_price_one_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} · {self.carrier_id and self.carrier} · {self.get_zone_display()} {self.weight_kg}kg"

    def get_absolute_url(self) -> str:
        return reverse("logistics:price_list")

    @property
    def series(self) -> tuple:
        return (self.carrier_id, self.weight_kg, self.zone)
