"""Fund ledger verification over a million entries (time, and memory that stays flat), and approval throughput
with eight finance officials approving against one budget line at once.

Verification runs ``cuntong ledger verify`` in a fresh process per observation, so each process's peak RSS is the
memory verification needed; an idle process (Django set up, nothing run) is observed in the same rounds and its peak
subtracted, so the ratio compares the growth verification causes, not the interpreter both carry: flat memory means
the growth at 1,000,000 entries is about the growth at 100,000. The two chains are built directly (bulk inserts of
correctly hashed entries), each in a programme of its own, so the demo's chain is left alone and the sizes can be
verified in turns. The larger chain's verification is also compared with raw SHA-256 over the same bytes: each
entry's canonical document, written to a file as the chain is built, hashed line by line in a fresh process timed
like verification's (the floor no verifier can go below; the target is within 5× of it).

Approvals: both sides approve the same number of reviewed requests, built the same way on a fresh programme for
each observation (half of them fit the line, half are refused over budget), one approver against eight at once.
They run on PostgreSQL when DATABASE_URL is set, otherwise on SQLite; the result says which.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time
import uuid
from decimal import Decimal

from bench.harness import Result, Timing, measure

# (smaller chain, larger chain) in entries
CHAINS = {"tiny": (1_000, 5_000), "small": (10_000, 50_000), "full": (100_000, 1_000_000)}
LEDGER_TIMING = {"tiny": Timing(repeat=1), "small": Timing(repeat=3), "full": Timing(repeat=3)}
APPROVERS = 8
# Requests against project 3's 200万 national line, each of 2 × 200万 / count: half are approved, half refused.
REQUESTS = {"tiny": 16, "small": 80, "full": 200}
APPROVAL_TIMING = {"tiny": Timing(repeat=1), "small": Timing(repeat=3), "full": Timing(repeat=3)}
BATCH = 5000


def _bench_programme(code: str, plan_text: str | None = None):
    """A programme of the bench's own, loaded from the default plan under another code."""
    from django.conf import settings

    from cuntong.programme.models import Programme
    from cuntong.programme.plan import parse_plan
    from cuntong.programme.services import load_plan

    existing = Programme.objects.filter(code=code).first()
    if existing:
        return existing
    text = plan_text or settings.CUNTONG_DEFAULT_PLAN.read_text(encoding="utf-8")
    return load_plan(parse_plan(text.replace("code: puning-2019", f"code: {code}", 1)))


def _reset_chain(programme) -> None:
    from django.db import transaction

    from cuntong.funds import ledger
    from cuntong.funds.models import LedgerEntry, LedgerHead, LedgerSnapshot

    with transaction.atomic(), ledger.triggers_disabled():
        LedgerEntry._base_manager.filter(programme=programme).delete()
        LedgerSnapshot._base_manager.filter(programme=programme).delete()
        LedgerHead.objects.filter(programme=programme).update(seq=0, hash=ledger.GENESIS)


def extend_chain(programme, target: int, sink=None) -> float:
    """Append correctly chained entries until the programme's chain holds ``target``; returns seconds taken.
    ``sink`` (a binary file) receives each entry's canonical bytes, one line each: what verification hashes."""
    from django.db import transaction

    from cuntong.funds import ledger
    from cuntong.funds.models import LedgerEntry, LedgerHead

    started = time.perf_counter()
    head, _created = LedgerHead.objects.get_or_create(programme=programme, defaults={"seq": 0, "hash": ledger.GENESIS})
    seq, previous = head.seq, head.hash
    moment = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    while seq < target:
        rows = []
        for _ in range(min(BATCH, target - seq)):
            seq += 1
            values = {
                "programme_id": programme.pk,
                "seq": seq,
                "time": moment + datetime.timedelta(seconds=seq),
                "event": "request_paid",
                "actor_id": None,
                "actor_name": "财政局（基准测试）",
                "via": "bench",
                "subject_type": "funds.disbursementrequest",
                "subject_id": str(seq),
                "subject_repr": f"BF2020-{seq:07d} 基准测试拨付",
                "amount": Decimal(seq % 100000 + 1).quantize(Decimal("0.01")),
                "line_id": None,
                "sub_item_id": None,
                "contract_id": None,
                "request_id": None,
                "payload": {"voucher_number": f"PZ-{seq:07d}", "paid_on": "2020-06-30"},
                "prev_hash": previous,
            }
            document = ledger.canonical(values)
            previous = ledger.DIGEST(document).hexdigest()
            if sink is not None:
                sink.write(document + b"\n")  # JSON escapes every newline inside the document
            rows.append(LedgerEntry(**values, hash=previous))
        with transaction.atomic():
            LedgerEntry.objects.bulk_create(rows)
            LedgerHead.objects.filter(programme=programme).update(seq=seq, hash=previous)
    return time.perf_counter() - started


def _settle() -> None:
    """Let the database absorb the bulk writes before measuring reads: checkpoint SQLite's WAL (a reader facing a
    few hundred MB of unmerged WAL measures the WAL, not verification); refresh PostgreSQL's statistics."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        elif connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE funds_ledgerentry")


def _measure(argv: list[str] | None, code: str | None = None) -> dict:
    """Run a ``cuntong`` command in a fresh process (``None``: none, the idle process; ``code``: these Python lines
    instead): the seconds the command took, the process's peak RSS in MB and its output.

    Django starts before the clock does, so the time is the command's own; the RSS is the whole process's peak,
    read from VmHWM (getrusage's ru_maxrss would carry over the forking parent's peak across exec).
    """
    script = (
        "import os, time\n"
        "def peak_mb():\n"
        "    status = open('/proc/self/status').read().split('VmHWM:')[1]\n"
        "    return int(status.split()[0]) / 1024\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'cuntong.settings')\n"
        "import django\n"
        "django.setup()\n"
        "from django.core.management import call_command\n"
        "started = time.perf_counter()\n"
        f"{code or ('pass' if argv is None else f'call_command(*{argv!r})')}\n"
        "print('BENCH', time.perf_counter() - started, peak_mb())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=os.environ.copy(), check=True
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH"))
    _tag, seconds, rss = line.split()
    return {"seconds": float(seconds), "rss_mb": float(rss), "output": done.stdout}


def _verify(programme, entries: int):
    """An observer: ``cuntong ledger verify`` of ``programme``'s chain, which must hold and count ``entries``."""

    def observe() -> dict[str, float]:
        measured = _measure(["ledger", "verify", "--programme", programme.code, "--no-progress"])
        assert f"ledger OK: {entries} entries" in measured["output"], measured["output"]
        return {"seconds": measured["seconds"], "rss_mb": measured["rss_mb"]}

    return observe


def _sha256(path, entries: int):
    """An observer: raw SHA-256 of each entry's canonical bytes (read from a file, one line each, in the page cache)
    in a fresh process like verification's, timed the same way: the floor verification is compared with."""

    def observe() -> dict[str, float]:
        code = (
            f"count = 0\n"
            f"with open({str(path)!r}, 'rb') as lines:\n"
            f"    for line in lines:\n"
            f"        hashlib.sha256(line[:-1]).hexdigest()\n"
            f"        count += 1\n"
            f"assert count == {entries}, count"
        )
        measured = _measure(None, "import hashlib\n" + code)
        return {"seconds": measured["seconds"], "rss_mb": measured["rss_mb"]}

    return observe


def _idle() -> dict[str, float]:
    measured = _measure(None)
    return {"seconds": measured["seconds"], "rss_mb": measured["rss_mb"]}


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


def ledger_results(context) -> list[Result]:
    small, large = context.pick(CHAINS)
    built = 0.0
    chains = {}
    documents = context.workdir / "ledger-canonical.jsonl"  # the larger chain's canonical bytes
    with documents.open("wb") as sink:
        for entries in (small, large):
            programme = _bench_programme(f"bench-ledger-{entries}")
            _reset_chain(programme)
            built += extend_chain(programme, entries, sink if entries == large else None)
            chains[entries] = programme
    _settle()
    samples = measure(
        {
            "idle": _idle,
            "small": _verify(chains[small], small),
            "large": _verify(chains[large], large),
            "sha256": _sha256(documents, large),
        },
        context.pick(LEDGER_TIMING),
    )
    idle_rss = samples["idle"]["rss_mb"]
    small_growth = samples["small"]["rss_mb"].minus(idle_rss)
    large_growth = samples["large"]["rss_mb"].minus(idle_rss)
    small_seconds, large_seconds = samples["small"]["seconds"], samples["large"]["seconds"]
    return [
        Result(
            f"ledger verify {small:,} entries",
            small_seconds,
            "s",
            detail={"peak_rss_mb": samples["small"]["rss_mb"].value},
        ),
        Result(
            f"ledger verify {large:,} entries",
            large_seconds,
            "s",
            baseline_sample=small_seconds,
            baseline_name=f"{small:,} entries",
            target=f"linear time (ratio ≈ {large // small})",
            detail={
                "entries_per_second": round(large / large_seconds.value),
                "build_seconds": round(built, 1),
                "peak_rss_mb": samples["large"]["rss_mb"].value,
            },
        ),
        Result(
            f"ledger verify vs raw sha256 over the same bytes ({large:,})",
            large_seconds,
            "s",
            baseline_sample=samples["sha256"]["seconds"],
            baseline_name="raw SHA-256",
            target="within 5×",
            detail={
                "bytes": documents.stat().st_size - large,
                "database": _vendor(),
                "sha256_entries_per_second": round(large / samples["sha256"]["seconds"].value),
            },
        ),
        Result(
            f"verify RSS growth above idle at {large:,}",
            large_growth,
            "MB",
            baseline_sample=small_growth,
            baseline_name=f"growth at {small:,}",
            target="flat (ratio ≈ 1)",
            detail={"idle_process_rss_mb": idle_rss.value},
        ),
    ]


# --- approvals --------------------------------------------------------------------------------------------------


def _approval_setup(count: int):
    """A fresh programme; ``count`` reviewed requests asking twice project 3's national line; finance users."""
    from django.utils import timezone

    from cuntong.accounts.models import Membership, Role, User
    from cuntong.funds import services
    from cuntong.funds.tests.factories import evidence
    from cuntong.programme.models import BudgetAllocation

    tag = uuid.uuid4().hex[:8]
    programme = _bench_programme(f"bench-approvals-{tag}")
    roles = {role.code: role for role in Role.objects.filter(code__in=["office", "finance"])}

    def user(name, role):
        person = User.objects.create(username=f"{name}-{tag}", password_changed_at=timezone.now())
        Membership.objects.create(user=person, role=roles[role], area=programme.county)
        return User.objects.get(pk=person.pk)

    submitter, reviewer = user("bench-office", "office"), user("bench-reviewer", "office")
    line = BudgetAllocation.objects.get(project__programme=programme, project__number=3, source="national")
    amount = (line.amount * 2 / count).quantize(Decimal("0.01"))
    requests = []
    for index in range(count):
        request = services.submit_request(
            submitter,
            programme,
            services.RequestInput(amount=amount, purpose=f"基准测试 {index}", payee="基准测试单位", allocation=line),
            [evidence(f"bench-{index}.pdf")],
        )
        requests.append(services.decide(reviewer, request, "review"))
    approvers = [user(f"bench-finance-{i}", "finance") for i in range(APPROVERS)]
    return line, requests, approvers


def _approvals(approver_count: int, count: int, outcomes: list):
    """An observer: a fresh programme with ``count`` reviewed requests (not timed), then the seconds
    ``approver_count`` finance officials take to decide them all from one queue."""
    from cuntong.funds import ledger, queries
    from cuntong.funds.tests.factories import approve_concurrently

    def observe() -> dict[str, float]:
        line, requests, approvers = _approval_setup(count)
        seconds, outcome = approve_concurrently(requests, approvers[:approver_count])
        position = queries.line_position(line.pk)
        assert position.approved <= position.budget, position
        assert ledger.verify(line.project.programme_id).ok
        outcomes.append((approver_count, dict(outcome), position))
        return {"seconds": seconds}

    return observe


def approval_results(context) -> list[Result]:
    from django.db import connection

    count = context.pick(REQUESTS)
    database = connection.vendor
    outcomes: list = []
    samples = measure(
        {"serial": _approvals(1, count, outcomes), "concurrent": _approvals(APPROVERS, count, outcomes)},
        context.pick(APPROVAL_TIMING),
    )
    decided = {tuple(sorted(outcome.items())) for _approvers, outcome, _position in outcomes}
    # The same work on both sides: every observation decided the same requests the same way.
    assert len(decided) == 1 and set(outcomes[0][1]) <= {"approved", "over_budget"}, outcomes
    _approvers, outcome, position = outcomes[-1]
    detail = {
        "database": database,
        "decisions_per_observation": count,
        "approved": outcome.get("approved", 0),
        "refused_over_budget": outcome.get("over_budget", 0),
        "line_budget_yuan": str(position.budget),
        "approved_total_yuan": str(position.approved),
        "never_over_budget": all(p.approved <= p.budget for _a, _o, p in outcomes),
    }
    serial = samples["serial"]["seconds"].per(count)
    return [
        Result(f"approvals, 1 approver ({database})", serial, "decisions/s", detail=detail),
        Result(
            f"approvals, {APPROVERS} concurrent approvers, one line ({database})",
            samples["concurrent"]["seconds"].per(count),
            "decisions/s",
            baseline_sample=serial,
            baseline_name="1 approver",
            target="total never exceeds the line",
            detail=detail,
        ),
    ]


def run(context):
    return [*ledger_results(context), *approval_results(context)]
