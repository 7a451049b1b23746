"""Who may do what with funds: one decision per action, called by the pages, the API and the services alike, so an
action has the same permission and scope wherever it is reached.

A refusal is ``PermissionDenied`` (403); a ledger action without a programme to act on is ``NoProgramme`` (404,
saying so), never an error page.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.http import Http404
from django.utils.translation import gettext as _

from cuntong.core.scoping import is_permitted, permission_name, scope_filter

from . import rules
from .models import Appeal, Contract, DisbursementRequest, LedgerEntry, SubsidyBatch, SubsidyLine


class NoProgramme(Http404):
    """The user works in no programme (none chosen, none visible), so there is no ledger to act on."""


def may(user, action: str, obj) -> bool:
    """``user`` holds the permission for ``action`` on ``obj``'s model and ``obj`` lies inside their scope for it."""
    return user is not None and user.has_perm(permission_name(type(obj), action)) and is_permitted(user, action, obj)


def require(user, action: str, obj) -> None:
    if not may(user, action, obj):
        raise PermissionDenied(_("您没有该操作的权限。"))


# --- the ledger -------------------------------------------------------------------------------------------------


def may_read_ledger(user) -> bool:
    """The programme's whole ledger (its hashes, head, verification, the auditors' export): the permission, held
    county-wide. A township-scoped grant opens no ledger entry, so it opens none of these either."""
    return scope_filter(LedgerEntry, user, "view") is not None


def visible_entries(user, entries):
    """The entries of ``entries`` a record page may show ``user``: all of them for a county-wide ledger reader,
    else only those whose subject (contract, request, appeal, batch …) ``user`` may see itself. A budget line's
    timeline otherwise names other townships' contracts, requests and appeals."""
    if may_read_ledger(user):
        return entries
    visible = Q(pk__in=[])
    for label in entries.order_by().values_list("subject_type", flat=True).distinct():
        model = apps.get_model(label)
        ids = model.objects.restrict(user, "view").annotate(subject=Cast("pk", CharField())).values("subject")
        visible |= Q(subject_type=label, subject_id__in=ids)
    return entries.filter(visible)


def ledger_programme(user, programme):
    """The programme whose whole ledger ``user`` reads or verifies: refused unless they may read the ledger, and
    ``NoProgramme`` when there is none to act on."""
    if not may_read_ledger(user):
        raise PermissionDenied(_("您没有查看资金台账的权限。"))
    if not programme:  # `not`: the request's lazy programme may wrap None
        raise NoProgramme(_("您的账号尚未分配到任何示范项目。"))
    return programme


# --- requests ---------------------------------------------------------------------------------------------------

REQUEST_DECISIONS = ("review", "approve", "pay", "return", "reject")


def request_decisions(user, request: DisbursementRequest) -> list[str]:
    """The decisions ``user`` may take on ``request`` now (``services.decide`` checks each again when taken)."""
    actions = []
    for action in REQUEST_DECISIONS:
        try:
            _target, needed = rules.transition(action, request.status, "")
            rules.check_separation(action, user.pk, request.submitted_by_id, request.reviewed_by_id)
        except rules.FundRuleViolation:
            continue
        if may(user, needed, request):
            actions.append(action)
    return actions


# The steps of a request's approval chain that wait for someone: each starts from one status.
QUEUE_DECISIONS = ("review", "approve", "pay")


def requests_awaiting(user, requests) -> dict[str, list[DisbursementRequest]]:
    """The requests of ``requests`` waiting for ``user`` to review, approve or pay them: ``request_decisions`` for a
    whole queue in one query (the separation rules run on the rows, so both always agree)."""
    steps, condition = {}, Q(pk__in=[])
    for action in QUEUE_DECISIONS:
        for status, needed in rules.TRANSITIONS[action].sources.items():
            scope = scope_filter(DisbursementRequest, user, needed)
            if scope is None or not user.has_perm(permission_name(DisbursementRequest, needed)):
                continue
            steps[status] = action
            condition |= Q(status=status) & scope
    waiting = {action: [] for action in QUEUE_DECISIONS}
    if not steps:
        return waiting
    for request in requests.filter(condition).order_by("submitted_at", "pk"):
        action = steps[request.status]
        try:
            rules.check_separation(action, user.pk, request.submitted_by_id, request.reviewed_by_id)
        except rules.FundRuleViolation:
            continue
        waiting[action].append(request)
    return waiting


# --- appeals ----------------------------------------------------------------------------------------------------


def appeals_to_decide(user, appeals) -> list[Appeal]:
    """The open appeals of ``appeals`` that ``user`` sees and may decide, earliest deadline first."""
    if not user.has_perm("funds.decide_appeal"):
        return []
    visible = appeals.restrict(user, "view").filter(status__in=rules.AppealStatus.OPEN)
    return [
        a for a in visible.select_related("decision_entry").order_by("deadline", "pk") if may_decide_appeal(user, a)
    ]


def may_decide_appeal(user, appeal: Appeal) -> bool:
    """An open appeal, decided by someone with the permission who neither filed it nor made the contested decision."""
    return (
        appeal.status in rules.AppealStatus.OPEN
        and user.has_perm("funds.decide_appeal")
        and user.pk not in (appeal.filed_by_id, appeal.decision_entry.actor_id)
    )


def is_involved(user, subject) -> bool:
    """Whom a decision concerns: the request's submitter or its contractor's staff; a claim line's claimant (a
    station's operator …); a terminated contract's contractor."""
    organisations = {m.organisation_id for m in user.active_memberships if m.organisation_id}
    if isinstance(subject, DisbursementRequest):
        contractor = subject.contract.contractor_id if subject.contract_id else None
        return user.pk == subject.submitted_by_id or contractor in organisations
    if isinstance(subject, SubsidyLine):
        return user.pk == subject.claimant_id
    if isinstance(subject, SubsidyBatch):
        return user.pk == subject.request.submitted_by_id
    if isinstance(subject, Contract):
        return subject.contractor_id in organisations
    return False


def may_appeal(user, subject) -> bool:
    """Whether ``user`` may appeal a decision about ``subject``: the permission, and the decision concerns them."""
    return user.has_perm("funds.add_appeal") and is_involved(user, subject)


def appealable(user, subject, entries) -> list[LedgerEntry]:
    """The latest decisions about ``subject`` that ``user`` may appeal (not their own)."""
    if not may_appeal(user, subject):
        return []
    entries = entries.filter(event__in=rules.APPEALABLE_EVENTS).order_by("-seq")[:3]
    return [e for e in entries if e.actor_id != user.pk]
