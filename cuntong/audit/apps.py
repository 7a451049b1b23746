from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "cuntong.audit"
    label = "audit"
    verbose_name = _("审计")

    def ready(self):
        from cuntong.core import appendonly

        from . import changelog
        from .models import ChangeRecord, SecurityEvent

        changelog.connect()
        for model in (ChangeRecord, SecurityEvent):
            appendonly.register(model._meta.db_table)
