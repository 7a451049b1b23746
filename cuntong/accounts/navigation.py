from django.utils.translation import gettext_lazy as _

from cuntong.core.navigation import Menu, MenuItem, register

register(
    Menu(
        "accounts",
        _("机构与账号"),
        order=90,
        items=(
            MenuItem(_("机构"), "accounts:organisation_list", "accounts.view_organisation"),
            MenuItem(_("用户"), "accounts:user_list", "accounts.view_user"),
            MenuItem(_("任职"), "accounts:membership_list", "accounts.view_membership"),
            MenuItem(_("角色与权限"), "accounts:role_list", "accounts.view_role"),
            MenuItem(_("登录锁定"), "accounts:lockouts", "accounts.unlock_user"),
        ),
    )
)
