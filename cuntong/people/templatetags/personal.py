"""``{% reveal_button object "id_number" %}``: a "show in full" control, rendered only for users who may reveal."""

from django import template
from django.urls import reverse

from cuntong.people import policies

register = template.Library()


@register.inclusion_tag("people/_reveal_button.html", takes_context=True)
def reveal_button(context, obj, field: str):
    request = context["request"]
    opts = obj._meta
    allowed = getattr(obj, field, None) and policies.may_reveal(request.user, obj)
    return {
        "allowed": bool(allowed),
        "url": reverse("people:reveal", args=[opts.app_label, opts.model_name, obj.pk, field]) if allowed else "",
        "target": f"reveal-{opts.model_name}-{obj.pk}-{field}",
    }
