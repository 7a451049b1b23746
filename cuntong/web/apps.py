from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The web layer over the kernel: generic pages, the API base and its schema hooks, test helpers."""

    name = "cuntong.web"
    label = "web"
    verbose_name = _("网页与接口")
