"""Account administration: the transactions pages, API, import and commands all go through.

Every membership is written by :func:`grant` (or :func:`change_membership`), which applies the grant rules
(nobody changes their own roles; only the superuser grants the three administrator roles) on top of the
separation-of-duties guard the model and the database enforce for every write.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cuntong.audit.services import log_event

from . import policies, rules
from .models import Membership, Organisation, Role, User


def credit_code_holder(programme, code: str, *, exclude_pk=None) -> Organisation | None:
    """The organisation of ``programme`` already registered under this credit code, if any."""
    if not code:
        return None
    return Organisation.objects.filter(programme=programme, credit_code=code).exclude(pk=exclude_pk).first()


def _refuse(refusal: rules.Refusal | None, field: str | None = "role") -> None:
    if refusal is not None:
        raise ValidationError({field: refusal.message} if field else refusal.message, code=refusal.code)


def _stored(membership: Membership) -> Membership | None:
    if membership.pk is None:
        return None
    return Membership.objects.filter(pk=membership.pk).select_related("user", "role", "area").first()


def check_grant(by, membership: Membership) -> None:
    """The grant rules for ``by`` writing ``membership`` (None: the command line, the system itself) — for the
    membership as it will be and, when it changes one, as it was (nobody edits their own or a duty membership) —
    then the membership's own rules (scope level, 三员分立)."""
    previous = _stored(membership)
    if previous is not None and previous.user_id != membership.user_id:
        raise ValidationError({"user": _("任职的用户不能更改。")}, code="user_changed")
    for candidate in filter(None, (previous, membership)):
        _refuse(policies.grant_refusal(by, candidate))
    membership.clean()


def _membership_detail(membership: Membership) -> dict:
    return {
        "user": membership.user.username,
        "role": membership.role.code,
        "area": membership.area.code,
        "organisation": membership.organisation_id,
        "active": membership.is_active,
    }


@transaction.atomic
def save_membership(membership: Membership, *, by=None) -> Membership:
    """Create or change a membership after the grant rules; a permission-change security event records it."""
    previous = _stored(membership)
    check_grant(by, membership)
    membership.save()
    log_event(
        "permission_changed",
        user=by,
        obj=membership,
        change="granted" if previous is None else "membership_changed",
        before=_membership_detail(previous) if previous else None,
        after=_membership_detail(membership),
    )
    return membership


def grant(user: User, role: Role, area, *, organisation=None, by=None, note: str = "", valid_until=None):
    return save_membership(
        Membership(user=user, role=role, area=area, organisation=organisation, note=note, valid_until=valid_until),
        by=by,
    )


@transaction.atomic
def create_user(
    *,
    username: str,
    role: Role,
    area,
    display_name: str = "",
    phone: str = "",
    email: str = "",
    password: str | None = None,
    organisation=None,
    by=None,
) -> User:
    """A new account and its first membership, in one step: an account without a role would be in nobody's scope.

    Without ``password`` the account cannot log in until an administrator resets its password; either way it must
    choose its own password at first login.
    """
    user = User(username=username, display_name=display_name, phone=phone, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    user.must_change_password = True
    grant(user, role, area, organisation=organisation, by=by)
    return user


def check_account(by, user: User) -> None:
    """The account rules for ``by`` maintaining ``user`` (editing it, resetting its password)."""
    _refuse(policies.account_refusal(by, user), field=None)


@transaction.atomic
def reset_password(user: User, *, by) -> str:
    """A one-time temporary password (shown once to the administrator, never stored in clear)."""
    check_account(by, user)
    password = rules.temporary_password()
    user.set_password(password)
    user.save()
    # Saving a new password records it in the history and clears the flag; the holder must choose their own.
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    user.must_change_password = True
    log_event("password_reset", user=by, obj=user, target=user.username)
    return password


# --- roles ---------------------------------------------------------------------------------------------------

ROLE_SWITCHES = ("name", "description", "own_records_only", "requires_otp")


def permission_name(permission: Permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


@transaction.atomic
def save_role(role: Role | None, data: dict, *, by) -> Role:
    """Create a custom role or change one: its switches and its permission set, each change logged."""
    if role is None:
        role = Role.objects.create(code=data["code"], **{key: data[key] for key in ROLE_SWITCHES})
        log_event("permission_changed", user=by, obj=role, change="role_created")
    else:
        if role.is_builtin:
            raise ValidationError(_("内置角色的权限由系统定义，不能在界面修改。"), code="builtin")
        changed = {key: data[key] for key in ROLE_SWITCHES if getattr(role, key) != data[key]}
        if changed:
            before = {key: getattr(role, key) for key in changed}
            for key, value in changed.items():
                setattr(role, key, value)
            role.save()
            log_event("permission_changed", user=by, obj=role, change="role_settings", before=before, after=changed)
    set_role_permissions(role, data["permissions"], by=by)
    return role


@transaction.atomic
def set_role_permissions(role: Role, permissions, *, by) -> None:
    """Replace a custom role's permission set; reserved administrator permissions are refused, the change logged."""
    if role.is_builtin:
        raise ValidationError(_("内置角色的权限由系统定义，不能在界面修改。"), code="builtin")
    permissions = list(Permission.objects.filter(pk__in=[p.pk for p in permissions]).select_related("content_type"))
    names = {permission_name(p) for p in permissions}
    violations = rules.reserved_violations(role.duty, names)
    if violations:
        raise ValidationError(
            _("以下权限保留给三员角色，不能授予其他角色：%(names)s") % {"names": "、".join(sorted(violations))},
            code="reserved",
        )
    before = {permission_name(p) for p in role.permissions.select_related("content_type")}
    role.permissions.set(permissions)
    if before != names:
        log_event(
            "permission_changed",
            user=by,
            obj=role,
            change="role_permissions",
            added=sorted(names - before),
            removed=sorted(before - names),
        )


# --- lockouts (django-axes) -----------------------------------------------------------------------------------


def lockouts() -> dict[str, list[dict]]:
    """Accounts (per address) and addresses locked now: what the security administrator may unlock."""
    from .lockout import locked

    return locked()


@transaction.atomic
def unlock(*, username: str | None = None, address: str | None = None, by) -> int:
    """Clear failed attempts of one username or one address; logged as an unlock event."""
    from axes.utils import reset

    if not username and not address:
        raise ValidationError(_("请指定要解锁的用户名或IP地址。"))
    removed = reset(username=username) if username else reset(ip=address)
    log_event("unlock", user=by, target_username=username or "", target_address=address or "", attempts=removed)
    return removed
