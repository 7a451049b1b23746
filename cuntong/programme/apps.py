from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "cuntong.programme"
    label = "programme"
    verbose_name = _("示范项目")

    def ready(self):
        from cuntong.core import freshness

        from .models import DataVersion

        freshness.use_store(freshness.Store(DataVersion.bump, DataVersion.read, DataVersion.programmes_in))
