"""The audit trail's list columns (``core.tables``) and the fields of its detail pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cuntong.core.tables import Col, Table

from .models import ChangeRecord, SecurityEvent


class SecurityEventTable(Table):
    time = Col("time", _("时间"), kind="datetime", order_by="time")
    kind = Col("kind", _("事件"), kind="link", order_by="kind")
    username = Col("username", _("用户名"), order_by="username")
    address = Col("address", _("IP地址"))
    object_repr = Col("object_repr", _("对象"))
    reason = Col("reason", _("事由"))

    class Meta:
        model = SecurityEvent
        phone_hidden = ("address", "object_repr", "reason")


SECURITY_EVENT_DETAIL = (
    Col("time", _("时间"), kind="datetime"),
    Col("kind", _("事件")),
    Col("username", _("用户名")),
    Col("address", _("IP地址")),
    Col("area", _("管辖范围")),
    Col("object_repr", _("对象")),
    Col("reason", _("事由")),
)


class ChangeRecordTable(Table):
    time = Col("time", _("时间"), kind="datetime", order_by="time")
    action = Col("action", _("操作"), kind="link")
    model_label = Col("model_label", _("对象类型"), needs=("content_type",))
    object_repr = Col("object_repr", _("对象"))
    user_name = Col("user_name", _("操作人"), order_by="user_name")
    via = Col("via", _("来源"))

    class Meta:
        model = ChangeRecord
        phone_hidden = ("model_label", "via")


CHANGE_RECORD_DETAIL = (
    Col("time", _("时间"), kind="datetime"),
    Col("action", _("操作")),
    Col("model_label", _("对象类型")),
    Col("object_repr", _("对象")),
    Col("user_name", _("操作人")),
    Col("address", _("IP地址")),
    Col("via", _("来源")),
    Col("request_id", _("请求编号")),
)
