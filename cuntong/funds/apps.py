from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "cuntong.funds"
    label = "funds"
    verbose_name = _("资金管理")

    def ready(self):
        from . import signals

        signals.connect()
