"""The area list's columns (``core.tables``) and the fields of an area's page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cuntong.core.tables import Col, Table

from .models import Area


class AreaTable(Table):
    code = Col("code", _("区划代码"), order_by="code")
    name = Col("name", _("名称"), kind="link", order_by="name")
    kind = Col("kind", _("类型"))
    parent = Col("parent.name", _("上级"))
    population = Col("population", _("常住人口"), kind="number", order_by="population")
    poor_labour_count = Col("poor_labour_count", _("有劳动能力贫困人口"), kind="number")
    is_provincial_poverty_village = Col("is_provincial_poverty_village", _("省定贫困村"), kind="bool")
    is_generated = Col("is_generated", _("演示生成"), kind="bool")

    class Meta:
        model = Area
        phone_hidden = ("parent", "poor_labour_count", "is_generated")


AREA_DETAIL = (
    Col("code", _("区划代码")),
    Col("nbs_code", _("12位统计代码")),
    Col("level", _("层级")),
    Col("kind", _("类型")),
    Col("parent", _("上级")),
    Col("population", _("常住人口"), kind="number"),
    Col("poor_labour_count", _("有劳动能力建档立卡贫困人口"), kind="number"),
    Col("is_provincial_poverty_village", _("省定贫困村"), kind="bool"),
    Col("latitude", _("纬度")),
    Col("longitude", _("经度")),
    Col("valid_from", _("生效日期"), kind="date"),
    Col("valid_to", _("失效日期"), kind="date"),
    Col("successor", _("撤并后归入")),
    Col("is_generated", _("演示生成数据"), kind="bool"),
)
