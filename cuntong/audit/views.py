"""Reading the audit trail: the security event log and the change history, per object and per user.

Read-only by construction: there are no edit or delete views, the API is read-only, and the models refuse updates
and deletes. The audit administrator holds only view permissions. Both logs are scoped like everything else.
"""

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from cuntong.web.views import Col, ObjectDetailView, ObjectListView

from .filters import ChangeRecordFilter, SecurityEventFilter
from .models import ChangeRecord, SecurityEvent


class SecurityEventListView(ObjectListView):
    model = SecurityEvent
    columns = (
        Col("time", _("时间"), kind="datetime", order_by="time"),
        Col("kind", _("事件"), kind="link", order_by="kind"),
        Col("username", _("用户名"), order_by="username"),
        Col("address", _("IP地址"), phone_hidden=True),
        Col("object_repr", _("对象"), phone_hidden=True),
        Col("reason", _("事由"), phone_hidden=True),
    )
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
    fields = (
        Col("time", _("时间"), kind="datetime"),
        Col("kind", _("事件")),
        Col("username", _("用户名")),
        Col("address", _("IP地址")),
        Col("area", _("管辖范围")),
        Col("object_repr", _("对象")),
        Col("reason", _("事由")),
    )


class ChangeRecordListView(ObjectListView):
    model = ChangeRecord
    columns = (
        Col("time", _("时间"), kind="datetime", order_by="time"),
        Col("action", _("操作"), kind="link"),
        Col("model_label", _("对象类型"), phone_hidden=True),
        Col("object_repr", _("对象")),
        Col("user_name", _("操作人"), order_by="user_name"),
        Col("via", _("来源"), phone_hidden=True),
    )
    filterset_class = ChangeRecordFilter

    def optimise(self, queryset):
        return queryset.select_related("content_type")


class ChangeRecordDetailView(AuditDetailView):
    model = ChangeRecord
    template_name = "audit/change_detail.html"
    fields = (
        Col("time", _("时间"), kind="datetime"),
        Col("action", _("操作")),
        Col("model_label", _("对象类型")),
        Col("object_repr", _("对象")),
        Col("user_name", _("操作人")),
        Col("address", _("IP地址")),
        Col("via", _("来源")),
        Col("request_id", _("请求编号")),
    )

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
