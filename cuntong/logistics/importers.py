"""XLSX/CSV imports of the postal administration's monthly volumes and of price samples: every bad row reported with
its number and reason, nothing written while any row is bad (``cuntong import express_volumes FILE``, or the import
page). Rows are written through the services, as on the pages."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from cuntong.core import importer as imp
from cuntong.core.importer import Column, RowInvalid, register_importer
from cuntong.geo.models import Area

from . import policies, rules, services
from .models import Carrier, ExpressVolume, PriceSample, Source, Zone


def _carrier(value: str) -> Carrier:
    key = value.strip()
    for carrier in Carrier.objects.all():
        if key.lower() in {carrier.code, carrier.name.lower(), carrier.short_name.lower()}:
            return carrier
    names = "、".join(c.short_name for c in Carrier.objects.all())
    raise RowInvalid(_("未知的快递公司“%(v)s”，可用：%(names)s") % {"v": value, "names": names})


class _ProgrammeImporter(imp.Importer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.programme is None:
            raise ValueError("logistics imports need a programme")


@register_importer("express_volumes")
class VolumeImporter(_ProgrammeImporter):
    title = _("快递业务量（邮政办月报）")
    model = ExpressVolume
    columns = (
        Column("month", ("月份", "month"), required=True, parse=imp.month),
        Column("township", ("乡镇代码", "township_code"), required=True, parse=imp.text),
        Column("carrier", ("快递公司代码", "快递公司", "carrier"), required=True, parse=_carrier),
        Column("inbound", ("下行", "下行（收件）", "inbound"), required=True, parse=imp.non_negative_integer),
        Column("outbound", ("上行", "上行（寄件）", "outbound"), required=True, parse=imp.non_negative_integer),
    )
    ignored_headers = ("乡镇", "township")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        county = self.programme.county.code
        self.townships = {a.code: a for a in Area.objects.current().filter(level="township", code__startswith=county)}
        self.allowed = policies.volume_areas(self.user)
        self.seen: dict[tuple, int] = {}

    def clean_row(self, values, row_number):
        township = self.townships.get(values["township"])
        if township is None:
            raise RowInvalid(_("本县没有乡镇代码 %(code)s") % {"code": values["township"]}, _("乡镇代码"))
        if not any(township.code.startswith(code) for code in self.allowed):
            raise RowInvalid(_("该乡镇不在您的填报范围内"), _("乡镇代码"))
        if values["month"] > rules.month_start(timezone.localdate()):
            raise RowInvalid(_("不能填报未来月份。"), _("月份"))
        key = (township.code, values["carrier"].pk, values["month"])
        if key in self.seen:
            raise RowInvalid(_("与第 %(row)d 行重复（同一乡镇、快递公司、月份）") % {"row": self.seen[key]})
        self.seen[key] = row_number
        return {**values, "township": township}

    def write(self, cleaned) -> int:
        for row in cleaned:
            services.save_volume(
                self.programme,
                row["township"],
                row["carrier"],
                row["month"],
                row["inbound"],
                row["outbound"],
                user=self.user,
                source=Source.IMPORT,
            )
        return len(cleaned)


@register_importer("express_prices")
class PriceImporter(_ProgrammeImporter):
    title = _("快递价格样本")
    model = PriceSample
    columns = (
        Column("on", ("日期", "date"), required=True, parse=imp.day),
        Column("carrier", ("快递公司代码", "快递公司", "carrier"), required=True, parse=_carrier),
        Column(
            "weight_kg", ("重量档（公斤以内）", "重量档", "weight_kg"), required=True, parse=imp.non_negative_decimal
        ),
        Column("zone", ("目的地区域", "zone"), required=True, parse=imp.choice(dict(Zone.choices))),
        Column("price", ("价格", "价格（元）", "price"), required=True, parse=imp.non_negative_decimal),
        Column("source", ("来源", "source"), parse=imp.text),
    )

    def clean_row(self, values, row_number):
        if not policies.may_enter_prices(self.user):
            raise RowInvalid(_("您没有该操作的权限。"))
        return values

    def write(self, cleaned) -> int:
        for row in cleaned:
            sample = PriceSample.objects.filter(
                programme=self.programme,
                carrier=row["carrier"],
                weight_kg=row["weight_kg"],
                zone=row["zone"],
                on=row["on"],
            ).first() or PriceSample(programme=self.programme)
            for key, value in row.items():
                setattr(sample, key, value)
            sample.source = row.get("source") or ""
            services.save_price(sample, user=self.user)
        return len(cleaned)
