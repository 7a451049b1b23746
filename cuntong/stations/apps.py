from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "cuntong.stations"
    label = "stations"
    verbose_name = _("服务站点")

    def ready(self):
        from django.apps import apps

        if apps.is_installed("cuntong.funds"):
            from . import subsidies  # noqa: F401 - registers the stations as the funds app's subsidy source
