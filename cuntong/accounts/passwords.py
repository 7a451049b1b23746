"""Password rules level-3 assessors check: 3 of 4 character classes, no reuse of the last five, 90-day change."""

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

CLASSES = (
    (re.compile(r"[a-z]"), "小写字母"),
    (re.compile(r"[A-Z]"), "大写字母"),
    (re.compile(r"\d"), "数字"),
    (re.compile(r"[^a-zA-Z\d]"), "特殊字符"),
)


def character_classes(password: str) -> int:
    return sum(1 for pattern, _name in CLASSES if pattern.search(password))


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、特殊字符中的至少%(n)d类。") % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("至少包含大写字母、小写字母、数字、特殊字符中的%(n)d类。") % {"n": self.min_classes}


class PasswordHistoryValidator:
    def __init__(self, remember: int = 5):
        self.remember = remember

    def validate(self, password, user=None):
        if user is None or not user.pk:
            return
        recent = list(user.password_history.values_list("password", flat=True)[: self.remember])
        if user.password:
            recent.append(user.password)
        if any(check_password(password, stored) for stored in recent):
            raise ValidationError(_("不能使用最近%(n)d次用过的密码。") % {"n": self.remember}, code="password_reused")

    def password_changed(self, password, user=None):
        """Django calls this after set_password+save: remember the new hash."""
        if user is None or not user.pk:
            return
        user.password_history.create(password=user.password)
        stale = user.password_history.values_list("pk", flat=True)[self.remember :]
        user.password_history.filter(pk__in=list(stale)).delete()
        type(user).objects.filter(pk=user.pk).update(password_changed_at=timezone.now(), must_change_password=False)

    def get_help_text(self):
        return _("不能与最近%(n)d次用过的密码相同。") % {"n": self.remember}


def password_expired(user) -> bool:
    """Must change now: flagged by an administrator, never set by the user, or older than the maximum age."""
    if user.must_change_password:
        return True
    if not settings.PASSWORD_MAX_AGE_DAYS:
        return False
    if user.password_changed_at is None:
        return True
    return timezone.now() - user.password_changed_at > timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)
