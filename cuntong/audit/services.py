"""Writing security events: one function every module calls (logins, exports, reveals, permission changes)."""

from django.contrib.contenttypes.models import ContentType

from cuntong.core.personal import mask_text

from .context import current_actor
from .models import SecurityEvent


def log_event(
    kind: str, *, user=None, username: str = "", obj=None, reason: str = "", address: str | None = None, **detail
) -> SecurityEvent:
    actor = current_actor()
    user = user if user is not None else actor.user
    area_id = None
    if user is not None and hasattr(user, "primary_scope_area_id"):
        area_id = user.primary_scope_area_id()
    return SecurityEvent.objects.create(
        kind=kind,
        user=user if getattr(user, "pk", None) else None,
        username=username or getattr(user, "username", "") or "",
        address=address or actor.address,
        area_id=area_id,
        content_type=ContentType.objects.get_for_model(type(obj), for_concrete_model=False)
        if obj is not None
        else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=mask_text(str(obj))[:200] if obj is not None else "",
        reason=mask_text(reason),
        detail={key: mask_text(value) if isinstance(value, str) else value for key, value in detail.items()},
    )
