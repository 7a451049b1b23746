"""Ledger entries for changes made outside the fund services: budgets set by the plan, evidence attached anywhere.

The plan loader (programme app) and the attachment panel do not know about the ledger; listening to their models'
signals records every budget change and every evidence file of a fund record, whoever made it.
"""

from django.db.models.signals import post_delete, post_save, pre_save

from cuntong.core.scoping import follow


def _budget_kind(sender) -> str | None:
    from cuntong.programme.models import BudgetAllocation, SubItem

    return {BudgetAllocation: "line", SubItem: "sub_item"}.get(sender)


def _programme_id(instance) -> int:
    return instance.project.programme_id


def _budget_payload(instance) -> dict:
    project = instance.project
    return {
        "project": project.number,
        "project_name": project.name,
        "source": instance.source,
        "code": getattr(instance, "code", ""),
        "previous": getattr(instance, "_ledger_previous_amount", None),
    }


def remember_budget(sender, instance, raw=False, **kwargs):
    if raw or _budget_kind(sender) is None:
        return
    previous = None
    if instance.pk is not None:
        previous = sender._base_manager.filter(pk=instance.pk).values_list("amount", flat=True).first()
    instance._ledger_previous_amount = previous


def record_budget(sender, instance, created=False, raw=False, **kwargs):
    from . import ledger

    if raw or _budget_kind(sender) is None:
        return
    previous = getattr(instance, "_ledger_previous_amount", None)
    if not created and previous is not None and previous == instance.amount:
        return
    ledger.append(
        _programme_id(instance), "budget_set", instance, amount=instance.amount, payload=_budget_payload(instance)
    )


def record_budget_removed(sender, instance, **kwargs):
    from cuntong.programme.models import Project

    from . import ledger

    if _budget_kind(sender) is None or not Project.objects.filter(pk=instance.project_id).exists():
        return
    instance._ledger_previous_amount = instance.amount
    ledger.append(_programme_id(instance), "budget_removed", instance, amount=0, payload=_budget_payload(instance))


FUND_MODELS = ("contract", "disbursementrequest", "appeal", "subsidybatch", "subsidyline")


def record_evidence(sender, instance, created=False, raw=False, **kwargs):
    """An evidence file attached to a fund record is a fund event: its name and SHA-256 enter the chain."""
    from cuntong.attachments.models import Attachment

    from . import ledger

    if raw or not created or sender is not Attachment:
        return
    content_type = instance.content_type
    if content_type.app_label != "funds" or content_type.model not in FUND_MODELS:
        return
    owner = content_type.get_object_for_this_type(pk=instance.object_id)
    ledger.append(
        follow(owner, type(owner).scope.programme),
        "evidence_attached",
        owner,
        user=instance.uploaded_by,
        payload={
            "attachment": instance.pk,
            "name": instance.original_name,
            "kind": instance.kind,
            "size": instance.size,
            "sha256": instance.sha256,
            "description": instance.description,
        },
    )


def connect():
    from cuntong.attachments.models import Attachment
    from cuntong.programme.models import BudgetAllocation, SubItem

    for model in (BudgetAllocation, SubItem):
        uid = model._meta.label_lower
        pre_save.connect(remember_budget, sender=model, dispatch_uid=f"funds_remember_budget_{uid}")
        post_save.connect(record_budget, sender=model, dispatch_uid=f"funds_record_budget_{uid}")
        post_delete.connect(record_budget_removed, sender=model, dispatch_uid=f"funds_record_budget_removed_{uid}")
    post_save.connect(record_evidence, sender=Attachment, dispatch_uid="funds_record_evidence")
