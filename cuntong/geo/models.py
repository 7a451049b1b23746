"""Administrative areas: province → city → county → township-level unit → village-level unit.

Codes are NBS statistical division codes (统计用区划代码): 2/4/6/9/12 digits, each extending its parent's, so
"inside" is a prefix match. Villages merge and get renamed; ``valid_from``/``valid_to`` keep their history, and a code
is unique only among areas valid at the same time.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cuntong.core.scoping import RestrictedQuerySet, Scope

from . import rules


class Level(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("地级市")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡级")
    VILLAGE = "village", _("村级")


class Kind(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县/县级市/区")
    SUBDISTRICT = "subdistrict", _("街道")
    TOWN = "town", _("镇")
    XIANG = "xiang", _("乡")
    FARM = "farm", _("农场")
    PARK = "park", _("园区")
    SPECIAL = "special", _("特殊区域")
    VILLAGE_COMMITTEE = "village", _("村委会")
    RESIDENTS_COMMITTEE = "community", _("居委会")


class AreaQuerySet(RestrictedQuerySet):
    def current(self, on=None):
        day = on or timezone.localdate()
        return self.filter(Q(valid_from__lte=day) | Q(valid_from__isnull=True)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day)
        )

    def within(self, area):
        return self.filter(code__startswith=area.code)

    def search(self, text: str):
        """Chinese name, full pinyin or initials: 流沙, liusha, lsd all find 流沙东街道."""
        text = (text or "").strip()
        if not text:
            return self
        key = rules.pinyin_key(text)
        return self.filter(
            Q(name__contains=text)
            | Q(code__startswith=text)
            | Q(pinyin__contains=key)
            | Q(pinyin_initials__startswith=key)
        )


class Area(models.Model):
    scope = Scope(programme=None, area="")

    code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    population = models.PositiveIntegerField(_("常住人口"), null=True, blank=True)
    poor_labour_count = models.PositiveIntegerField(_("有劳动能力建档立卡贫困人口"), null=True, blank=True)
    is_provincial_poverty_village = models.BooleanField(_("省定贫困村"), default=False)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_to = models.DateField(_("失效日期"), null=True, blank=True, help_text=_("撤并或更名后填写；历史记录仍保留。"))
    successor = models.ForeignKey(
        "self",
        verbose_name=_("撤并后归入"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
    )
    pinyin = models.CharField(_("拼音"), max_length=255, blank=True, editable=False)
    pinyin_initials = models.CharField(_("拼音首字母"), max_length=64, blank=True, editable=False)
    is_generated = models.BooleanField(
        _("演示生成数据"), default=False, help_text=_("演示数据生成的村，并非真实区划。")
    )

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_to__isnull=True), name="geo_area_current_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gt=models.F("valid_from")),
                name="geo_area_validity_ordered",
            ),
        ]
        indexes = [models.Index(fields=["level", "code"]), models.Index(fields=["pinyin_initials"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.pinyin, self.pinyin_initials = rules.pinyin_of(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("geo:area_detail", args=[self.pk])

    @property
    def nbs_code(self) -> str:
        """The 12-digit statistical form (township 445281102 → 445281102000)."""
        return self.code.ljust(12, "0")

    @property
    def township_code(self) -> str | None:
        return self.code[:9] if len(self.code) >= 9 else None

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return (self.valid_from is None or self.valid_from <= today) and (
            self.valid_to is None or self.valid_to > today
        )
