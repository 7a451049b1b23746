"""``cuntong kpi``: every registered KPI's value, target and status for a programme."""

import json

from django.core.management.base import BaseCommand, CommandError

from cuntong.programme.kpi import registry
from cuntong.programme.models import Programme


class Command(BaseCommand):
    help = "Print every registered KPI with its value, target and status."

    def add_arguments(self, parser):
        parser.add_argument("--programme", help="programme code (default: the first)")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, programme=None, format="text", **options):
        target = (
            Programme.objects.filter(code=programme).first() if programme else Programme.objects.order_by("pk").first()
        )
        if target is None:
            raise CommandError("no programme loaded; run `cuntong plan load` first")
        results = registry.evaluate(target)
        if format == "json":
            self.stdout.write(
                json.dumps(
                    {"programme": target.code, "kpis": [r.as_dict() for r in results]}, ensure_ascii=False, indent=2
                )
            )
            return
        for result in results:
            row = result.as_dict()
            target_text = f"{row['comparator']} {row['target']}" if row["target"] is not None else "-"
            self.stdout.write(
                f"{row['key']:<45} {row['value'] if row['value'] is not None else '-':>12} {row['unit']:<4} target {target_text:<10} {result.status_label}"
            )
