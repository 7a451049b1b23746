"""``cuntong stations check|plan|review``: the network rule check, the placement optimiser, dynamic management.

``check --all`` checks every programme's network in one run: each programme's violations, then a summary; the exit
status is the worst programme's (see ``programme.selection``)."""

import json
import sys

from django.core.management.base import BaseCommand

from cuntong.audit.context import acting_as
from cuntong.core.progress import progress_bar
from cuntong.jobs.services import run_inline
from cuntong.programme import selection

from ... import services


class Command(BaseCommand):
    help = "Service stations: `check` the whole network against the rules, `plan` new points, `review` activity."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser(
            "check", help="every rule violation in the network, apart from approved exceptions (exit 1 if any is open)"
        )
        check.add_argument("--format", choices=["text", "json"], default="text")
        selection.add_programme_options(check)
        plan = sub.add_parser("plan", help="fewest new village points reaching the coverage targets")
        plan.add_argument("--programme")
        plan.add_argument("--township", help="township code (default: the whole county)")
        plan.add_argument("--village-target", type=float, default=50)
        plan.add_argument("--poverty-target", type=float, default=100)
        plan.add_argument("--time-limit", type=float, default=60)
        plan.add_argument("--format", choices=["text", "json"], default="text")
        plan.add_argument("--no-progress", action="store_true")
        review = sub.add_parser(
            "review", help="score the last closed months, propose probation/elimination, refresh the benchmarks"
        )
        review.add_argument("--programme")

    def handle(self, action, programme=None, all_programmes=False, **options):
        with acting_as(None, via="command"):
            if all_programmes:  # only `check` offers --all
                return self.check_all(**options)
            getattr(self, f"do_{action}")(selection.one(programme), **options)

    def do_check(self, programme, format="text", **options):
        report = services.rule_report_for(programme, services.SYSTEM)
        if format == "json":
            self.stdout.write(json.dumps(self._check_data(programme, report), ensure_ascii=False, indent=2))
        else:
            self._check_text(programme, report)
        if not report.ok:
            sys.exit(1)

    @staticmethod
    def _check_data(programme, report) -> dict:
        return {
            "programme": programme.code,
            "checked": report.checked,
            "ok": report.ok,
            "open": report.open,
            "exceptions": report.exceptions,
        }

    @staticmethod
    def _check_summary(report) -> str:
        return f"{len(report.open)} open violations, {len(report.exceptions)} approved exceptions"

    def _check_text(self, programme, report):
        self.stdout.write(f"{programme.code}: {report.checked} stations checked")
        for violation in report.open:
            self.stdout.write(f"  [{violation['kind']}] {violation['message']}")
        for violation in report.exceptions:
            approved = violation["approved"]
            self.stdout.write(
                f"  [approved exception] {violation['message']} — {approved['reason']} "
                f"({approved['by']}, {approved['on']})"
            )
        summary = self._check_summary(report)
        self.stdout.write(self.style.SUCCESS(summary) if report.ok else self.style.ERROR(summary))

    def check_all(self, format="text", **options):
        as_json = format == "json"

        def run(programme) -> selection.Outcome:
            report = services.rule_report_for(programme, services.SYSTEM)
            if not as_json:
                self._check_text(programme, report)
            return selection.Outcome(
                programme,
                selection.OK if report.ok else selection.FOUND,
                f"{report.checked} stations checked, {self._check_summary(report)}",
                self._check_data(programme, report),
                counts={"checked": report.checked, "open": len(report.open), "exceptions": len(report.exceptions)},
            )

        outcomes = selection.run_each(self, selection.every(), run, headings=not as_json)
        selection.finish(
            self,
            outcomes,
            "stations check",
            as_json={"programmes": [o.data for o in outcomes if o.data is not None]} if as_json else None,
        )

    def do_plan(
        self,
        programme,
        township=None,
        village_target=50,
        poverty_target=100,
        time_limit=60,
        format="text",
        no_progress=False,
        **options,
    ):
        with progress_bar("plan", enabled=not no_progress and format == "text") as bar:
            result = run_inline(
                "stations.plan",
                bar,
                programme_id=programme.pk,
                township_code=township,
                village_target=village_target,
                poverty_target=poverty_target,
                time_limit=time_limit,
            )
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self._plan_text(result)
        if not result["targets_met"]:
            sys.exit(1)

    def _plan_text(self, result):
        self.stdout.write(
            f"{result['phase']} ({result['status']}): {result['new_points']} new points; villages in operation "
            f"{result['villages_covered_before']} + planned {result['villages_planned']} → "
            f"{result['villages_covered_after']} / {result['village_total']} (need {result['village_needed']}); "
            f"poverty villages {result['poverty_covered_before']} + planned {result['poverty_planned']} → "
            f"{result['poverty_covered_after']} / {result['poverty_total']}; gap {result['gap']}; "
            f"{result['solve_seconds']} s"
        )
        for site in result["sites"]:
            self.stdout.write(
                f"  + {site['village_code']} {site['village_name']} · {site['site']} ({site['lat']}, {site['lng']})"
            )
        for blocker in result["blockers"]:
            detail = "、".join(blocker["detail"])
            self.stdout.write(f"  ! {blocker['village']} {blocker['name']}: {blocker['reason']} {detail}".rstrip())

    def do_review(self, programme, **options):
        created = services.review_activity(programme, user=services.SYSTEM)
        for proposal in created:
            self.stdout.write(f"  {proposal.station.code} {proposal.station.name}: {proposal.get_kind_display()}")
        benchmarks = services.refresh_benchmarks(programme, user=services.SYSTEM)
        self.stdout.write(self.style.SUCCESS(f"{len(created)} new proposals; {benchmarks} benchmark stations"))
