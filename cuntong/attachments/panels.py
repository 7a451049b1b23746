"""The attachments card on every scoped record's detail page: its files and, for those who may add, an upload form."""

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from cuntong.core.panels import ANY_MODEL, panel

from . import policies
from .models import Attachment
from .services import attachments_of
from .views import UploadForm


def _may_see_or_add(call) -> bool:
    user = call.user
    return user.has_perm("attachments.view_attachment") or user.has_perm("attachments.add_attachment")


@panel(
    ANY_MODEL,
    "attachments",
    title=_("附件与证据"),
    template="attachments/_panel.html",
    order=900,
    visible=_may_see_or_add,
)
def attachments_panel(call):
    owner, user = call.object, call.user
    return {
        "owner": owner,
        "attachments": attachments_of(owner).restrict(user, "view"),
        "content_type_id": ContentType.objects.get_for_model(type(owner), for_concrete_model=False).pk,
        "can_upload": policies.may_attach(user, owner),
        "form": UploadForm(),
        "kinds": Attachment.Kind,
    }
