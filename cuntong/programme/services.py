"""Loading a plan into the database and reading a programme back out as the plan's figures."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch

from cuntong.core import freshness
from cuntong.core.money import yuan_to_wan
from cuntong.geo.models import Area

from .models import BudgetAllocation, Phase, Programme, Project, SubItem, Target
from .plan import SOURCES, Plan, PlanError, PlanInvalid, parse_date, read_plan


def _county(plan: Plan) -> Area:
    spec = plan.data["programme"]["county"]
    county = Area.objects.current().filter(code=spec["code"]).first()
    if county is None:
        county = Area.objects.create(code=spec["code"], name=spec["name"], level="county", kind="county")
    return county


@transaction.atomic
def load_plan(plan: Plan) -> Programme:
    """Create or update the programme a plan describes; idempotent, so a corrected plan can be loaded again."""
    head = plan.data["programme"]
    programme, _created = Programme.objects.update_or_create(
        code=head["code"],
        defaults={
            "name": head["name"],
            "short_name": head["short_name"],
            "county": _county(plan),
            "batch_year": head["batch_year"],
            "document_number": head.get("document_number", ""),
            "issuer": head.get("issuer", ""),
            "issued_on": parse_date(head["issued_on"]) if head.get("issued_on") else None,
            "start_date": parse_date(head["start_date"]),
            "end_date": parse_date(head["end_date"]),
            "summary": " ".join(head.get("summary", "").split()),
            "rules": plan.data.get("rules", {}),
            "plan_source": plan.text,
            "plan_sha256": plan.sha256,
        },
    )
    _load_phases(programme, plan)
    _load_projects(programme, plan)
    _load_targets(programme, plan)
    _load_organisations(programme, plan)
    freshness.bump(programme)
    return programme


def _load_phases(programme: Programme, plan: Plan) -> None:
    codes = []
    for phase in plan.data["phases"]:
        Phase.objects.update_or_create(
            programme=programme,
            code=phase["code"],
            defaults={
                "name": phase["name"],
                "start_date": parse_date(phase["start"]),
                "end_date": parse_date(phase["end"]),
                "description": " ".join(phase.get("description", "").split()),
            },
        )
        codes.append(phase["code"])
    for stale in programme.phases.exclude(code__in=codes):
        stale.delete()


def _load_projects(programme: Programme, plan: Plan) -> None:
    for spec in plan.projects:
        project, created = Project.objects.get_or_create(
            programme=programme,
            number=spec.number,
            defaults={"due_date": spec.due, "content": spec.content, "category": spec.category, "name": spec.name},
        )
        for attr, value in (
            ("category", spec.category),
            ("name", spec.name),
            ("content", spec.content),
            ("due_date", spec.due),
            ("expected_effect", spec.expected_effect),
            ("lead_unit", spec.lead_unit),
            ("cooperating_units", spec.cooperating_units),
        ):
            setattr(project, attr, value)
        if created:
            project.status = spec.status
        project.save()
        for source in SOURCES:
            BudgetAllocation.objects.update_or_create(
                project=project, source=source, defaults={"amount": spec.budget[source]}
            )
        for item in spec.sub_items:
            SubItem.objects.update_or_create(
                project=project,
                code=item.code,
                defaults={
                    "name": item.name,
                    "amount": item.amount,
                    "source": item.source,
                    "description": item.description,
                },
            )
        stale = project.sub_items.exclude(code__in=[i.code for i in spec.sub_items])
        for sub_item in stale:
            sub_item.delete()
    stale_projects = programme.projects.exclude(number__in=[p.number for p in plan.projects])
    for project in stale_projects:
        project.delete()


def _load_targets(programme: Programme, plan: Plan) -> None:
    kept = []
    for spec in plan.data["targets"]:
        target, _created = Target.objects.update_or_create(
            programme=programme,
            kpi=spec["kpi"],
            year=spec.get("year"),
            defaults={
                "name": spec["name"],
                "comparator": spec["comparator"],
                "value": Decimal(str(spec["value"])),
                "unit": spec.get("unit", ""),
                "source_text": spec.get("source", ""),
            },
        )
        kept.append(target.pk)
    for stale in programme.targets.exclude(pk__in=kept):
        stale.delete()


def _load_organisations(programme: Programme, plan: Plan) -> None:
    from cuntong.accounts.models import Organisation

    for unit in plan.data.get("member_units", []):
        Organisation.objects.update_or_create(
            programme=programme,
            name=unit["name"],
            defaults={"kind": Organisation.Kind.MEMBER_UNIT, "area": programme.county, "duties": unit["duties"]},
        )
    duties = plan.data.get("township_duties", "")
    for township in Area.objects.current().filter(parent=programme.county, level="township"):
        Organisation.objects.update_or_create(
            programme=programme,
            name=township_government_name(township),
            defaults={"kind": Organisation.Kind.TOWNSHIP_GOVERNMENT, "area": township, "duties": duties},
        )


GOVERNMENT_SUFFIX = {"town": "人民政府", "xiang": "人民政府", "subdistrict": "办事处"}


def township_government_name(township: Area) -> str:
    """洪阳镇人民政府, 流沙东街道办事处, 大池农场管理委员会."""
    return f"{township.name}{GOVERNMENT_SUFFIX.get(township.kind, '管理委员会')}"


def load_plan_file(path: str | Path | None = None) -> Programme:
    return load_plan(read_plan(path or settings.CUNTONG_DEFAULT_PLAN))


def _wan(amount: Decimal) -> Decimal:
    return yuan_to_wan(amount).normalize()


def plan_figures(programme: Programme) -> dict:
    """The programme as the plan's figures, in 万元 and yuan: what ``cuntong plan show`` prints."""
    projects = programme.projects.prefetch_related(
        Prefetch("allocations", queryset=BudgetAllocation.objects.order_by("source")),
        Prefetch("sub_items", queryset=SubItem.objects.order_by("pk")),
    )
    totals = {source: Decimal(0) for source in SOURCES}
    project_rows = []
    for project in projects:
        budget = {a.source: a.amount for a in project.allocations.all()}
        for source in SOURCES:
            totals[source] += budget.get(source, Decimal(0))
        total = sum(budget.values(), Decimal(0))
        project_rows.append(
            {
                "number": project.number,
                "category": project.category,
                "name": project.name,
                "status": project.status,
                "due": project.due_date.isoformat(),
                "budget_wan": {
                    "total": f"{_wan(total):f}",
                    **{s: f"{_wan(budget.get(s, Decimal(0))):f}" for s in SOURCES},
                },
                "budget_yuan": {"total": f"{total:.2f}", **{s: f"{budget.get(s, Decimal(0)):.2f}" for s in SOURCES}},
                "sub_items": [
                    {
                        "code": s.code,
                        "name": s.name,
                        "amount_wan": f"{_wan(s.amount):f}",
                        "amount_yuan": f"{s.amount:.2f}",
                        "source": s.source,
                    }
                    for s in project.sub_items.all()
                ],
                "lead_unit": project.lead_unit,
            }
        )
    total = totals["national"] + totals["local"]
    return {
        "code": programme.code,
        "name": programme.name,
        "county": {"code": programme.county.code, "name": programme.county.name},
        "document_number": programme.document_number,
        "period": {"start": programme.start_date.isoformat(), "end": programme.end_date.isoformat()},
        "phases": [
            {"code": p.code, "name": p.name, "start": p.start_date.isoformat(), "end": p.end_date.isoformat()}
            for p in programme.phases.all()
        ],
        "budget_wan": {"total": f"{_wan(total):f}", **{s: f"{_wan(totals[s]):f}" for s in SOURCES}},
        "budget_yuan": {"total": f"{total:.2f}", **{s: f"{totals[s]:.2f}" for s in SOURCES}},
        "projects": project_rows,
        "targets": [
            {
                "kpi": t.kpi,
                "name": t.name,
                "comparator": t.comparator,
                "value": f"{t.value.normalize():f}",
                "unit": t.unit,
                "year": t.year,
            }
            for t in programme.targets.all()
        ],
        "rules": programme.rules,
        "plan_sha256": programme.plan_sha256,
    }


__all__ = ["PlanError", "PlanInvalid", "load_plan", "load_plan_file", "plan_figures"]
