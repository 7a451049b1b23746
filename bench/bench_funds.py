"""Fund ledger verification over a million entries (time, and memory that stays flat), and approval throughput
with eight finance officials approving against one budget line at once.

Verification runs ``cuntong ledger verify`` in a fresh process per size, so each process's peak RSS is the memory
verification needed: flat memory means the peak at 1,000,000 entries is about the peak at 100,000. The chain is
built directly (bulk inserts of correctly hashed entries) in a programme of its own, so the demo's chain is left
alone. Approvals run on PostgreSQL when DATABASE_URL is set, otherwise on SQLite; the result says which.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time
import uuid
from decimal import Decimal

from bench.harness import Result

SIZES = (100_000, 1_000_000)
QUICK_SIZES = (10_000, 50_000)
APPROVERS = 8
# Requests against project 3's 200万 national line, each of 2 × 200万 / count: half are approved, half refused.
REQUESTS = 400
QUICK_REQUESTS = 80
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


def extend_chain(programme, target: int) -> float:
    """Append correctly chained entries until the programme's chain holds ``target``; returns seconds taken."""
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
            previous = ledger.digest(values)
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


def _measure(argv: list[str]) -> tuple[float, float, str]:
    """Run a ``cuntong`` command in a fresh process: (seconds the command took, peak RSS in MB, its output).

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
        f"call_command(*{argv!r})\n"
        "print('BENCH', time.perf_counter() - started, peak_mb())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=os.environ.copy(), check=True
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH"))
    _tag, seconds, rss = line.split()
    return float(seconds), float(rss), done.stdout


def ledger_results(context) -> list[Result]:
    programme = _bench_programme("bench-ledger")
    _reset_chain(programme)
    small, large = QUICK_SIZES if context.quick else SIZES
    idle_seconds, idle_rss, _out = _measure(["ledger", "head", "--programme", programme.code])
    build_small = extend_chain(programme, small)
    _settle()
    small_seconds, small_rss, out = _measure(["ledger", "verify", "--programme", programme.code, "--no-progress"])
    assert "ledger OK" in out, out
    build_large = extend_chain(programme, large)
    _settle()
    large_seconds, large_rss, out = _measure(["ledger", "verify", "--programme", programme.code, "--no-progress"])
    assert f"ledger OK: {large} entries" in out, out
    detail = {
        "entries": large,
        "build_seconds": round(build_small + build_large, 1),
        "process_rss_mb_without_verify": round(idle_rss, 1),
    }
    return [
        Result(f"ledger verify {small:,} entries", small_seconds, "s", detail={"peak_rss_mb": round(small_rss, 1)}),
        Result(
            f"ledger verify {large:,} entries",
            large_seconds,
            "s",
            baseline=small_seconds,
            baseline_name=f"{small:,} entries",
            target="linear time",
            detail={**detail, "entries_per_second": round(large / large_seconds)},
        ),
        Result(
            f"verify peak RSS at {large:,}",
            large_rss,
            "MB",
            baseline=small_rss,
            baseline_name=f"RSS at {small:,}",
            target="flat (ratio ≈ 1)",
            detail={"idle_command_rss_mb": round(idle_rss, 1)},
        ),
    ]


# --- approvals --------------------------------------------------------------------------------------------------


def _approval_setup(count: int):
    """A fresh programme; ``count`` reviewed requests asking twice project 3's national line; finance users."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from cuntong.accounts.models import Membership, Role, User
    from cuntong.funds import services
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
            [SimpleUploadedFile(f"bench-{index}.pdf", b"%PDF-1.4\n%bench\n", content_type="application/pdf")],
        )
        requests.append(services.decide(reviewer, request, "review"))
    approvers = [user(f"bench-finance-{i}", "finance") for i in range(APPROVERS)]
    return line, requests, approvers


def approval_results(context) -> list[Result]:
    from django.db import connection

    from cuntong.funds import ledger, queries
    from cuntong.funds.tests.factories import approve_concurrently

    count = QUICK_REQUESTS if context.quick else REQUESTS
    database = connection.vendor
    line, requests, approvers = _approval_setup(count)
    one_seconds, one = approve_concurrently(requests[: count // 4], approvers[:1])
    many_seconds, many = approve_concurrently(requests[count // 4 :], approvers)
    one_ok, one_refused = one["approved"], one["over_budget"]
    many_ok, many_refused = many["approved"], many["over_budget"]
    assert set(one) | set(many) <= {"approved", "over_budget"}, (one, many)
    position = queries.line_position(line.pk)
    assert position.approved <= position.budget, position
    assert ledger.verify(line.project.programme_id).ok
    single = (one_ok + one_refused) / one_seconds
    concurrent = (many_ok + many_refused) / many_seconds
    detail = {
        "database": database,
        "approved": one_ok + many_ok,
        "refused_over_budget": one_refused + many_refused,
        "line_budget_yuan": str(position.budget),
        "approved_total_yuan": str(position.approved),
        "never_over_budget": position.approved <= position.budget,
    }
    return [
        Result(f"approvals, 1 approver ({database})", single, "decisions/s"),
        Result(
            f"approvals, {APPROVERS} concurrent approvers, one line ({database})",
            concurrent,
            "decisions/s",
            baseline=single,
            baseline_name="1 approver",
            target="total never exceeds the line",
            detail=detail,
        ),
    ]


def run(context):
    return [*ledger_results(context), *approval_results(context)]
