"""The programme plan: phases, projects (the rows of the plan's table), budget by source, sub-items, targets.

A programme is one county's demonstration programme; every business record belongs to one. The plan file is the
source: ``services.load_plan`` writes these models from it, and ``plan_source`` keeps the exact text loaded.
"""

import secrets

from django.db import models
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cuntong.core.models import BusinessModel
from cuntong.core.money import MoneyField
from cuntong.core.scoping import Scope


class FundSource(models.TextChoices):
    NATIONAL = "national", _("国家专项资金")
    LOCAL = "local", _("本级财政配套资金")


class Programme(BusinessModel):
    scope = Scope(programme="", shared=True)
    # What public pages may show (core/public.py): the programme as its published plan names it.
    public_fields = ("code", "name", "short_name", "batch_year", "start_date", "end_date")

    code = models.SlugField(_("代码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=64)
    county = models.ForeignKey(
        "geo.Area", verbose_name=_("示范县"), on_delete=models.PROTECT, related_name="programmes"
    )
    batch_year = models.PositiveSmallIntegerField(_("示范年度"))
    document_number = models.CharField(_("文号"), max_length=64, blank=True)
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    issuer = models.CharField(_("印发机关"), max_length=128, blank=True)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    summary = models.TextField(_("总体思路"), blank=True)
    # Rule parameters the modules read (station rules, activity scoring, fund rules); validated by the plan schema.
    rules = models.JSONField(_("规则参数"), default=dict, blank=True)
    plan_source = models.TextField(_("计划文件"), blank=True, editable=False)
    plan_sha256 = models.CharField(_("计划文件SHA-256"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("示范项目")
        verbose_name_plural = _("示范项目")
        ordering = ["-batch_year", "code"]

    def __str__(self) -> str:
        return self.short_name or self.name

    def get_absolute_url(self) -> str:
        return reverse("programme:overview", args=[self.code])

    def budget_by_source(self) -> dict[str, object]:
        rows = BudgetAllocation.objects.filter(project__programme=self).values("source").annotate(total=Sum("amount"))
        return {row["source"]: row["total"] for row in rows}

    def rule(self, section: str) -> dict:
        return self.rules.get(section, {})


class Phase(BusinessModel):
    scope = Scope(programme="programme", shared=True)

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="phases")
    code = models.SlugField(_("代码"), max_length=32)
    name = models.CharField(_("名称"), max_length=64)
    start_date = models.DateField(_("开始"))
    end_date = models.DateField(_("结束"))
    description = models.TextField(_("工作内容"), blank=True)

    class Meta:
        verbose_name = _("实施阶段")
        verbose_name_plural = _("实施阶段")
        ordering = ["programme", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="programme_phase_code_unique"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="programme_phase_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Project(BusinessModel):
    """One row of the plan's table: a project with its budget line split by fund source."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("未启动")
        IN_IMPLEMENTATION = "in_implementation", _("实施中")
        COMPLETED = "completed", _("已完成")
        ACCEPTED = "accepted", _("已验收")

    scope = Scope(programme="programme", shared=True)

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="projects")
    number = models.PositiveSmallIntegerField(_("序号"))
    category = models.CharField(_("类型"), max_length=64)
    name = models.CharField(_("项目名称"), max_length=128)
    content = models.TextField(_("建设内容"))
    expected_effect = models.TextField(_("预期效果"), blank=True)
    due_date = models.DateField(_("完成时间"))
    lead_unit = models.CharField(_("牵头单位"), max_length=128, blank=True)
    cooperating_units = models.TextField(_("配合单位"), blank=True)
    status = models.CharField(_("状态"), max_length=24, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        verbose_name = _("建设项目")
        verbose_name_plural = _("建设项目")
        ordering = ["programme", "number"]
        constraints = [models.UniqueConstraint(fields=["programme", "number"], name="programme_project_number_unique")]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("programme:project_detail", args=[self.pk])


class BudgetAllocation(BusinessModel):
    """A project's budget from one fund source: the budget line funds are checked against."""

    scope = Scope(programme="project__programme", shared=True)

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="allocations")
    source = models.CharField(_("资金来源"), max_length=16, choices=FundSource.choices)
    amount = MoneyField(_("金额（元）"))

    class Meta:
        verbose_name = _("预算")
        verbose_name_plural = _("预算")
        ordering = ["project", "source"]
        constraints = [
            models.UniqueConstraint(fields=["project", "source"], name="programme_allocation_source_unique"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="programme_allocation_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_source_display()}"


class SubItem(BusinessModel):
    """A named part of a project's budget (e.g. 58万 for town stations)."""

    scope = Scope(programme="project__programme", shared=True)

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sub_items")
    code = models.SlugField(_("代码"), max_length=48)
    name = models.CharField(_("名称"), max_length=128)
    amount = MoneyField(_("金额（元）"))
    source = models.CharField(
        _("资金来源"), max_length=16, choices=FundSource.choices, blank=True, help_text=_("计划未指明来源时留空")
    )
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("子项")
        verbose_name_plural = _("子项")
        ordering = ["project", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="programme_subitem_code_unique")]

    def __str__(self) -> str:
        return self.name


class Target(BusinessModel):
    """A quantitative target the plan sets for a registered KPI."""

    class Comparator(models.TextChoices):
        AT_LEAST = ">=", "≥"
        MORE_THAN = ">", ">"
        EQUAL = "==", "="
        AT_MOST = "<=", "≤"

    scope = Scope(programme="programme", shared=True)

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="targets")
    kpi = models.CharField(_("指标"), max_length=64)
    name = models.CharField(_("名称"), max_length=128)
    comparator = models.CharField(_("比较"), max_length=2, choices=Comparator.choices, default=Comparator.AT_LEAST)
    value = models.DecimalField(_("目标值"), max_digits=16, decimal_places=4)
    unit = models.CharField(_("单位"), max_length=16, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    source_text = models.TextField(_("计划原文"), blank=True)

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        ordering = ["programme", "kpi", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "kpi", "year"],
                condition=models.Q(year__isnull=False),
                name="programme_target_year_unique",
            ),
            models.UniqueConstraint(
                fields=["programme", "kpi"], condition=models.Q(year__isnull=True), name="programme_target_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.get_comparator_display()} {self.value.normalize():f}{self.unit}"


class DataVersion(models.Model):
    """How often a programme's data has changed (``core.freshness``): services bump it inside their transactions, and
    cached figures are keyed by it. Not a business record: no history, no scope, never shown."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, primary_key=True, related_name="+")
    version = models.PositiveBigIntegerField(default=0)
    # Random on every bump: a version number a rolled-back transaction used is reused by the next write, its salt is not.
    salt = models.CharField(max_length=16, default="")

    class Meta:
        verbose_name = _("数据版本")
        verbose_name_plural = _("数据版本")

    def __str__(self) -> str:
        return f"{self.programme_id}:{self.version}"

    @classmethod
    def bump(cls, programme_id: int) -> None:
        """``UPDATE … SET version = version + 1``: concurrent writers queue on the row until the first commits, so
        versions follow commits in order."""
        changed = {"version": models.F("version") + 1, "salt": secrets.token_hex(8)}
        if not DataVersion.objects.filter(programme_id=programme_id).update(**changed):
            DataVersion.objects.bulk_create([DataVersion(programme_id=programme_id)], ignore_conflicts=True)
            DataVersion.objects.filter(programme_id=programme_id).update(**changed)

    @classmethod
    def programmes_in(cls, county_codes: set[str]) -> list[int]:
        return sorted(Programme.objects.filter(county__code__in=county_codes).values_list("pk", flat=True))

    @classmethod
    def read(cls, programme_id: int) -> str:
        row = DataVersion.objects.filter(programme_id=programme_id).values_list("version", "salt").first()
        return f"{row[0]}.{row[1]}" if row else "0"
