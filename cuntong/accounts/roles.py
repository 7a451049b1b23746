"""The built-in roles of DESIGN §1 as permission sets, kept in step with the database after every migrate.

Patterns name permissions as ``app_label.codename`` with shell wildcards. A bare ``*`` app never reaches the
privileged apps (accounts, audit, people, framework internals): those must be named, so "read everything" for an
evaluator does not quietly include the user list, the audit trail or the registered-poor roster. Each app may add to a role in its own
``permissions.py`` (``ROLE_PERMISSIONS = {"station_operator": [...]}``), so modules stay out of this file.
"""

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from importlib import import_module

from django.apps import apps
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _

PRIVILEGED_APPS = {
    "accounts",
    "audit",
    "people",
    "admin",
    "auth",
    "contenttypes",
    "sessions",
    "axes",
    "otp_totp",
    "otp_static",
    "django_tasks_db",
}
BUSINESS_READ = "*.view_*"


@dataclass(frozen=True)
class RoleSpec:
    code: str
    name: str
    description: str
    permissions: tuple[str, ...] = ()
    own_records_only: bool = False
    duty: str = ""
    requires_otp: bool = False
    # Demo and seed data use this scope level when they create a member of the role.
    scope_level: str = "county"
    extra: tuple[str, ...] = field(default=())


BUILTIN_ROLES: tuple[RoleSpec, ...] = (
    RoleSpec(
        "office",
        _("项目办（市工信局/电商办）"),
        _("总体规划、站点、项目、承办单位、督查、报告：全部业务"),
        (
            "*.*",
            "audit.view_changerecord",
            "accounts.view_organisation",
            "accounts.add_organisation",
            "accounts.change_organisation",
            "accounts.reveal_organisation",
            "accounts.view_user",
        ),
    ),
    RoleSpec(
        "finance",
        _("财政局"),
        _("审核、批准、拨付专项资金；查看全部资金记录"),
        (BUSINESS_READ, "audit.view_changerecord", "accounts.view_organisation"),
        requires_otp=True,
    ),
    RoleSpec(
        "poverty_office",
        _("扶贫办"),
        _("建档立卡数据、贫困村标记、贫困人口培训覆盖"),
        (BUSINESS_READ, "geo.change_area"),
    ),
    RoleSpec("training_bureau", _("人社局/团市委/科协"), _("培训机构、培训统计"), (BUSINESS_READ,)),
    RoleSpec("postal", _("邮政办"), _("全市快递业务量统计"), (BUSINESS_READ,)),
    RoleSpec("market_regulation", _("市场监管局"), _("快递价格监测、网店登记"), (BUSINESS_READ,)),
    RoleSpec("agriculture", _("农业农村局/水果蔬菜中心"), _("产业结构、特色产品"), (BUSINESS_READ,)),
    RoleSpec("bank", _("农商行"), _("站点金融服务"), ("geo.view_area", "programme.view_*")),
    RoleSpec(
        "township",
        _("乡镇街道"),
        _("本辖区的站点、村、报表"),
        ("geo.view_area", "programme.view_*", "accounts.view_organisation"),
        scope_level="township",
    ),
    RoleSpec(
        "station_operator",
        _("站长"),
        _("本站的月报、直播、打卡"),
        ("geo.view_area", "programme.view_*"),
        own_records_only=True,
        scope_level="township",
    ),
    RoleSpec(
        "contractor", _("承办单位"), _("本单位合同的交付物和拨付申请"), ("programme.view_*",), own_records_only=True
    ),
    RoleSpec(
        "training_provider",
        _("培训机构"),
        _("本机构的培训班、名册、考勤"),
        ("programme.view_*",),
        own_records_only=True,
    ),
    RoleSpec(
        "evaluator",
        _("第三方评估"),
        _("只读查看全部业务记录、资金台账、证据导出"),
        (BUSINESS_READ, "audit.view_changerecord"),
    ),
    RoleSpec(
        "sysadmin",
        _("系统管理员"),
        _("用户、机构、任职的维护；不能查看审计日志，不能修改权限设置"),
        (
            "accounts.view_user",
            "accounts.add_user",
            "accounts.change_user",
            "accounts.reveal_user",
            "accounts.*_organisation",
            "!accounts.reveal_organisation",
            "accounts.*_membership",
            "accounts.view_role",
            "geo.view_area",
            "jobs.view_job",
        ),
        duty="system",
        requires_otp=True,
    ),
    RoleSpec(
        "secadmin",
        _("安全管理员"),
        _("角色权限、账号锁定与解锁、安全策略；不能维护用户资料，不能查看审计日志"),
        (
            "accounts.view_role",
            "accounts.add_role",
            "accounts.change_role",
            "accounts.unlock_user",
            "accounts.view_user",
            "accounts.view_membership",
            "accounts.view_organisation",
            "geo.view_area",
        ),
        duty="security",
        requires_otp=True,
    ),
    RoleSpec(
        "auditadmin",
        _("审计管理员"),
        _("查看安全事件与变更记录；不能修改任何数据"),
        (
            "audit.view_changerecord",
            "audit.view_securityevent",
            "accounts.view_user",
            "accounts.view_membership",
            "accounts.view_role",
            "accounts.view_organisation",
            "geo.view_area",
        ),
        duty="audit",
        requires_otp=True,
    ),
)

SPECS = {spec.code: spec for spec in BUILTIN_ROLES}


def _contributed_patterns() -> dict[str, list[str]]:
    patterns: dict[str, list[str]] = {}
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.permissions")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.permissions":
                raise
            continue
        for role, names in getattr(module, "ROLE_PERMISSIONS", {}).items():
            patterns.setdefault(role, []).extend(names)
    return patterns


def expand(patterns, permissions: list[tuple[int, str, str]]) -> set[int]:
    """Permission ids matching any pattern, minus those matching a ``!pattern``; ``*`` apps skip privileged ones."""

    def matching(pattern: str) -> set[int]:
        app_pattern, _dot, code_pattern = pattern.partition(".")
        return {
            pk
            for pk, app_label, codename in permissions
            if (app_label not in PRIVILEGED_APPS or app_pattern == app_label)
            and fnmatchcase(app_label, app_pattern)
            and fnmatchcase(codename, code_pattern)
        }

    chosen: set[int] = set()
    for pattern in patterns:
        if not pattern.startswith("!"):
            chosen |= matching(pattern)
    for pattern in patterns:
        if pattern.startswith("!"):
            chosen -= matching(pattern[1:])
    return chosen


@transaction.atomic
def sync() -> None:
    from .models import Role

    permissions = list(Permission.objects.values_list("pk", "content_type__app_label", "codename"))
    contributed = _contributed_patterns()
    for spec in BUILTIN_ROLES:
        role, _created = Role.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": str(spec.name),
                "description": str(spec.description),
                "own_records_only": spec.own_records_only,
                "duty": spec.duty,
                "requires_otp": spec.requires_otp,
                "is_builtin": True,
            },
        )
        role.permissions.set(expand([*spec.permissions, *contributed.get(spec.code, [])], permissions))


def sync_after_migrate(sender, **kwargs) -> None:
    """Run once per migrate, after the last app has created its permissions."""
    if sender.label == list(apps.get_app_configs())[-1].label:
        sync()
