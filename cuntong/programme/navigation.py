from django.utils.translation import gettext_lazy as _

from cuntong.core.navigation import Menu, MenuItem, register

register(
    Menu(
        "programme",
        _("项目"),
        order=10,
        items=(
            MenuItem(_("项目总览"), "home", "programme.view_programme"),
            MenuItem(_("指标看板"), "programme:kpi_board", "programme.view_target"),
            MenuItem(_("载入计划文件"), "programme:plan_upload", "programme.change_programme"),
        ),
    )
)
