from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "cuntong.accounts"
    label = "accounts"
    verbose_name = _("机构与账号")

    def ready(self):
        from . import roles, schema, signals  # noqa: F401 - login/logout handlers, OpenAPI token scheme

        post_migrate.connect(roles.sync_after_migrate, dispatch_uid="cuntong_sync_roles")
