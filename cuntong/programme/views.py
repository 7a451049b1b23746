"""The programme overview (home page), project pages, KPI board and drill-downs."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cuntong.core import freshness
from cuntong.core.forms import ScopedModelForm, StyledForm
from cuntong.core.money import yuan_to_wan
from cuntong.core.navigation import landing_for
from cuntong.core.public import public_view
from cuntong.core.scoping import is_permitted
from cuntong.core.todo import todos_for
from cuntong.web.redirects import next_url
from cuntong.web.views import ObjectEditView

from .kpi import AreaScope, registry
from .middleware import SESSION_KEY, visible_programmes
from .models import BudgetAllocation, FundSource, Programme, Project, SubItem
from .plan import PlanError, PlanInvalid, parse_plan
from .portal import portal_content
from .services import load_plan


def _programme_or_404(request, code=None) -> Programme:
    if code:
        return get_object_or_404(visible_programmes(request.user), code=code)
    if not request.programme:
        raise Http404(_("您的账号尚未分配到任何示范项目。"))
    return request.programme


def budget_table(programme: Programme) -> dict:
    """Projects with their budget by source and sub-items, plus totals and chart data (万元), as plain data (cached
    with the overview)."""
    projects = list(
        programme.projects.prefetch_related(
            Prefetch("allocations", queryset=BudgetAllocation.objects.order_by("source")),
            Prefetch("sub_items", queryset=SubItem.objects.order_by("pk")),
        )
    )
    totals = {source: Decimal(0) for source in FundSource.values}
    rows = []
    for project in projects:
        by_source = {a.source: a.amount for a in project.allocations.all()}
        for source in FundSource.values:
            totals[source] += by_source.get(source, Decimal(0))
        rows.append(
            {
                "project": {"pk": project.pk, "number": project.number, "name": project.name},
                "status": str(project.get_status_display()),
                "sub_items": [{"name": item.name, "amount": item.amount} for item in project.sub_items.all()],
                "national": by_source.get("national", Decimal(0)),
                "local": by_source.get("local", Decimal(0)),
                "total": sum(by_source.values(), Decimal(0)),
            }
        )
    chart = {
        "categories": [f"{r['project']['number']}. {r['project']['name']}" for r in rows],
        "series": [
            {"name": str(FundSource.NATIONAL.label), "data": [float(yuan_to_wan(r["national"])) for r in rows]},
            {"name": str(FundSource.LOCAL.label), "data": [float(yuan_to_wan(r["local"])) for r in rows]},
        ],
        "unit": _("万元"),
    }
    return {
        "rows": rows,
        "national": totals["national"],
        "local": totals["local"],
        "total": totals["national"] + totals["local"],
        "chart": chart,
    }


OVERVIEW = freshness.payload("programme.overview", "the home page's budget, phases and KPIs, rendered, per scope")
TODOS = freshness.payload("programme.todos", "one user's to-dos on the home page")
BOARD = freshness.payload("programme.kpi_board", "the KPI board's cards, rendered, per scope")


def _overview_figures(request, programme: Programme, scope: AreaScope, today) -> dict:
    phases = list(programme.phases.all())
    current = [p for p in phases if p.start_date <= today <= p.end_date]
    context = {
        "budget": budget_table(programme),
        "phases": phases,
        "current_phases": current,
        "kpis": registry.results(scope),
    }
    return {
        "current_phases": [p.name for p in current],
        "html": render_to_string("programme/_overview_figures.html", context, request),
    }


@public_view(reason="the programme's public portal: the sections apps register (core.public.register_portal_section)")
def portal(request, code):
    programme = get_object_or_404(Programme.objects.select_related("county"), code=code)
    return TemplateResponse(request, "programme/portal.html", portal_content(programme))


@login_required
def overview(request, code=None):
    if code is None and (landing := landing_for(request.user)):
        return redirect(landing)
    programme = _programme_or_404(request, code)
    if not request.user.has_perm("programme.view_programme"):
        raise PermissionDenied
    today = timezone.localdate()
    user = request.user
    # Fresh and rarely computed (core.freshness): the figures are the scope's, rendered once for everyone sharing
    # it; the to-dos are the user's own (a policy may decide by the person, not only by their grants).
    scope = AreaScope(programme, user)
    with freshness.reading(programme):
        figures = freshness.cached(
            programme, scope.cache_key, OVERVIEW, lambda: _overview_figures(request, programme, scope, today)
        )
        todos = freshness.cached(
            programme,
            freshness.scope_key(user, extra=("user", user.pk)),
            TODOS,
            lambda: todos_for(user, programme, today=today),
        )
    context = {
        "programme": programme,
        "figures": {"current_phases": figures["current_phases"], "html": mark_safe(figures["html"])},
        "today": today,
        "todos": todos,
    }
    return render(request, "programme/overview.html", context)


@login_required
def project_detail(request, pk):
    project = get_object_or_404(Project.objects.restrict(request.user, "view").select_related("programme"), pk=pk)
    allocations = project.allocations.all()
    return render(
        request,
        "programme/project_detail.html",
        {"project": project, "allocations": allocations, "sub_items": project.sub_items.all()},
    )


@login_required
def kpi_board(request, code=None):
    programme = _programme_or_404(request, code)
    scope = AreaScope(programme, request.user)
    board = freshness.cached(
        programme,
        scope.cache_key,
        BOARD,
        lambda: render_to_string("programme/_kpi_board.html", {"kpis": registry.results(scope)}, request),
    )
    return render(request, "programme/kpi_board.html", {"programme": programme, "board": mark_safe(board)})


DRILLDOWN_LIMIT = 500


@login_required
def kpi_detail(request, key, code=None):
    programme = _programme_or_404(request, code)
    if registry.get(key) is None and not programme.targets.filter(kpi=key).exists():
        raise Http404
    scope = AreaScope(programme, request.user)
    results = registry.evaluate(scope, [key])
    definition = registry.get(key)
    records = registry.drilldown(scope, key)
    return render(
        request,
        "programme/kpi_detail.html",
        {
            "programme": programme,
            "results": results,
            "definition": definition,
            "records": records[:DRILLDOWN_LIMIT] if records is not None else None,
            "record_count": records.count() if records is not None else None,
        },
    )


@login_required
def plan_file(request, code):
    programme = _programme_or_404(request, code)
    response = HttpResponse(programme.plan_source, content_type="text/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{programme.code}.yaml"'
    return response


@require_POST
@login_required
def switch_programme(request):
    programme = get_object_or_404(visible_programmes(request.user), code=request.POST.get("programme", ""))
    request.session[SESSION_KEY] = programme.pk
    return redirect(next_url(request, "/"))


class ProjectStatusForm(ScopedModelForm):
    class Meta:
        model = Project
        fields = ["status"]


class ProjectStatusView(ObjectEditView):
    """The office records a project's progress; funds rules read it (local matching funds need 实施中)."""

    model = Project
    form_class = ProjectStatusForm

    def save(self, form):
        project = super().save(form)
        freshness.bump(project.programme_id)  # the home page shows each project's status
        return project

    def get_success_url(self):
        return reverse("programme:project_detail", args=[self.object.pk])


class PlanUploadForm(StyledForm):
    file = forms.FileField(label=gettext_lazy("计划文件（YAML）"))
    check_only = forms.BooleanField(label=gettext_lazy("只检查，不载入"), required=False)


@login_required
def plan_upload(request):
    """Load a new or corrected plan file: every problem is listed with its place in the file; nothing changes unless valid."""
    if not request.user.has_perm("programme.change_programme"):
        raise PermissionDenied
    form = PlanUploadForm(request.POST or None, request.FILES or None)
    context = {"form": form, "errors": None, "plan": None}
    if request.method == "POST" and form.is_valid():
        try:
            plan = parse_plan(form.cleaned_data["file"].read().decode("utf-8-sig"))
        except UnicodeDecodeError:
            context["errors"] = [PlanError("", _("文件不是 UTF-8 编码的文本"))]
        except PlanInvalid as exc:
            context["errors"] = exc.errors
        else:
            context["plan"] = plan
            if not form.cleaned_data["check_only"]:
                with transaction.atomic():
                    programme = load_plan(plan)
                    if not is_permitted(request.user, "change", programme):
                        transaction.set_rollback(True)
                        raise PermissionDenied(_("计划所属的示范县不在您的管辖范围内。"))
                messages.success(request, _("已载入计划：%(name)s") % {"name": programme.name})
                request.session[SESSION_KEY] = programme.pk
                return redirect("home")
    return render(request, "programme/plan_upload.html", context)
