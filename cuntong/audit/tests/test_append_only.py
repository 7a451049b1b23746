"""On PostgreSQL the database itself keeps the audit trail: no UPDATE (but the clearing of a deleted user's
reference), no DELETE of rows younger than 180 days, no TRUNCATE — whatever the application or a console does."""

import pytest
from django.db import DatabaseError, connection, transaction

from cuntong.audit.models import ChangeRecord, SecurityEvent
from cuntong.audit.services import log_event
from cuntong.web.testing import backdate, make_user

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("base_data")]


def _refused(statement: str, params=()) -> str:
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # so TRUNCATE meets the trigger, not pending FK checks
        cursor.execute(statement, params)
    return str(caught.value)


@pytest.mark.parametrize("model", [ChangeRecord, SecurityEvent])
def test_rows_cannot_be_edited_deleted_young_or_truncated(model):
    log_event("login", username="someone")
    row = model.objects.order_by("-pk").first()
    table = model._meta.db_table
    assert "append-only" in _refused(f"UPDATE {table} SET time = time - interval '1 day' WHERE id = %s", [row.pk])
    assert "180 days" in _refused(f"DELETE FROM {table} WHERE id = %s", [row.pk])
    assert "append-only" in _refused(f"TRUNCATE {table} CASCADE")
    assert model.objects.filter(pk=row.pk, time=row.time).exists()


def test_rows_older_than_180_days_may_be_purged():
    event = log_event("login", username="someone")
    backdate(SecurityEvent, event.pk, 181)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_securityevent WHERE id = %s", [event.pk])
    assert not SecurityEvent.objects.filter(pk=event.pk).exists()


def test_deleting_a_user_clears_the_reference_and_keeps_the_name():
    user = make_user("leaver", "office")
    event = log_event("login", user=user)
    user.delete()
    event = SecurityEvent.objects.get(pk=event.pk)
    assert event.user_id is None and event.username == "leaver"
    assert "append-only" in _refused(
        "UPDATE audit_securityevent SET user_id = NULL, username = 'x' WHERE id = %s", [event.pk]
    )
