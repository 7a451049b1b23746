from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cuntong.web.views import Col, ObjectDetailView, ObjectEditView, ObjectListView

from . import services
from .filters import ResidentFilter
from .forms import LookupForm, ResidentForm, RevealForm
from .models import Resident

RESIDENT_COLUMNS = (
    Col("name", _lazy("姓名"), kind="link", order_by="name"),
    Col("id_number", _lazy("身份证号"), kind="personal"),
    Col("village.parent.name", _lazy("乡镇"), phone_hidden=True),
    Col("village.name", _lazy("村"), order_by="village__code", phone_hidden=True),
    Col("household_number", _lazy("户编号"), phone_hidden=True, order_by="household_number"),
    Col("is_labour_capable", _lazy("有劳动能力"), kind="bool"),
    Col("is_migrant_worker", _lazy("外出务工"), kind="bool", phone_hidden=True),
    Col("poverty_status", _lazy("贫困状态"), phone_hidden=True),
)


class ResidentListView(ObjectListView):
    model = Resident
    columns = RESIDENT_COLUMNS
    filterset_class = ResidentFilter
    import_name = "residents"
    add_url_name = "people:resident_add"
    template_name = "people/resident_list.html"

    def get_queryset(self):
        return super().get_queryset().registered()

    def optimise(self, queryset):
        return queryset.select_related("village__parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lookup_form"] = LookupForm()
        return context


class ResidentDetailView(ObjectDetailView):
    model = Resident
    template_name = "people/resident_detail.html"
    edit_url_name = "people:resident_edit"
    fields = (
        Col("name", _lazy("姓名")),
        Col("id_number", _lazy("身份证号"), kind="personal"),
        Col("phone", _lazy("联系电话"), kind="personal"),
        Col("village.parent", _lazy("乡镇")),
        Col("village", _lazy("村")),
        Col("village.is_provincial_poverty_village", _lazy("省定贫困村"), kind="bool"),
        Col("household_number", _lazy("户编号")),
        Col("relation_to_head", _lazy("与户主关系")),
        Col("is_labour_capable", _lazy("有劳动能力"), kind="bool"),
        Col("is_migrant_worker", _lazy("外出务工"), kind="bool"),
        Col("poverty_status", _lazy("贫困状态")),
        Col("lifted_year", _lazy("脱贫年度")),
        Col("erased_at", _lazy("个人信息删除时间"), kind="datetime"),
        Col("is_generated", _lazy("演示生成数据"), kind="bool"),
    )

    def optimise(self, queryset):
        return queryset.select_related("village__parent", "programme")


class ResidentEditView(ObjectEditView):
    model = Resident
    form_class = ResidentForm


@require_POST
@login_required
def lookup(request):
    """POSTed ID number → the person's page (inside the user's scope), so the number never sits in a URL."""
    if not request.user.has_perm("people.view_resident"):
        raise PermissionDenied
    form = LookupForm(request.POST)
    found = None
    if form.is_valid():
        found = (
            Resident.objects.restrict(request.user, "view")
            .in_programme(request.programme)
            .with_id_number(form.cleaned_data["id_number"])
            .first()
        )
    if found is None:
        messages.warning(request, _("您的管辖范围内没有该身份证号的人员。"))
        return redirect("people:resident_list")
    return redirect(found)


@never_cache
@login_required
def reveal(request, app_label, model_name, pk, field):
    """Show one personal value in clear: permission, scope and a reason first; the reveal is logged."""
    content_type = get_object_or_404(ContentType, app_label=app_label, model=model_name)
    model = content_type.model_class()
    if model is None or getattr(model, "scope", None) is None or field not in services.personal_field_names(model):
        raise Http404
    obj = get_object_or_404(model.objects.restrict(request.user, "view"), pk=pk)
    if not services.can_reveal(request.user, obj):
        raise PermissionDenied(_("您没有查看完整个人信息的权限。"))
    form = RevealForm(request.POST or None)
    context = {"object": obj, "field": field, "label": model._meta.get_field(field).verbose_name, "form": form}
    if request.method == "POST" and form.is_valid():
        context["value"] = services.reveal(request.user, obj, field, form.cleaned_data["reason"])
    template = "people/_reveal.html" if getattr(request, "htmx", False) else "people/reveal.html"
    return render(request, template, context)
