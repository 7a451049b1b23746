"""The delivery log's columns (``core.tables``): who, what, when, over which channel, with what outcome."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cuntong.core.tables import Col, Table

from .models import Delivery


class DeliveryTable(Table):
    created_at = Col("created_at", _("时间"), kind="datetime", order_by="created_at")
    recipient = Col("recipient", _("接收人"))
    kind = Col("notification.kind_label", _("类型"))
    subject = Col("notification.subject", _("标题"))
    channel = Col("channel_label", _("渠道"), order_by="channel")
    address = Col("address", _("地址"))
    status = Col("status", _("结果"), kind="badge", order_by="status")
    attempts = Col("attempts", _("尝试次数"), kind="number")
    sent_at = Col("sent_at", _("发送时间"), kind="datetime")
    error = Col("error", _("错误"))

    class Meta:
        model = Delivery
        phone_hidden = ("kind", "address", "attempts", "sent_at", "error")
