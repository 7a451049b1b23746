"""High-volume rows (issue #11 item 6): change history stays cheap because a model either keeps it (every change
recorded, bulk writes through ``audit.bulk``) or is append-only (``core.appendonly.AppendOnlyModel``: the row is its
own record, refused edits in the ORM and, on PostgreSQL, in the database) and written in batches by
``append_rows``. A meta-test allows no other untracked model without a stated reason."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from cuntong.audit import bulk
from cuntong.audit.changelog import history_of
from cuntong.audit.models import ChangeRecord
from cuntong.core.appendonly import AppendOnlyModel, append_rows, protected_tables
from cuntong.core.models import business_models, is_tracked
from cuntong.web.testing import HONGYANG, area, make_user, programme

# Models that keep no change history although their rows change, each with the reason.
MUTABLE_UNTRACKED = {
    "jobs.Job": "a background job's own progress (a heartbeat every few seconds), not a record of the programme; "
    "what the job changes is recorded by the services it runs",
    "logistics.Parcel": "a shared-delivery parcel's current stage (scanned many times a day): each step is its own "
    "append-only row (logistics.ParcelEvent), which is the record",
    "notify.Delivery": "a delivery's own sending state (claimed, retrying, sent); each attempt is its own append-only "
    "row (notify.DeliveryAttempt), which is the record",
}
# Append-only models whose PostgreSQL triggers are written by hand instead of append_only_triggers().
HAND_WRITTEN_TRIGGERS = {
    "audit.ChangeRecord": "audit/migrations/0003: old rows may be purged, a deleted user's reference cleared",
    "audit.SecurityEvent": "audit/migrations/0003: old rows may be purged, a deleted user's reference cleared",
}


def untracked_and_mutable(models) -> set[str]:
    return {m._meta.label for m in models if not is_tracked(m) and not issubclass(m, AppendOnlyModel)} - set(
        MUTABLE_UNTRACKED
    )


def test_a_model_without_history_is_append_only():
    assert not untracked_and_mutable(business_models()), "declare these AppendOnlyModel or keep their history"
    for label in MUTABLE_UNTRACKED:  # each exemption is still needed
        model = apps.get_model(label)
        assert not is_tracked(model) and not issubclass(model, AppendOnlyModel), label


def test_the_meta_test_catches_an_untracked_mutable_model():
    from cuntong.stations.models import CheckIn

    class Untracked:
        _meta = SimpleNamespace(label="stations.Untracked")
        scope = CheckIn.scope
        track_changes = False

    assert untracked_and_mutable([*business_models(), Untracked]) == {"stations.Untracked"}


def test_every_append_only_model_is_protected_in_the_database():
    models = [m for m in apps.get_models() if issubclass(m, AppendOnlyModel)]
    assert {m._meta.label for m in models} >= {
        "funds.LedgerEntry",
        "funds.LedgerSnapshot",
        "stations.StationEvent",
        "stations.ReportRevision",
        *HAND_WRITTEN_TRIGGERS,
    }
    for model in models:
        names = {trigger.name for trigger in getattr(model._meta, "triggers", [])}
        assert {"append_only", "no_truncate"} <= names or model._meta.label in HAND_WRITTEN_TRIGGERS, model
        assert not is_tracked(model), model
    assert set(protected_tables()) == {m._meta.db_table for m in models}  # what `cuntong flush` lifts


# --- writing: append_rows for untracked rows, audit.bulk for tracked ones -------------------------------------------


@pytest.fixture
def station(base_data):
    from cuntong.stations.tests.factories import make_station

    return make_station(f"{HONGYANG}201")


def _events(station, count: int, **fields):
    from cuntong.stations.models import StationEvent

    values = {"from_status": "operating", "to_status": "operating", **fields}
    for day in range(count):
        yield StationEvent(station=station, on=datetime.date(2021, 1, 1 + day), **values)


def test_append_rows_writes_batches_in_one_transaction_without_history(station):
    from cuntong.stations.models import StationEvent

    before = StationEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        assert append_rows(StationEvent, _events(station, 5, reason="批量"), batch_size=2) == 5
    inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "stations_stationevent"')]
    assert len(inserts) == 3  # 2 + 2 + 1
    assert StationEvent.objects.count() == before + 5
    StationEvent.objects.create(station=station, to_status="operating", on=datetime.date(2021, 2, 1))
    assert not ChangeRecord.objects.filter(content_type__model="stationevent").exists()


def test_append_rows_writes_all_or_nothing(station):
    from cuntong.stations.models import StationEvent

    before = StationEvent.objects.count()
    rows = [*_events(station, 3), *_events(station, 1, to_status=None)]  # the last batch breaks a NOT NULL
    with pytest.raises(IntegrityError), transaction.atomic():
        append_rows(StationEvent, rows, batch_size=2)
    assert StationEvent.objects.count() == before


def test_a_tracked_models_bulk_write_is_recorded_or_refused(base_data):
    from cuntong.stations.models import CandidateSite

    assert is_tracked(CandidateSite)
    site = CandidateSite(
        programme=programme(), village=area(f"{HONGYANG}201"), name="批量候选点", latitude="23.43", longitude="116.27"
    )
    with pytest.raises(ValueError, match="keeps change history"):
        append_rows(CandidateSite, [site])
    (created,) = bulk.bulk_create(CandidateSite, [site])
    assert history_of(created).get().action == "create"


# --- append-only rows refuse edits --------------------------------------------------------------------------------


def test_append_only_rows_refuse_edits_through_the_orm(station):
    from cuntong.stations.models import ReportRevision, StationEvent
    from cuntong.stations.tests.factories import make_report

    event = station.events.first()
    revision = ReportRevision.objects.create(
        report=make_report(station, datetime.date(2021, 1, 1)), reason="更正", before={}, after={}
    )
    for row, model in ((event, StationEvent), (revision, ReportRevision)):
        row.reason = "改写"
        refusals = (
            row.save,
            row.delete,
            lambda model=model, row=row: model.objects.filter(pk=row.pk).update(reason="改写"),
            lambda model=model, row=row: model.objects.bulk_update([row], ["reason"]),
            lambda model=model, row=row: model.objects.filter(pk=row.pk).delete(),
        )
        for refused in refusals:
            with pytest.raises(PermissionError, match="is append-only"):
                refused()
        assert model.objects.get(pk=row.pk).reason != "改写"


def _refused(statement: str, params=()) -> str:
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(statement, params)
    return str(caught.value)


@pytest.mark.postgres
def test_postgresql_refuses_edits_but_lets_a_deleted_users_reference_go(station):
    from cuntong.stations.models import StationEvent

    clerk, other = make_user("append-clerk", "office"), make_user("append-other", "office")
    event = StationEvent.objects.create(station=station, to_status="operating", on=datetime.date(2021, 3, 1), by=clerk)
    table = StationEvent._meta.db_table
    assert "append-only" in _refused(f"UPDATE {table} SET reason = 'x' WHERE id = %s", [event.pk])
    assert "append-only" in _refused(f"UPDATE {table} SET by_id = %s WHERE id = %s", [other.pk, event.pk])
    assert "append-only" in _refused(f"DELETE FROM {table} WHERE id = %s", [event.pk])
    assert "append-only" in _refused(f"TRUNCATE {table} CASCADE")
    clerk.delete()  # on_delete=SET_NULL: the one change the trigger allows
    assert StationEvent.objects.get(pk=event.pk).by_id is None
