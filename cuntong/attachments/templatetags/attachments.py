from django import template
from django.contrib.contenttypes.models import ContentType

from .. import policies
from ..models import Attachment
from ..services import attachments_of
from ..views import UploadForm

register = template.Library()


@register.inclusion_tag("attachments/_panel.html", takes_context=True)
def attachment_panel(context, owner):
    """Attachments of a record, and an upload form for those who may add them."""
    user = context["request"].user
    return {
        "owner": owner,
        "attachments": attachments_of(owner).restrict(user, "view"),
        "content_type_id": ContentType.objects.get_for_model(type(owner), for_concrete_model=False).pk,
        "can_upload": policies.may_attach(user, owner),
        "form": UploadForm(),
        "kinds": Attachment.Kind,
        "request": context["request"],
    }
