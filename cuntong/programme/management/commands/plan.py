"""``cuntong plan load|check|show``: the programme plan file and what was loaded from it."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from cuntong.audit.context import acting_as
from cuntong.programme.models import Programme
from cuntong.programme.plan import PlanInvalid, read_plan
from cuntong.programme.services import load_plan, plan_figures


class Command(BaseCommand):
    help = "Load, check or show a programme plan."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        load = sub.add_parser("load", help="load (or reload) a plan file")
        load.add_argument("file", nargs="?", help="YAML plan (default: plans/puning-2019.yaml)")
        check = sub.add_parser("check", help="validate a plan file without loading it")
        check.add_argument("file")
        show = sub.add_parser("show", help="print a loaded programme's figures")
        show.add_argument("--programme", help="programme code (default: the first)")
        show.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, verb, **options):
        getattr(self, f"do_{verb}")(**options)

    def _read(self, path):
        from django.conf import settings

        try:
            return read_plan(path or settings.CUNTONG_DEFAULT_PLAN)
        except FileNotFoundError as exc:
            raise CommandError(f"no such plan file: {exc.filename}") from exc
        except PlanInvalid as exc:
            for error in exc.errors:
                self.stderr.write(f"  {error}")
            self.stderr.write(self.style.ERROR(f"plan invalid: {len(exc.errors)} problem(s); nothing loaded"))
            sys.exit(1)

    def do_load(self, file=None, **options):
        plan = self._read(file)
        with acting_as(None, via="command"):
            programme = load_plan(plan)
        self.stdout.write(self.style.SUCCESS(f"loaded {programme.code}: {programme.name}"))

    def do_check(self, file, **options):
        plan = self._read(file)
        self.stdout.write(
            self.style.SUCCESS(
                f"{plan.code}: valid, {len(plan.projects)} projects, total {plan.total() / 10000:f} 万元"
            )
        )

    def do_show(self, programme=None, format="text", **options):
        queryset = Programme.objects.select_related("county")
        target = queryset.filter(code=programme).first() if programme else queryset.order_by("pk").first()
        if target is None:
            raise CommandError(
                "no programme loaded; run `cuntong plan load` first" if not programme else f"no programme {programme}"
            )
        figures = plan_figures(target)
        if format == "json":
            self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{figures['name']} ({figures['code']}) {figures['document_number']}")
        self.stdout.write(f"{figures['period']['start']} — {figures['period']['end']}")
        budget = figures["budget_wan"]
        self.stdout.write(f"budget {budget['total']} 万元 = national {budget['national']} + local {budget['local']}")
        for project in figures["projects"]:
            b = project["budget_wan"]
            self.stdout.write(
                f"  {project['number']}. {project['name']}: {b['total']} (national {b['national']}, local {b['local']})"
            )
            for item in project["sub_items"]:
                self.stdout.write(f"       - {item['name']}: {item['amount_wan']}")
        for target_row in figures["targets"]:
            self.stdout.write(
                f"  target {target_row['kpi']}: {target_row['comparator']} {target_row['value']}{target_row['unit']}"
            )
