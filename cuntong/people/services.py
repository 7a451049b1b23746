"""The roster's transactions, and revealing personal data: the one place plaintext leaves a PersonalValue for a user.

A reveal needs what ``policies.may_reveal`` asks (the model's ``reveal_<model>`` permission, the record inside the
user's view scope) and a reason; it is written to the security log before the value is returned. Any model with
encrypted fields and such a permission (residents, user accounts, organisation contacts, later trainees) reveals
through here.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from cuntong.audit import bulk as history
from cuntong.audit.services import log_event
from cuntong.core import freshness
from cuntong.core.actors import SYSTEM, require_actor, restrict
from cuntong.core.fields import EncryptedPersonalField
from cuntong.core.personal import PHONE, RESIDENT_ID, PersonalValue

from . import policies, rules
from .models import Resident


def personal_field_names(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedPersonalField)]


def reveal(user, obj: models.Model, field_name: str, reason: str) -> str:
    """The plaintext of one personal field, after permission, scope and reason checks; logged first."""
    if field_name not in personal_field_names(type(obj)):
        raise ValidationError(_("“%(f)s”不是个人信息字段。") % {"f": field_name}, code="field")
    if not policies.may_reveal(user, obj):
        raise PermissionDenied(_("您没有查看完整个人信息的权限。"))
    error = rules.reveal_reason_error(reason)
    if error:
        raise ValidationError(error, code="reason")
    value = getattr(obj, field_name)
    log_event("reveal", user=user, obj=obj, reason=reason.strip(), field=field_name)
    return value.reveal() if value else ""


def duplicate_of(programme, id_number: str, *, exclude_pk=None) -> Resident | None:
    """The roster entry already holding this ID number in the programme (matched by blind index)."""
    queryset = Resident.objects.filter(programme=programme).with_id_number(id_number)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.first()


# --- the roster in sets (the import) ---------------------------------------------------------------------------


class ResidentImport(NamedTuple):
    """One checked row of a roster import, as ``import_residents`` writes it (ID number and phone validated and
    normalised; the phone may be blank)."""

    village_id: int
    name: str
    id_number: str
    household_number: str
    relation_to_head: str
    phone: str
    is_labour_capable: bool
    is_migrant_worker: bool
    poverty_status: str
    lifted_year: int | None


def stored_id_hashes(programme):
    """(blind index of the ID number, id) of everyone on the programme's roster: one query, streamed."""
    return (
        Resident.objects.filter(programme=programme)
        .exclude(id_number_hash="")
        .values_list("id_number_hash", "pk")
        .iterator(chunk_size=5000)
    )


@transaction.atomic
def import_residents(user, programme, rows: Iterable[ResidentImport], *, batch_size: int = 1000) -> int:
    """Add an import's checked roster rows in batches (bulk inserts, the change history of each person written
    alongside by ``audit.bulk``); ID numbers and phones are encrypted with their blind indexes, as on every save.
    Each batch is checked in one query to lie inside ``user``'s scope for adding: one person outside it undoes the
    whole import. Returns how many people were added."""
    require_actor(user)
    rows = iter(rows)
    written = 0
    while batch := list(islice(rows, batch_size)):
        residents = [
            Resident(
                programme=programme,
                village_id=row.village_id,
                name=row.name,
                id_number=PersonalValue(RESIDENT_ID, row.id_number),
                phone=PersonalValue(PHONE, row.phone) if row.phone else "",
                household_number=row.household_number,
                relation_to_head=row.relation_to_head,
                is_labour_capable=row.is_labour_capable,
                is_migrant_worker=row.is_migrant_worker,
                poverty_status=row.poverty_status,
                lifted_year=row.lifted_year,
            )
            for row in batch
        ]
        history.bulk_create(Resident, residents)
        if user is not SYSTEM:
            pks = [resident.pk for resident in residents]
            if restrict(Resident.objects.filter(pk__in=pks), user, "add").count() != len(pks):
                raise PermissionDenied(_("部分记录超出了您的管辖范围，未导入任何数据。"))
        written += len(residents)
    if written:
        freshness.bump(programme)  # the roster is the poverty-training coverage's denominator
    return written
