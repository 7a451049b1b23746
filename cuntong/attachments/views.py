from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cuntong.web.redirects import next_url

from . import rules, services
from .models import Attachment


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("文件"))
    kind = forms.ChoiceField(label=gettext_lazy("类别"), choices=Attachment.Kind.choices)
    description = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)


@require_POST
@login_required
def upload(request, content_type_id, object_id):
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    model = content_type.model_class()
    if model is None or getattr(model, "scope", None) is None:
        raise Http404
    owner = get_object_or_404(model.objects.restrict(request.user, "view"), pk=object_id)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            services.attach(
                owner,
                form.cleaned_data["file"],
                user=request.user,
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
            )
            messages.success(request, _("附件已上传。"))
        except rules.UploadRefused as exc:
            messages.error(request, str(exc))
        except PermissionDenied:
            messages.error(request, _("您没有为该记录上传附件的权限。"))
    return redirect(next_url(request, owner.get_absolute_url()))


# On every attachment response: a file is never sniffed into another type, and if a browser shows it, it is shown
# as a sandboxed document of its own origin that may run nothing and load nothing.
INERT_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'",
    "Cross-Origin-Resource-Policy": "same-site",
}


@login_required
def download(request, pk, thumbnail=False):
    """The file as the kind verified at upload: images and PDFs shown, everything else downloaded; thumbnails
    exist only for verified images."""
    attachment = get_object_or_404(Attachment.objects.restrict(request.user, "view"), pk=pk)
    kind = attachment.file_kind
    if thumbnail:
        if not (kind.is_image and attachment.thumbnail):
            raise Http404
        response = FileResponse(attachment.thumbnail.open("rb"), content_type="image/jpeg")
    else:
        response = FileResponse(
            attachment.file.open("rb"),
            content_type=kind.mime_type,
            as_attachment=not kind.inline,
            filename=attachment.download_name,
        )
    for header, value in INERT_HEADERS.items():
        response[header] = value
    return response
