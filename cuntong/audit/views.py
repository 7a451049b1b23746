from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from .changelog import history_of


@login_required
def object_history(request, app_label, model_name, pk):
    """Every change of one record, for those who may read change history and see the record."""
    if not request.user.has_perm("audit.view_changerecord"):
        raise PermissionDenied
    content_type = get_object_or_404(ContentType, app_label=app_label, model=model_name)
    model = content_type.model_class()
    if model is None or getattr(model, "scope", None) is None:
        raise Http404
    obj = get_object_or_404(model.objects.restrict(request.user, "view"), pk=pk)
    return render(request, "core/object_history.html", {"object": obj, "history": history_of(obj), "opts": model._meta})
