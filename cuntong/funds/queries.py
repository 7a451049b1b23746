"""Derived figures: committed, approved, paid and pending amounts, always summed from the records.

Nothing stores a running total that could drift: each figure is a correlated subquery over contracts and requests,
annotated onto budget lines, sub-items, contracts and milestones in a single query.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from cuntong.core.money import MAX_DIGITS
from cuntong.programme.models import BudgetAllocation, SubItem

from .models import Contract, ContractMilestone, DisbursementRequest
from .rules import APPROVED_STATUSES, PENDING_STATUSES, Position
from .rules import Status as S

MONEY = DecimalField(max_digits=MAX_DIGITS + 2, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY)
# Requests that still claim money: everything but rejected ones.
CLAIMING_STATUSES = (S.SUBMITTED, S.RETURNED, S.REVIEWED, S.APPROVED, S.PAID)


def _total(queryset, ref: str, condition: Q):
    """Sum of ``amount`` over ``queryset`` rows whose ``ref`` is the outer row, as a correlated subquery."""
    rows = (
        queryset.filter(condition, **{ref: OuterRef("pk")})
        .order_by()
        .values(ref)
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=MONEY), ZERO, output_field=MONEY)


def _request_figures(ref: str) -> dict:
    requests = DisbursementRequest.objects.all()
    return {
        "approved_amount": _total(requests, ref, Q(status__in=APPROVED_STATUSES)),
        "paid_amount": _total(requests, ref, Q(status=S.PAID)),
        "pending_amount": _total(requests, ref, Q(status__in=PENDING_STATUSES)),
    }


def _budget_figures(queryset, ref: str):
    """Budget rows (lines or sub-items) with contracted, committed, approved, paid and pending amounts.

    A signed contract commits its whole amount; a terminated one only what was approved on it, so termination
    releases the rest to the line."""
    return queryset.annotate(
        contracted_amount=_total(Contract.objects.all(), ref, Q(status=Contract.Status.SIGNED))
        + _total(
            DisbursementRequest.objects.all(),
            ref,
            Q(contract__status=Contract.Status.TERMINATED, status__in=APPROVED_STATUSES),
        ),
        direct_amount=_total(
            DisbursementRequest.objects.all(), ref, Q(contract__isnull=True, status__in=APPROVED_STATUSES)
        ),
        **_request_figures(ref),
    ).annotate(committed_amount=F("contracted_amount") + F("direct_amount"))


def lines_with_figures(queryset=None):
    return _budget_figures(queryset if queryset is not None else BudgetAllocation.objects.all(), "allocation")


def sub_items_with_figures(queryset=None):
    return _budget_figures(queryset if queryset is not None else SubItem.objects.all(), "sub_item")


def contracts_with_figures(queryset=None):
    queryset = queryset if queryset is not None else Contract.objects.all()
    return queryset.annotate(**_request_figures("contract"))


def milestones_with_figures(queryset=None):
    queryset = queryset if queryset is not None else ContractMilestone.objects.all()
    requests = DisbursementRequest.objects.all()
    return queryset.annotate(
        **_request_figures("milestone"), claimed_amount=_total(requests, "milestone", Q(status__in=CLAIMING_STATUSES))
    )


def line_label(allocation: BudgetAllocation) -> str:
    return f"{allocation.project.number}. {allocation.project.name} · {allocation.get_source_display()}"


def position(row, label: str) -> Position:
    """A Position from a row annotated by ``lines_with_figures`` or ``sub_items_with_figures``."""
    return Position(
        label=label,
        budget=row.amount,
        committed=row.committed_amount,
        approved=row.approved_amount,
        paid=row.paid_amount,
    )


def line_position(allocation_id: int) -> Position:
    row = lines_with_figures(BudgetAllocation.objects.filter(pk=allocation_id).select_related("project")).get()
    return position(row, line_label(row))


def sub_item_position(sub_item_id: int) -> Position:
    row = sub_items_with_figures(SubItem.objects.filter(pk=sub_item_id).select_related("project")).get()
    return position(row, f"{row.project.number}. {row.project.name} · {row.name}")


def claimed_on(milestone_id: int, exclude_request: int | None = None) -> Decimal:
    rows = DisbursementRequest.objects.filter(milestone_id=milestone_id, status__in=CLAIMING_STATUSES)
    if exclude_request:
        rows = rows.exclude(pk=exclude_request)
    return rows.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def approved_on(field: str, value: int) -> Decimal:
    rows = DisbursementRequest.objects.filter(**{field: value}, status__in=APPROVED_STATUSES)
    return rows.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def programme_totals(programme) -> dict[str, Decimal]:
    """Budget, committed, approved and paid over a whole programme, by source and in total."""
    rows = lines_with_figures(BudgetAllocation.objects.filter(project__programme=programme))
    totals: dict[str, dict[str, Decimal]] = {}
    for row in rows:
        for key in (row.source, "total"):
            bucket = totals.setdefault(
                key, {"budget": Decimal(0), "committed": Decimal(0), "approved": Decimal(0), "paid": Decimal(0)}
            )
            bucket["budget"] += row.amount
            bucket["committed"] += row.committed_amount
            bucket["approved"] += row.approved_amount
            bucket["paid"] += row.paid_amount
    return totals
