"""Logistics' notifications: the postal administration's monthly volume report falling due (催报), and the pickup
code texted to a parcel's recipient (a phone number, no user) when the parcel reaches its station."""

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

PICKUP_CODE = register(
    Kind(
        "logistics.pickup_code",
        _("取件码短信"),
        ("sms", "file", "console"),
        _("包裹收件人（手机号）"),
        order=31,
        listed=False,  # recipients are phone numbers, not users with preferences
    )
)
