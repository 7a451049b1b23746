"""The ledger is a hash chain: tampering with any row in the database — an edit, a deletion, a reordering, even a
rewrite of the whole tail with fresh hashes — is detected by ``cuntong ledger verify``, which names the first bad
entry. On PostgreSQL, triggers refuse UPDATE, DELETE and TRUNCATE; tests lift them as an attacker with the table
owner's rights would."""

import datetime
import json
from contextlib import contextmanager
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from cuntong.funds import ledger, services
from cuntong.funds.models import LedgerEntry, LedgerHead, LedgerSnapshot
from cuntong.web.testing import programme

from .factories import contract, milestone_request, through

TABLE = LedgerEntry._meta.db_table


@contextmanager
def as_attacker():
    """Raw SQL on the ledger table, with PostgreSQL's append-only triggers lifted for the duration."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks of this test's inserts must fire before the table can be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def set_column(entry: LedgerEntry, field_name: str, value) -> None:
    field = LedgerEntry._meta.get_field(field_name)
    with as_attacker() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET {field.column} = %s WHERE id = %s",
            [field.get_db_prep_save(value, connection), entry.pk],
        )


@pytest.fixture
def chain(cast):
    """A programme's chain with budget, contract, request, evidence and payment events."""
    signed = contract(cast.office, amount_wan="100", number=1)
    through(milestone_request(cast.contractor, signed, 1), cast)
    services.decide(cast.office, milestone_request(cast.contractor, signed, 2), "reject", reason="材料不全")
    entries = list(LedgerEntry.objects.filter(programme=programme()).order_by("seq"))
    assert ledger.verify().ok
    return entries


def middle(entries, event: str) -> LedgerEntry:
    return next(e for e in entries if e.event == event)


def first_problem(report) -> ledger.Problem:
    assert not report.ok
    return report.problems[0]


def test_an_untouched_chain_verifies(chain):
    report = ledger.verify()
    assert report.ok and report.entries == len(chain) and report.chains == 1
    assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
    assert chain[0].prev_hash == ledger.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(chain, chain[1:], strict=False))
    head = LedgerHead.objects.get(programme=programme())
    assert (head.seq, head.hash) == (chain[-1].seq, chain[-1].hash)
    out = StringIO()
    call_command("ledger", "verify", "--no-progress", stdout=out)
    assert "ledger OK" in out.getvalue()


EDITS = [
    ("amount", Decimal("400001.00")),
    ("event", "request_rejected"),
    ("actor_name", "某人"),
    ("subject_id", "999"),
    ("subject_repr", "改过的对象"),
    ("payload", {"voucher_number": "PZ-FAKE", "paid_on": "2020-06-01"}),
    ("time", datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)),
    ("via", "web"),
    ("line_id", None),
    ("request_id", 12345),
    ("prev_hash", "f" * 64),
    ("hash", "0" * 64),
]


@pytest.mark.parametrize(("field", "value"), EDITS, ids=[e[0] for e in EDITS])
def test_editing_any_column_of_any_row_is_detected(chain, field, value):
    target = middle(chain, "request_paid")
    set_column(target, field, value)
    assert first_problem(ledger.verify()).seq == target.seq
    with pytest.raises(CommandError):
        call_command("ledger", "verify", "--no-progress", stderr=(err := StringIO()))
    assert f"第 {target.seq} 条（id={target.pk}）" in err.getvalue()


def test_every_row_is_protected(chain):
    """Each entry of the chain, edited in turn, is the one verification names."""
    for entry in chain:
        original = entry.actor_name
        set_column(entry, "actor_name", original + "x")
        assert first_problem(ledger.verify()).seq == entry.seq
        set_column(entry, "actor_name", original)
    assert ledger.verify().ok


def test_deleting_an_entry_is_detected(chain):
    target = middle(chain, "request_reviewed")
    with as_attacker() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [target.pk])
    problem = first_problem(ledger.verify())
    assert problem.seq == target.seq + 1
    assert "删除" in problem.reason


def test_deleting_the_last_entry_is_detected_by_the_head(chain):
    with as_attacker() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [chain[-1].pk])
    problem = first_problem(ledger.verify())
    assert "链头" in problem.reason


def test_reordering_entries_is_detected(chain):
    a, b = chain[5], chain[6]
    with as_attacker() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET seq = %s WHERE id = %s", [10**9, a.pk])
        cursor.execute(f"UPDATE {TABLE} SET seq = %s WHERE id = %s", [a.seq, b.pk])
        cursor.execute(f"UPDATE {TABLE} SET seq = %s WHERE id = %s", [b.seq, a.pk])
    assert first_problem(ledger.verify()).seq == a.seq


def test_a_rewritten_tail_with_fresh_hashes_is_caught_by_the_published_head(chain):
    """An attacker who recomputes every hash after the edit and moves the head fools the chain itself, but not
    the head published on the public page before the rewrite."""
    snapshot = ledger.snapshot_today(programme().pk)
    target = middle(chain, "request_paid")
    previous = next(e for e in chain if e.seq == target.seq - 1).hash
    with as_attacker() as cursor:
        for entry in (e for e in chain if e.seq >= target.seq):
            values = {name: getattr(entry, name) for name in ledger.HASHED_FIELDS}
            values["prev_hash"] = previous
            if entry.pk == target.pk:
                values["payload"] = {**entry.payload, "voucher_number": "PZ-FAKE"}
            digest = ledger.digest(values)
            payload = LedgerEntry._meta.get_field("payload").get_db_prep_save(values["payload"], connection)
            cursor.execute(
                f"UPDATE {TABLE} SET payload = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [payload, previous, digest, entry.pk],
            )
            previous = digest
    LedgerHead.objects.filter(programme=programme()).update(hash=previous)
    problem = first_problem(ledger.verify())
    assert problem.seq == snapshot.seq
    assert str(snapshot.day) in problem.reason


def test_appends_continue_the_chain_and_snapshots_stay_valid(chain):
    snapshot = ledger.snapshot_today(programme().pk)
    assert ledger.snapshot_today(programme().pk) == snapshot  # one a day
    entry = ledger.append(programme().pk, "budget_set", programme(), amount=Decimal(1))
    assert entry.seq == snapshot.seq + 1 and entry.prev_hash == snapshot.hash
    assert ledger.verify().snapshots == 1 and ledger.verify().ok


def test_entries_recompute_to_their_hash_and_money_is_never_float(chain):
    entry = middle(chain, "request_paid")
    document = json.loads(ledger.canonical({name: getattr(entry, name) for name in ledger.HASHED_FIELDS}))
    assert document["amount"] == "400000.00" and document["prev_hash"] == entry.prev_hash
    assert ledger.digest({name: getattr(entry, name) for name in ledger.HASHED_FIELDS}) == entry.hash
    with pytest.raises(TypeError):
        ledger.append(programme().pk, "budget_set", programme(), payload={"x": 1.5})


def test_the_application_cannot_change_or_delete_entries(chain):
    entry = chain[3]
    entry.actor_name = "x"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        LedgerEntry.objects.filter(pk=entry.pk).update(actor_name="x")
    with pytest.raises(PermissionError):
        LedgerEntry.objects.all().delete()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {TABLE} SET actor_name = 'x'",
        f"DELETE FROM {TABLE}",
        f"TRUNCATE {TABLE} CASCADE",
    ],
    ids=["update", "delete", "truncate"],
)
def test_postgresql_triggers_refuse_changes(chain, statement):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # so TRUNCATE meets the trigger, not pending FK checks
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert "append-only" in str(caught.value)
    assert LedgerEntry.objects.count() == len(chain)


def test_snapshot_command_and_head_command(chain):
    out = StringIO()
    call_command("ledger", "snapshot", stdout=out)
    snapshot = LedgerSnapshot.objects.get(programme=programme())
    assert snapshot.hash in out.getvalue() and snapshot.seq == chain[-1].seq
    out = StringIO()
    call_command("ledger", "head", stdout=out)
    assert chain[-1].hash in out.getvalue()


def test_wiping_a_programme_chain_lifts_the_triggers_only_inside_the_block(chain):
    """``triggers_disabled`` (used by ``cuntong flush`` and the benchmark's reset) works after other writes in the
    same transaction, and the triggers are back afterwards."""
    with ledger.triggers_disabled():
        LedgerEntry._base_manager.filter(programme=programme()).delete()
    assert not LedgerEntry.objects.exists()
    if connection.vendor == "postgresql":
        ledger.append(programme().pk, "budget_set", programme(), amount=Decimal(1))
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"DELETE FROM {TABLE}")
