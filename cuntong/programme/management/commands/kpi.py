"""``cuntong kpi``: every registered KPI's value, target and status for a programme, or for every programme
(``--all``: each programme's KPIs, then a summary; see ``programme.selection``).

The command acts for the whole programme unless told whose figures to print: ``--user NAME`` (the figures that
user sees on the board) or ``--area CODE`` (repeatable: the figures of those townships or villages)."""

import json
from collections import Counter

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cuntong.programme import selection
from cuntong.programme.kpi import AreaScope, Status, registry


class Command(BaseCommand):
    help = "Print every registered KPI with its value, target and status."

    def add_arguments(self, parser):
        selection.add_programme_options(parser)
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument("--user", help="compute over the areas this user may see")
        parser.add_argument("--area", action="append", help="compute over this area (NBS code); repeatable")

    def handle(self, programme=None, format="text", user=None, area=None, all_programmes=False, **options):
        viewer = None
        if user:
            viewer = get_user_model().objects.filter(username=user).first()
            if viewer is None:
                raise CommandError(f"no user {user}")
        areas = tuple(area) if area else None
        if all_programmes:
            if areas:
                raise CommandError("--area names areas of one county: use it with --programme, not --all")
            return self.handle_all(viewer, format)
        target = selection.one(programme)
        if areas and not all(code.startswith(target.county.code) for code in areas):
            raise CommandError(f"every --area must lie in {target.county.name} ({target.county.code})")
        results = registry.evaluate(AreaScope(target, viewer, areas))
        if format == "json":
            self.stdout.write(
                json.dumps(
                    {"programme": target.code, "kpis": [r.as_dict() for r in results]}, ensure_ascii=False, indent=2
                )
            )
            return
        self.write_rows(results)

    def write_rows(self, results):
        for result in results:
            row = result.as_dict()
            target_text = f"{row['comparator']} {row['target']}" if row["target"] is not None else "-"
            self.stdout.write(
                f"{row['key']:<45} {row['display']:>12} {row['unit']:<4} target {target_text:<10} {result.status_label}"
                + (f"  {row['scope']}" if row["scope"] else "")
            )

    def handle_all(self, viewer, format: str):
        as_json = format == "json"

        def run(programme) -> selection.Outcome:
            results = registry.evaluate(AreaScope(programme, viewer, None))
            if not as_json:
                self.write_rows(results)
            counts = Counter(result.status for result in results)
            text = f"{len(results)} KPIs: " + ", ".join(
                f"{counts[status]} {str(Status.LABELS[status])}" for status in Status.LABELS if counts[status]
            )
            data = {"programme": programme.code, "kpis": [r.as_dict() for r in results]}
            return selection.Outcome(programme, selection.OK, text, data, counts=dict(counts))

        outcomes = selection.run_each(self, selection.every(), run, headings=not as_json)
        selection.finish(
            self,
            outcomes,
            "kpi",
            as_json={"programmes": [o.data for o in outcomes if o.data is not None]} if as_json else None,
        )
