from django.utils.translation import gettext_lazy as _

from cuntong.core.navigation import Menu, MenuItem, register

# The inbox and its settings are reached from the bell in the top bar; the menu holds what the office checks.
register(
    Menu(
        "notify",
        _("消息"),
        order=93,
        items=(MenuItem(_("消息发送记录"), "notify:deliveries", "notify.audit_delivery"),),
    )
)
