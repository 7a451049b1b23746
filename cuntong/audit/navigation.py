from django.utils.translation import gettext_lazy as _

from cuntong.core.navigation import Menu, MenuItem, register

register(
    Menu(
        "audit",
        _("审计"),
        order=95,
        items=(
            MenuItem(_("安全事件"), "audit:event_list", "audit.view_securityevent"),
            MenuItem(_("变更记录"), "audit:change_list", "audit.view_changerecord"),
        ),
    )
)
