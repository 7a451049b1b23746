from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "cuntong.people"
    label = "people"
    verbose_name = _("建档立卡人员")
