from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "cuntong.programme"
    label = "programme"
    verbose_name = _("示范项目")
