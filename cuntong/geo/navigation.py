from django.utils.translation import gettext_lazy as _

from cuntong.core.navigation import Menu, MenuItem, register

register(Menu("geo", _("区划"), order=80, items=(MenuItem(_("行政区划"), "geo:area_list", "geo.view_area"),)))
