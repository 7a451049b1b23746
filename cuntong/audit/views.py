"""Reading the audit trail: the security event log and the change history, per object and per user.

Read-only by construction: there are no edit or delete views, the API is read-only, and the models refuse updates
and deletes. The audit administrator holds only view permissions. Both logs are scoped like everything else.
"""

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from cuntong.web.views import ObjectDetailView, ObjectListView

from .filters import ChangeRecordFilter, SecurityEventFilter
from .models import ChangeRecord, SecurityEvent
from .tables import CHANGE_RECORD_DETAIL, SECURITY_EVENT_DETAIL, ChangeRecordTable, SecurityEventTable


class SecurityEventListView(ObjectListView):
    table = SecurityEventTable
    filterset_class = SecurityEventFilter


class AuditDetailView(ObjectDetailView):
    """Audit rows have no history or attachments of their own."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = None
        return context


class SecurityEventDetailView(AuditDetailView):
    model = SecurityEvent
    template_name = "audit/event_detail.html"
    fields = SECURITY_EVENT_DETAIL


class ChangeRecordListView(ObjectListView):
    table = ChangeRecordTable
    filterset_class = ChangeRecordFilter


class ChangeRecordDetailView(AuditDetailView):
    model = ChangeRecord
    template_name = "audit/change_detail.html"
    fields = CHANGE_RECORD_DETAIL

    def optimise(self, queryset):
        return queryset.select_related("content_type")


@login_required
def object_history(request, app_label, model_name, pk):
    """Every recorded change of one record (even a deleted one), as far as the reader's scope reaches."""
    if not request.user.has_perm("audit.view_changerecord"):
        raise PermissionDenied
    content_type = get_object_or_404(ContentType, app_label=app_label, model=model_name)
    model = content_type.model_class()
    if model is None or getattr(model, "scope", None) is None:
        raise Http404
    history = ChangeRecord.objects.restrict(request.user, "view").filter(content_type=content_type, object_id=pk)
    obj = model.objects.restrict(request.user, "view").filter(pk=pk).first()
    if obj is None and not history.exists():
        raise Http404
    context = {"object": obj, "object_repr": history.first().object_repr if obj is None else str(obj)}
    context.update(history=history.select_related("user"), opts=model._meta)
    return render(request, "audit/object_history.html", context)
