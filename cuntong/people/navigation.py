from django.utils.translation import gettext_lazy as _

from cuntong.core.navigation import Menu, MenuItem, register

register(
    Menu(
        "people",
        _("扶贫"),
        order=60,
        items=(MenuItem(_("建档立卡人员"), "people:resident_list", "people.view_resident"),),
    )
)
