from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "cuntong.logistics"
    label = "logistics"
    verbose_name = _("快递物流")

    def ready(self):
        from .carriers import after_migrate

        post_migrate.connect(after_migrate, sender=self, dispatch_uid="logistics.carriers")
