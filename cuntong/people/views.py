from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cuntong.web.views import ObjectDetailView, ObjectEditView, ObjectListView

from . import policies, services
from .filters import ResidentFilter
from .forms import LookupForm, ResidentForm, RevealForm
from .models import Resident
from .tables import RESIDENT_DETAIL, ResidentTable


class ResidentListView(ObjectListView):
    table = ResidentTable
    filterset_class = ResidentFilter
    import_name = "residents"
    add_url_name = "people:resident_add"
    template_name = "people/resident_list.html"

    def get_queryset(self):
        return super().get_queryset().registered()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lookup_form"] = LookupForm()
        return context


class ResidentDetailView(ObjectDetailView):
    model = Resident
    template_name = "people/resident_detail.html"
    edit_url_name = "people:resident_edit"
    fields = RESIDENT_DETAIL

    def optimise(self, queryset):
        return queryset.select_related("village__parent", "programme")


class ResidentEditView(ObjectEditView):
    model = Resident
    form_class = ResidentForm


@require_POST
@login_required
def lookup(request):
    """POSTed ID number → the person's page (inside the user's scope), so the number never sits in a URL."""
    if not policies.may_look_up(request.user):
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
    if not policies.may_reveal(request.user, obj):
        raise PermissionDenied(_("您没有查看完整个人信息的权限。"))
    form = RevealForm(request.POST or None)
    context = {"object": obj, "field": field, "label": model._meta.get_field(field).verbose_name, "form": form}
    if request.method == "POST" and form.is_valid():
        context["value"] = services.reveal(request.user, obj, field, form.cleaned_data["reason"])
    template = "people/_reveal.html" if getattr(request, "htmx", False) else "people/reveal.html"
    return render(request, template, context)
