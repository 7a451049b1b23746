"""Which programmes a command acts on: one (``--programme CODE``, or its default) or the whole province (``--all``).

Every command that can run province-wide (``cuntong kpi``, ``cuntong stations check``, ``cuntong ledger verify``)
picks its programmes here and runs them through :func:`run_each`, so ``--all`` means the same everywhere: every
programme in code order, in one process; each programme's own result under a heading; a summary line per programme
and a total; the exit status the worst programme would have given on its own, naming the programmes that gave it. A
programme that fails does not stop the others.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.management.base import CommandError

from .models import Programme

logger = logging.getLogger(__name__)

OK, FOUND, FAILED = 0, 1, 2  # fine; the check found problems; the command could not finish for this programme


def add_programme_options(parser, *, default: str = "the first programme") -> None:
    """``--programme CODE`` or ``--all`` (not both)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--programme", help=f"programme code (default: {default})")
    group.add_argument(
        "--all",
        action="store_true",
        dest="all_programmes",
        help="every programme in one run: each one's result, then a summary; exits with the worst status",
    )


def one(code: str | None) -> Programme:
    """The programme ``--programme`` names, else the first loaded; refused when there is none."""
    if code:
        programme = Programme.objects.filter(code=code).first()
        if programme is None:
            raise CommandError(f"no programme {code}")
        return programme
    programme = Programme.objects.order_by("pk").first()
    if programme is None:
        raise CommandError("no programme loaded; run `cuntong plan load` first")
    return programme


def every() -> list[Programme]:
    """Every programme, in code order; refused when there is none."""
    programmes = list(Programme.objects.select_related("county").order_by("code"))
    if not programmes:
        raise CommandError("no programme loaded; run `cuntong plan load` first")
    return programmes


@dataclass
class Outcome:
    """One programme's result: the exit status it alone would give, a one-line summary, and (for ``--format json``)
    its data."""

    programme: Programme
    status: int = OK
    summary: str = ""
    data: object = None
    counts: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == OK


def run_each(
    command, programmes: Iterable[Programme], run: Callable[[Programme], Outcome], *, headings: bool = True
) -> list[Outcome]:
    """``run`` for each programme in turn (under a heading on the command's output when ``headings``). A programme
    whose run raises is recorded as FAILED with the error (a ``CommandError`` keeps its return code), and the next one
    runs."""
    outcomes = []
    for programme in programmes:
        if headings:
            command.stdout.write(command.style.MIGRATE_HEADING(f"== {programme.code} {programme.name}"))
        try:
            outcome = run(programme)
        except CommandError as exc:
            outcome = Outcome(programme, max(exc.returncode, FOUND), str(exc))
        except Exception as exc:  # one programme's failure must not hide the others' results
            logger.exception("%s failed for programme %s", getattr(command, "name", "command"), programme.code)
            outcome = Outcome(programme, FAILED, f"{type(exc).__name__}: {exc}")
        if headings and outcome.status == FAILED:
            command.stderr.write(f"{programme.code}: {outcome.summary}")
        outcomes.append(outcome)
    return outcomes


def worst(outcomes: Iterable[Outcome]) -> int:
    return max((outcome.status for outcome in outcomes), default=OK)


STATUS_WORDS = {OK: "OK", FOUND: "PROBLEMS", FAILED: "FAILED"}


def summary(outcomes: list[Outcome]) -> dict:
    """The summary as data (for ``--format json``)."""
    return {
        "programmes": len(outcomes),
        "ok": sum(outcome.ok for outcome in outcomes),
        "not_ok": [outcome.programme.code for outcome in outcomes if not outcome.ok],
        "status": worst(outcomes),
        "each": [
            {
                "programme": outcome.programme.code,
                "status": STATUS_WORDS.get(outcome.status, str(outcome.status)),
                "summary": outcome.summary,
                **outcome.counts,
            }
            for outcome in outcomes
        ],
    }


def finish(command, outcomes: list[Outcome], what: str, *, as_json: dict | None = None) -> None:
    """Write the summary (or ``as_json`` with the summary added) and exit with the worst status, naming the
    programmes that were not fine."""
    if as_json is not None:
        command.stdout.write(json.dumps({**as_json, "summary": summary(outcomes)}, ensure_ascii=False, indent=2))
    else:
        width = max(len(outcome.programme.code) for outcome in outcomes)
        command.stdout.write(command.style.MIGRATE_HEADING(f"== {what}: summary"))
        for outcome in outcomes:
            word = STATUS_WORDS.get(outcome.status, str(outcome.status))
            style = command.style.SUCCESS if outcome.ok else command.style.ERROR
            command.stdout.write(f"{outcome.programme.code:<{width}}  {style(f'{word:<8}')}  {outcome.summary}")
    not_ok = [outcome.programme.code for outcome in outcomes if not outcome.ok]
    if not_ok:
        raise CommandError(
            f"{what}: {len(not_ok)} of {len(outcomes)} programmes not OK: {', '.join(not_ok)}",
            returncode=worst(outcomes),
        )
    if as_json is None:
        command.stdout.write(command.style.SUCCESS(f"{what}: all {len(outcomes)} programmes OK"))
