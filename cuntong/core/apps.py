from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

# Modules each app may provide; importing them registers what they declare.
REGISTRY_MODULES = (
    "navigation",
    "kpis",
    "importers",
    "jobs_handlers",
    "demo",
    "panels",
    "todos",
    "portal",
    "claims",
    "notifications",
    "wall",
)


class CoreConfig(AppConfig):
    name = "cuntong.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self):
        autodiscover_modules(*REGISTRY_MODULES)
