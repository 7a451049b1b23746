"""The funds' notifications: a decision on a disbursement request reaches the person who submitted it."""

from django.utils.translation import gettext_lazy as _

from cuntong.notify.registry import Kind, register
from cuntong.notify.rules import INBOX

REQUEST_DECIDED = register(
    Kind("funds.request_decided", _("拨付申请审批结果"), (INBOX, "email", "console"), _("拨付申请的申请人"), order=20)
)
