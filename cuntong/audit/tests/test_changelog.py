"""Change history: every scoped record's create, update and delete (who, when, before/after), personal data masked,
filed under the record's area so it is read with the same scope."""

import pytest

from cuntong.accounts.models import Organisation
from cuntong.audit.changelog import history_of
from cuntong.audit.context import acting_as
from cuntong.audit.models import ChangeRecord
from cuntong.people.tests.factories import id_number, make_resident
from cuntong.web.testing import HONGYANG, PUNING, area, make_user, programme

pytestmark = pytest.mark.usefixtures("base_data")


def test_create_update_delete_are_recorded_with_who_and_what(db):
    actor = make_user("office", "office")
    with acting_as(actor, via="web", address="10.1.2.3"):
        organisation = Organisation.objects.create(
            name="某合作社", kind="cooperative", area=area(HONGYANG), programme=programme()
        )
        organisation.duties = "青梅收购"
        organisation.save()
        organisation.save()  # no change, no record
        organisation_pk = organisation.pk
        organisation.delete()
    create, update, delete = ChangeRecord.objects.filter(object_id=str(organisation_pk)).order_by("time", "pk")
    assert (create.action, update.action, delete.action) == ("create", "update", "delete")
    assert update.user == actor and update.address == "10.1.2.3" and update.via == "web"
    assert update.changed_fields == [("duties", "", "青梅收购")]
    assert delete.after is None and delete.before["name"] == "某合作社"
    assert create.area.code == HONGYANG


def test_personal_data_is_masked_and_blind_indexes_left_out(db):
    resident = make_resident(HONGYANG, 1, name="张三丰")
    with acting_as(None, via="test"):
        resident.phone = "13700001111"
        resident.save()
    create, update = history_of(resident).order_by("time", "pk")
    assert create.after["id_number"] == f"{id_number(1)[:6]}********{id_number(1)[-4:]}"
    assert create.after["name"] == "张**" and create.object_repr.startswith("张** 445281")
    assert "id_number_hash" not in create.after and "phone_hash" not in create.after
    assert update.changed_fields == [("phone", "138****0001", "137****1111")]
    assert create.area.code == "445281104201"  # the village


def test_accounts_are_filed_under_their_scope_and_never_record_passwords(db):
    user = make_user("clerk", "township", HONGYANG)
    user.set_password("Another#Pass1")
    user.display_name = "王干部"
    user.save()
    records = history_of(user)
    assert all("password" not in (r.after or {}) and "password" not in (r.before or {}) for r in records)
    membership = ChangeRecord.objects.get(content_type__model="membership", object_id=str(user.memberships.get().pk))
    assert membership.area.code == HONGYANG
    update = records.get(action="update")
    assert update.area.code == HONGYANG and update.changed_fields == [("display_name", "", "王干部")]


def test_programme_records_are_filed_under_the_county(db):
    record = ChangeRecord.objects.filter(content_type__model="project").first()
    assert record.area.code == PUNING and record.programme == programme()


def test_audit_rows_refuse_updates_and_deletes(db):
    record = ChangeRecord.objects.first()
    record.object_repr = "改写"
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()
