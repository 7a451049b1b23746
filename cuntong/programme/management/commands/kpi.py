"""``cuntong kpi``: every registered KPI's value, target and status for a programme.

The command acts for the whole programme unless told whose figures to print: ``--user NAME`` (the figures that
user sees on the board) or ``--area CODE`` (repeatable: the figures of those townships or villages)."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cuntong.programme.kpi import AreaScope, registry
from cuntong.programme.models import Programme


class Command(BaseCommand):
    help = "Print every registered KPI with its value, target and status."

    def add_arguments(self, parser):
        parser.add_argument("--programme", help="programme code (default: the first)")
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument("--user", help="compute over the areas this user may see")
        parser.add_argument("--area", action="append", help="compute over this area (NBS code); repeatable")

    def handle(self, programme=None, format="text", user=None, area=None, **options):
        target = (
            Programme.objects.filter(code=programme).first() if programme else Programme.objects.order_by("pk").first()
        )
        if target is None:
            raise CommandError("no programme loaded; run `cuntong plan load` first")
        viewer = None
        if user:
            viewer = get_user_model().objects.filter(username=user).first()
            if viewer is None:
                raise CommandError(f"no user {user}")
        areas = tuple(area) if area else None
        if areas and not all(code.startswith(target.county.code) for code in areas):
            raise CommandError(f"every --area must lie in {target.county.name} ({target.county.code})")
        scope = AreaScope(target, viewer, areas)
        results = registry.evaluate(scope)
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
                f"{row['key']:<45} {row['display']:>12} {row['unit']:<4} target {target_text:<10} {result.status_label}"
                + (f"  {row['scope']}" if row["scope"] else "")
            )
