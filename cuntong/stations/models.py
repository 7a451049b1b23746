"""Service stations (服务站/服务点), their life cycle, monthly reports, check-ins and dynamic management.

Every record is scoped by the station's programme, the area it serves (a township for a township station, a village
for a village point) and, for station operators, the operator user: ``zhanzhang`` sees only their own station.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
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
from cuntong.core.scoping import RestrictedQuerySet, Scope

from . import rules

Level = models.TextChoices("Level", [(k.upper(), (k, v)) for k, v in rules.LEVEL_LABELS.items()])
Status = models.TextChoices("Status", [(k.upper(), (k, v)) for k, v in rules.STATUS_LABELS.items()])
SERVICE_CHOICES = list(rules.SERVICE_LABELS.items())

_STATION_SCOPE = Scope(programme="station__programme", area="station__area", owner_user="station__operator_user")


class ServicesField(models.CharField):
    """A set of service codes, stored as ``,express,finance,`` so ``offering(code)`` is one indexed-free LIKE."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "cuntong.stations.models.ServicesField", args, kwargs

    def to_python(self, value) -> list[str]:
        codes = list(value) if isinstance(value, list | tuple) else [c for c in (value or "").split(",") if c]
        return sorted(set(codes), key=lambda c: rules.SERVICES.index(c) if c in rules.SERVICES else len(rules.SERVICES))

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def get_prep_value(self, value):
        codes = self.to_python(value)
        return f",{','.join(codes)}," if codes else ""

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def validate(self, value, model_instance):
        unknown = [code for code in self.to_python(value) if code not in rules.SERVICES]
        if unknown:
            raise ValidationError(_("未知的服务项目：%(codes)s") % {"codes": "、".join(unknown)})

    def run_validators(self, value):
        super().run_validators(self.get_prep_value(value))

    def formfield(self, **kwargs):
        return forms.TypedMultipleChoiceField(
            choices=SERVICE_CHOICES,
            widget=forms.CheckboxSelectMultiple,
            required=not self.blank,
            label=self.verbose_name,
            help_text=self.help_text,
        )


class StationQuerySet(RestrictedQuerySet):
    def offering(self, service: str):
        return self.filter(services__contains=f",{service},")


class Station(BusinessModel):
    scope = Scope(programme="programme", area="area", owner_user="operator_user", owner_organisation="organisation")

    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("示范项目"), on_delete=models.CASCADE, related_name="stations"
    )
    code = models.CharField(_("站点编号"), max_length=32, blank=True, help_text=_("留空则自动编号"))
    name = models.CharField(_("站点名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    area = models.ForeignKey(
        "geo.Area",
        verbose_name=_("服务区域"),
        on_delete=models.PROTECT,
        related_name="stations",
        help_text=_("镇级服务站选乡镇（街道、农场），村级服务点选行政村"),
    )
    latitude = models.DecimalField(_("纬度（WGS-84）"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("经度（WGS-84）"), max_digits=9, decimal_places=6)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    operator_name = models.CharField(_("站长姓名"), max_length=32, blank=True)
    operator_phone = PhoneNumberField(_("站长电话"), blank=True)
    operator_phone_hash = BlindIndexField(source="operator_phone")
    operator_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("站长账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stations",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("运营单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stations",
    )
    floor_area_m2 = models.DecimalField(
        _("场地面积（平方米）"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    services = ServicesField(_("服务项目"))
    # Derived, never entered: set by services.refresh_benchmarks from the plan's benchmark criteria.
    is_benchmark = models.BooleanField(_("标杆站点"), default=False, editable=False)
    sub_item = models.ForeignKey(
        "programme.SubItem",
        verbose_name=_("资金子项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stations",
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=rules.PROPOSED, editable=False)
    status_changed_on = models.DateField(_("状态变更日期"), null=True, blank=True, editable=False)
    opened_on = models.DateField(_("开始运营日期"), null=True, blank=True, editable=False)
    closed_on = models.DateField(_("停止运营日期"), null=True, blank=True, editable=False)
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("替换的站点"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaced_by",
        help_text=_("增补站点：被淘汰的原站点"),
    )
    note = models.TextField(_("备注"), blank=True)
    is_generated = models.BooleanField(_("演示生成数据"), default=False)

    objects = StationQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务站点")
        verbose_name_plural = _("服务站点")
        ordering = ["code"]
        permissions = [
            ("approve_station", _("批准或否决站点")),
            ("override_station", _("批准违反站点规则的站点（须说明理由）")),
            ("manage_station", _("站点动态管理（观察期、淘汰、替换）")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="stations_station_code_unique"),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="stations_station_position_valid",
            ),
            models.CheckConstraint(
                condition=Q(floor_area_m2__isnull=True) | Q(floor_area_m2__gte=0),
                name="stations_station_floor_area_non_negative",
            ),
        ]
        indexes = [models.Index(fields=["programme", "status"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("stations:station_detail", args=[self.pk])

    @property
    def is_in_operation(self) -> bool:
        return self.status in rules.IN_OPERATION

    @property
    def services_display(self) -> str:
        return "、".join(str(rules.SERVICE_LABELS[code]) for code in self.services if code in rules.SERVICE_LABELS)

    def as_site(self) -> rules.Site:
        return rules.Site(
            self.pk, self.level, self.area.code, float(self.latitude), float(self.longitude), label=self.name
        )

    def clean(self):
        """The station's own consistency (pure); the position and network rules are the services' (one gate)."""
        super().clean()
        if self.area_id and self.level:
            expected = "township" if self.level == rules.TOWNSHIP else "village"
            if self.area.level != expected:
                raise ValidationError({"area": _("镇级服务站的服务区域须为乡级单位，村级服务点须为村级单位。")})
        if self.programme_id and self.area_id and not self.area.code.startswith(self.programme.county.code):
            raise ValidationError({"area": _("服务区域不在本示范县内。")})


class StationEvent(AppendOnlyModel, BusinessModel):
    """One life-cycle step: from, to, effective date, who, why; rule violations overridden are kept with it.
    The event is itself the history: written once, never edited (append-only, no change history of its own)."""

    scope = _STATION_SCOPE

    station = models.ForeignKey(Station, verbose_name=_("站点"), on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("原状态"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=Status.choices)
    on = models.DateField(_("日期"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    reason = models.TextField(_("原因"), blank=True)
    override = models.BooleanField(_("规则例外批准"), default=False)
    violations = models.JSONField(_("违反的规则"), default=list, blank=True)
    proposal = models.ForeignKey(
        "ManagementProposal",
        verbose_name=_("动态管理建议"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )

    class Meta:
        verbose_name = _("站点状态记录")
        verbose_name_plural = _("站点状态记录")
        ordering = ["station", "created_at", "pk"]
        triggers = append_only_triggers("station event log", clearable=["by", "proposal"])

    def __str__(self) -> str:
        return f"{self.station} · {self.get_from_status_display() or '—'} → {self.get_to_status_display()}"

    def get_absolute_url(self) -> str:
        return self.station.get_absolute_url()


class ReportSource(models.TextChoices):
    FORM = "form", _("站长填报")
    IMPORT = "import", _("Excel导入")
    API = "api", _("接口")


class MonthlyReport(BusinessModel):
    """One station's month: parcels down (下行) and up (上行), sales, purchases, finance, live streaming, visitors."""

    scope = _STATION_SCOPE

    station = models.ForeignKey(Station, verbose_name=_("站点"), on_delete=models.CASCADE, related_name="reports")
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    parcels_in = models.PositiveIntegerField(_("收件量（下行，件）"), default=0)
    parcels_out = models.PositiveIntegerField(_("寄件量（上行，件）"), default=0)
    agri_sales = MoneyField(_("农产品网销额（元）"), default=0)
    purchases_for_villagers = MoneyField(_("代购金额（元）"), default=0)
    financial_count = models.PositiveIntegerField(_("金融服务笔数"), default=0)
    financial_amount = MoneyField(_("金融服务金额（元）"), default=0)
    live_sessions = models.PositiveIntegerField(_("直播场次"), default=0)
    live_sales = MoneyField(_("直播销售额（元）"), default=0)
    visitors = models.PositiveIntegerField(_("到站人次"), default=0)
    submitted_at = models.DateTimeField(_("报送时间"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_on = models.DateField(_("报送截止日"), editable=False, help_text=_("次月的报送截止日，按报送时的计划规则"))
    source = models.CharField(_("来源"), max_length=16, choices=ReportSource.choices, default=ReportSource.FORM)
    confirmed_warnings = models.JSONField(_("已确认的提示"), default=list, blank=True)

    class Meta:
        verbose_name = _("站点月报")
        verbose_name_plural = _("站点月报")
        ordering = ["-month", "station_id"]
        constraints = [
            models.UniqueConstraint(fields=["station", "month"], name="stations_report_one_per_station_month"),
            *(
                models.CheckConstraint(condition=Q(**{f"{name}__gte": 0}), name=f"stations_report_{name}_non_negative")
                for name in rules.MONEY_FIGURES
            ),
        ]
        indexes = [models.Index(fields=["month", "station"])]

    def __str__(self) -> str:
        return f"{self.station} · {self.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("stations:report_detail", args=[self.pk])

    @property
    def month_label(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def figures(self) -> rules.Figures:
        return rules.Figures.of(self)

    @property
    def on_time(self) -> bool:
        return timezone.localdate(self.submitted_at) <= self.due_on


class ReportRevision(AppendOnlyModel, BusinessModel):
    """A change to a submitted report: the reason and the figures before and after (append-only: the revision is
    itself the report's history)."""

    scope = Scope(
        programme="report__station__programme",
        area="report__station__area",
        owner_user="report__station__operator_user",
    )

    report = models.ForeignKey(
        MonthlyReport, verbose_name=_("月报"), on_delete=models.CASCADE, related_name="revisions"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    reason = models.TextField(_("修改原因"))
    before = models.JSONField(_("修改前"))
    after = models.JSONField(_("修改后"))

    class Meta:
        verbose_name = _("月报修改记录")
        verbose_name_plural = _("月报修改记录")
        ordering = ["report", "created_at", "pk"]
        triggers = append_only_triggers("report revision log", clearable=["changed_by"])

    def __str__(self) -> str:
        return f"{self.report} · {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return self.report.get_absolute_url()

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        labels = {f.name: f.verbose_name for f in MonthlyReport._meta.fields}
        return [
            (str(labels.get(name, name)), self.before.get(name), self.after.get(name))
            for name in rules.FIGURE_NAMES
            if self.before.get(name) != self.after.get(name)
        ]


class CheckIn(BusinessModel):
    """The operator's daily check-in: the station is open today (optionally with a photo and the phone's position)."""

    scope = _STATION_SCOPE

    station = models.ForeignKey(Station, verbose_name=_("站点"), on_delete=models.CASCADE, related_name="checkins")
    day = models.DateField(_("日期"))
    checked_at = models.DateTimeField(_("打卡时间"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("打卡人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    is_open = models.BooleanField(_("今日开门营业"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    latitude = models.DecimalField(_("打卡纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("打卡经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    distance_m = models.PositiveIntegerField(_("距站点（米）"), null=True, blank=True)

    class Meta:
        verbose_name = _("站点打卡")
        verbose_name_plural = _("站点打卡")
        ordering = ["-day", "station_id"]
        constraints = [models.UniqueConstraint(fields=["station", "day"], name="stations_checkin_one_per_day")]
        # The check-in list's order (newest day first), as reports have (month, station): the biggest table in time.
        indexes = [models.Index(fields=["day", "station"], name="stations_checkin_day_station")]

    def __str__(self) -> str:
        return f"{self.station} · {self.day:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("stations:checkin_list") + f"?station={self.station_id}"


class ProposalKind(models.TextChoices):
    PROBATION = rules.PROPOSE_PROBATION, _("列入观察期")
    ELIMINATION = rules.PROPOSE_ELIMINATION, _("淘汰")
    REINSTATEMENT = rules.PROPOSE_REINSTATEMENT, _("解除观察期")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("待审定")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("已驳回")


class ManagementProposal(BusinessModel):
    """What the dynamic-management rule proposes for a station, with the evidence, for the office to decide."""

    scope = _STATION_SCOPE

    station = models.ForeignKey(Station, verbose_name=_("站点"), on_delete=models.CASCADE, related_name="proposals")
    kind = models.CharField(_("建议"), max_length=16, choices=ProposalKind.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PENDING, editable=False
    )
    basis = models.JSONField(_("依据"), default=dict, help_text=_("评估月份、各月活跃度得分、阈值"))
    replacement_options = models.JSONField(_("可增补的村"), default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审定意见"), blank=True)

    class Meta:
        verbose_name = _("动态管理建议")
        verbose_name_plural = _("动态管理建议")
        ordering = ["status", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "kind"],
                condition=Q(status="pending"),
                name="stations_proposal_one_pending_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.station} · {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("stations:proposal_detail", args=[self.pk])

    @property
    def target_status(self) -> str:
        return {
            rules.PROPOSE_PROBATION: rules.PROBATION,
            rules.PROPOSE_ELIMINATION: rules.ELIMINATED,
            rules.PROPOSE_REINSTATEMENT: rules.OPERATING,
        }[self.kind]


class CandidateSite(BusinessModel):
    """A place in a village where a point could open (village committee office, shop …), for the optimiser."""

    scope = Scope(programme="programme", area="village")

    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("示范项目"), on_delete=models.CASCADE, related_name="+"
    )
    village = models.ForeignKey(
        "geo.Area", verbose_name=_("行政村"), on_delete=models.PROTECT, related_name="candidate_sites"
    )
    name = models.CharField(_("点位名称"), max_length=100)
    latitude = models.DecimalField(_("纬度（WGS-84）"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("经度（WGS-84）"), max_digits=9, decimal_places=6)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    is_generated = models.BooleanField(_("演示生成数据"), default=False)

    class Meta:
        verbose_name = _("候选点位")
        verbose_name_plural = _("候选点位")
        ordering = ["village__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "village", "name"], name="stations_candidate_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.village} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("stations:candidate_edit", args=[self.pk])


class DisplayLink(BusinessModel):
    """A revocable, read-only link for an unattended wall screen: it opens the dashboard of one area, nothing else.

    Only the SHA-256 of the token is stored; the link is shown once, when it is made.
    """

    scope = Scope(programme="programme", area="area")

    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("示范项目"), on_delete=models.CASCADE, related_name="+"
    )
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("显示范围"), on_delete=models.PROTECT, related_name="+", help_text=_("全县或某乡镇")
    )
    name = models.CharField(_("用途"), max_length=64, help_text=_("例如：电商服务中心大屏"))
    prefix = models.CharField(_("前缀"), max_length=8, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("大屏展示链接")
        verbose_name_plural = _("大屏展示链接")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def get_absolute_url(self) -> str:
        return reverse("stations:display_links")

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())
