"""Fund records for tests and benchmarks, made through the real services."""

from __future__ import annotations

import datetime
import itertools
import threading
import time
from collections import Counter
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from cuntong.accounts.models import Organisation
from cuntong.core.money import wan_to_yuan
from cuntong.programme.models import BudgetAllocation, Project, SubItem
from cuntong.web.testing import HONGYANG, PUNING, area, make_user, programme

from .. import services
from ..models import Contract
from ..rules import FundRuleViolation

_numbers = itertools.count(1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def evidence(name: str = "invoice.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + name.encode(), content_type="application/pdf")


def line(number: int, source: str = "national") -> BudgetAllocation:
    return BudgetAllocation.objects.select_related("project").get(
        project__programme=programme(), project__number=number, source=source
    )


def sub_item(code: str) -> SubItem:
    return SubItem.objects.get(project__programme=programme(), code=code)


def set_status(number: int, status: str) -> Project:
    project = Project.objects.get(programme=programme(), number=number)
    project.status = status
    project.save()
    return project


def contractor_org(name: str = "普宁市测试承办有限公司", code: str = PUNING) -> Organisation:
    organisation, _created = Organisation.objects.get_or_create(
        programme=programme(), name=name, defaults={"kind": Organisation.Kind.CONTRACTOR, "area": area(code)}
    )
    return organisation


def contractor_user(username: str = "contractor", organisation: Organisation | None = None):
    return make_user(username, "contractor", organisation=organisation or contractor_org())


def contract(
    user,
    *,
    amount_wan="100",
    number: int = 1,
    source: str = "national",
    item: str | None = None,
    organisation: Organisation | None = None,
    sign: bool = True,
    title: str = "测试合同",
):
    record = services.save_contract(
        user,
        programme(),
        Contract(
            number=f"HT-TEST-{next(_numbers):04d}",
            title=title,
            contractor=organisation or contractor_org(),
            allocation=line(number, source),
            sub_item=sub_item(item) if item else None,
            amount=wan_to_yuan(amount_wan),
            start_date=datetime.date(2020, 1, 1),
            end_date=datetime.date(2021, 12, 31),
            deliverables="按合同交付",
        ),
    )
    if sign:
        record = services.sign_contract(user, record, datetime.date(2020, 1, 15))
    return record


def milestone_request(user, contract_record, sequence: int = 1, amount: Decimal | None = None, purpose="合同付款"):
    milestone = contract_record.milestones.get(sequence=sequence)
    return services.submit_request(
        user,
        programme(),
        services.RequestInput(
            amount=amount if amount is not None else milestone.amount, purpose=purpose, milestone=milestone
        ),
        [evidence()],
    )


def direct_request(user, *, amount_wan="10", number: int = 6, source: str = "local", item=None, purpose="业务费用"):
    return services.submit_request(
        user,
        programme(),
        services.RequestInput(
            amount=wan_to_yuan(amount_wan),
            purpose=purpose,
            payee="普宁市某服务单位",
            allocation=line(number, source),
            sub_item=sub_item(item) if item else None,
        ),
        [evidence()],
    )


class Cast:
    """The people of a fund flow: two office staff, two finance staff, a contractor, an evaluator, a township."""

    def __init__(self):
        self.office = make_user("office1", "office")
        self.office2 = make_user("office2", "office")
        self.finance = make_user("finance1", "finance")
        self.finance2 = make_user("finance2", "finance")
        self.organisation = contractor_org()
        self.contractor = contractor_user("contractor1", self.organisation)
        self.evaluator = make_user("evaluator1", "evaluator")
        self.township = make_user("township1", "township", HONGYANG)


def through(request, cast: Cast, until: str = "paid"):
    """Move a request along the flow: reviewed → approved → paid, each step by the right person."""
    reviewer = cast.office2 if request.submitted_by_id == cast.office.pk else cast.office
    steps = [
        ("review", reviewer, {}),
        ("approve", cast.finance, {}),
        ("pay", cast.finance, {"voucher_number": "PZ-001", "paid_on": datetime.date(2020, 6, 1)}),
    ]
    for action, user, extra in steps:
        request = services.decide(user, request, action, **extra)
        if request.status == until:
            break
    return request


def race(workers, task) -> float:
    """Run ``task(worker)`` in a thread per worker (each with its own database connection, closed at the end),
    all released at once; returns the seconds until the last finished and re-raises the first failure."""
    barrier = threading.Barrier(len(workers) + 1)
    errors = []

    def run(worker):
        try:
            barrier.wait()
            task(worker)
        except Exception as exc:  # re-raised in the calling thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started


def approve_concurrently(requests, approvers) -> tuple[float, Counter]:
    """Approvers take reviewed requests from one queue at the same time; returns (seconds, outcome counts:
    ``approved`` and the code of each rule that refused)."""
    pending = list(requests)
    lock = threading.Lock()
    outcome = Counter()

    def approve(user):
        while True:
            with lock:
                if not pending:
                    return
                request = pending.pop()
            try:
                services.decide(user, request, "approve")
                key = "approved"
            except FundRuleViolation as exc:
                key = exc.code
            with lock:
                outcome[key] += 1

    return race(approvers, approve), outcome
