"""The roster's columns (``core.tables``) and the fields of a person's page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cuntong.core.tables import Col, Table

from .models import Resident


class ResidentTable(Table):
    name = Col("name", _("姓名"), kind="link", order_by="name")
    id_number = Col("id_number", _("身份证号"), kind="personal")
    township = Col("village.parent.name", _("乡镇"))
    village = Col("village.name", _("村"), order_by="village__code")
    household_number = Col("household_number", _("户编号"), order_by="household_number")
    is_labour_capable = Col("is_labour_capable", _("有劳动能力"), kind="bool")
    is_migrant_worker = Col("is_migrant_worker", _("外出务工"), kind="bool")
    poverty_status = Col("poverty_status", _("贫困状态"))

    class Meta:
        model = Resident
        phone_hidden = ("township", "village", "household_number", "is_migrant_worker", "poverty_status")


RESIDENT_DETAIL = (
    Col("name", _("姓名")),
    Col("id_number", _("身份证号"), kind="personal"),
    Col("phone", _("联系电话"), kind="personal"),
    Col("village.parent", _("乡镇")),
    Col("village", _("村")),
    Col("village.is_provincial_poverty_village", _("省定贫困村"), kind="bool"),
    Col("household_number", _("户编号")),
    Col("relation_to_head", _("与户主关系")),
    Col("is_labour_capable", _("有劳动能力"), kind="bool"),
    Col("is_migrant_worker", _("外出务工"), kind="bool"),
    Col("poverty_status", _("贫困状态")),
    Col("lifted_year", _("脱贫年度")),
    Col("erased_at", _("个人信息删除时间"), kind="datetime"),
    Col("is_generated", _("演示生成数据"), kind="bool"),
)
