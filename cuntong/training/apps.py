from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "cuntong.training"
    label = "training"
    verbose_name = _("电子商务培训")
