"""Writing and purging security events: one function every module calls (logins, exports, reveals, permission
changes), and the retention purge, the only way audit rows ever leave the database."""

import os
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from cuntong.core.personal import mask_text

from .changelog import describe
from .context import current_actor
from .models import ChangeRecord, SecurityEvent


def deployment_area_id() -> int | None:
    """The smallest area holding every programme of this deployment (its county, or the province of many).

    Events that name no known account (a failed login for an unknown name) are filed here, so the deployment's
    auditors see them.
    """
    # Areas through the relation audit's own events declare (audit sits below geo and programme).
    Area = SecurityEvent._meta.get_field("area").related_model
    codes = list(Area.objects.filter(programmes__isnull=False).values_list("code", flat=True).distinct())
    if not codes:
        return None
    prefix = os.path.commonprefix(codes)  # may end inside a level (445281 and 445222 share 4452, a city)
    candidates = [prefix[:length] for length in range(len(prefix), 1, -1)]
    areas = dict(Area.objects.current().filter(code__in=candidates).values_list("code", "pk"))
    return next((areas[code] for code in candidates if code in areas), None)


def _area_of(user, username: str) -> int | None:
    if user is None and username:
        user = get_user_model().objects.filter(username=username).first()
    area_id = user.primary_scope_area_id() if hasattr(user, "primary_scope_area_id") else None
    return area_id if area_id is not None else deployment_area_id()


def log_event(
    kind: str, *, user=None, username: str = "", obj=None, reason: str = "", address: str | None = None, **detail
) -> SecurityEvent:
    actor = current_actor()
    user = user if user is not None else actor.user
    user = user if getattr(user, "pk", None) else None
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=username or getattr(user, "username", "") or "",
        address=address or actor.address,
        area_id=_area_of(user, username),
        content_type=ContentType.objects.get_for_model(type(obj), for_concrete_model=False)
        if obj is not None
        else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=describe(obj) if obj is not None else "",
        reason=mask_text(reason),
        detail={key: mask_text(value) if isinstance(value, str) else value for key, value in detail.items()},
    )


class RetentionError(ValueError):
    pass


@transaction.atomic
def purge(days: int | None = None, *, dry_run: bool = False) -> dict[str, int]:
    """Remove audit rows older than ``days`` (never fewer than ``AUDIT_RETENTION_DAYS``); logs the purge itself."""
    retention = settings.AUDIT_RETENTION_DAYS
    days = retention if days is None else days
    if days < retention:
        raise RetentionError(f"audit records must be kept at least {retention} days (AUDIT_RETENTION_DAYS)")
    cutoff = timezone.now() - timedelta(days=days)
    old_changes = ChangeRecord.objects.filter(time__lt=cutoff)
    old_events = SecurityEvent.objects.filter(time__lt=cutoff)
    counts = {"change_records": old_changes.count(), "security_events": old_events.count()}
    if not dry_run:
        # QuerySet.delete bypasses AppendOnly.delete on purpose: this is the one sanctioned removal.
        old_changes.delete()
        old_events.delete()
        log_event("purge", days=days, cutoff=cutoff.isoformat(), **counts)
    return counts
