"""Logistics' notifications: the postal administration's monthly volume report falling due (催报)."""

from django.utils.translation import gettext_lazy as _

from cuntong.notify.registry import Kind, register
from cuntong.notify.rules import INBOX

VOLUME_DUE = register(
    Kind(
        "logistics.volume_due",
        _("快递业务量报送提醒"),
        (INBOX, "email", "sms", "console"),
        _("邮政办（全市快递业务量统计）"),
        order=30,
    )
)
