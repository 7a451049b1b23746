"""Pure rules of who may hold what: separation of the three administrators (三员分立), reserved permissions,
credit codes and temporary passwords. Plain values in, plain results out; no ORM.

A *duty* is one of the three administrator functions of a level-3 system: ``system`` (accounts and organisations),
``security`` (roles, permissions, unlocking) and ``audit`` (reading the audit trail). An account that holds a duty
role holds nothing else: not a second duty, and not a business role either, so an auditor never edits data and a
system administrator never reads the audit trail through some other role.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, ValidationError

SYSTEM, SECURITY, AUDIT = "system", "security", "audit"
# A membership's area: a province's counties, one county (or a city's), or one township; never a single village.
SCOPE_LEVELS = ("province", "city", "county", "township")
DUTIES = (SYSTEM, SECURITY, AUDIT)

# Permissions only a role of that duty may contain; a business role (duty "") may contain none of them.
RESERVED_PERMISSIONS: dict[str, frozenset[str]] = {
    SYSTEM: frozenset(
        {
            "accounts.add_user",
            "accounts.change_user",
            "accounts.delete_user",
            "accounts.add_membership",
            "accounts.change_membership",
            "accounts.delete_membership",
            "accounts.reveal_user",
        }
    ),
    SECURITY: frozenset({"accounts.add_role", "accounts.change_role", "accounts.delete_role", "accounts.unlock_user"}),
    AUDIT: frozenset({"audit.view_securityevent"}),
}


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str  # lazily translated


def duty_conflict(held: Iterable[str], new: str) -> Refusal | None:
    """Whether a membership of duty ``new`` may join memberships of duties ``held`` ("" is a business role)."""
    duties = set(held) | {new}
    administrator = {d for d in duties if d}
    if len(administrator) > 1:
        return Refusal("two_duties", _("系统管理员、安全管理员、审计管理员三者不能由同一账号兼任。"))
    if administrator and len(duties) > 1:
        return Refusal("duty_with_business", _("管理员账号专用：持有三员角色的账号不能再担任业务角色。"))
    return None


def grant_refusal(*, grantor_id: int | None, grantor_is_superuser: bool, user_id: int, duty: str) -> Refusal | None:
    """Who may grant: nobody changes their own roles; only the deployment's superuser (or the command line) grants
    the three administrator roles, so no administrator can create an accomplice holding another duty."""
    if grantor_id is None or grantor_is_superuser:
        return None
    if grantor_id == user_id:
        return Refusal("self_grant", _("不能修改自己的角色或管辖范围。"))
    if duty:
        return Refusal("duty_grant", _("三员角色只能由平台超级管理员授予。"))
    return None


def account_refusal(
    *, actor_id: int | None, actor_is_superuser: bool, target_id: int, target_duties: Iterable[str]
) -> Refusal | None:
    """Who may maintain an account (edit, deactivate, reset its password): not one's own through the administration
    pages, and an administrator's account only through the superuser — else a system administrator could take over
    the security or audit administrator's account by resetting its password."""
    if actor_id is None or actor_is_superuser:
        return None
    if actor_id == target_id:
        return Refusal("self_account", _("不能在账号管理中维护自己的账号，请使用“修改密码”。"))
    if any(target_duties):
        return Refusal("duty_account", _("三员账号只能由平台超级管理员维护。"))
    return None


def reserved_violations(duty: str, permission_names: Iterable[str]) -> set[str]:
    """Permissions a role of ``duty`` must not contain: those reserved for the other duties (or for any duty)."""
    allowed = RESERVED_PERMISSIONS.get(duty, frozenset())
    reserved = frozenset().union(*RESERVED_PERMISSIONS.values())
    return {name for name in permission_names if name in reserved and name not in allowed}


def credit_code_error(code: str):
    """统一社会信用代码 (GB 32100-2015): 18 characters with a check character; None when valid."""
    try:
        uscc.validate(code)
    except InvalidChecksum:
        return _("统一社会信用代码校验位不正确（GB 32100）。")
    except ValidationError:
        return _("统一社会信用代码应为18位数字或大写字母（不含 I、O、Z、S、V）。")
    return None


def temporary_password(length: int = 14) -> str:
    """A random password meeting the rules (all four character classes), for an administrator's reset."""
    alphabet = string.ascii_letters + string.digits + "#%+=@"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
            and any(not c.isalnum() for c in candidate)
        ):
            return candidate
