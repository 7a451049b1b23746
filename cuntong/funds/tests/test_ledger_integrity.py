"""The ledger beyond its chain: daily head snapshots are as append-only as the entries, ``verify`` checks a head
hash kept outside the database, the public page writes nothing, and event kinds are a closed set."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cuntong.funds import ledger
from cuntong.funds.models import LedgerEntry, LedgerEvent, LedgerHead, LedgerSnapshot
from cuntong.web.testing import programme

from .factories import contract

SNAPSHOTS = LedgerSnapshot._meta.db_table
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def chain(cast):
    contract(cast.office, number=1)
    return list(LedgerEntry.objects.filter(programme=programme()).order_by("seq"))


# --- snapshots are append-only ----------------------------------------------------------------------------------


def test_the_application_cannot_rewrite_a_snapshot(chain):
    snapshot = ledger.snapshot_today(programme().pk)
    snapshot.hash = "f" * 64
    with pytest.raises(PermissionError):
        snapshot.save()
    with pytest.raises(PermissionError):
        snapshot.delete()
    with pytest.raises(PermissionError):
        LedgerSnapshot.objects.filter(pk=snapshot.pk).update(hash="f" * 64)
    with pytest.raises(PermissionError):
        LedgerSnapshot.objects.all().delete()
    assert LedgerSnapshot.objects.get().hash == chain[-1].hash


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [f"UPDATE {SNAPSHOTS} SET hash = repeat('f', 64)", f"DELETE FROM {SNAPSHOTS}", f"TRUNCATE {SNAPSHOTS}"],
    ids=["update", "delete", "truncate"],
)
def test_postgresql_refuses_rewriting_a_snapshot(chain, statement):
    snapshot = ledger.snapshot_today(programme().pk)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert "append-only" in str(caught.value)
    assert LedgerSnapshot.objects.get().hash == snapshot.hash
    with ledger.triggers_disabled():  # the one sanctioned way (cuntong flush, the benchmark's reset)
        LedgerSnapshot._base_manager.all().delete()
    assert not LedgerSnapshot.objects.exists()


# --- verify against a head published outside the database ------------------------------------------------------


def _verify(*options):
    out, err = StringIO(), StringIO()
    call_command("ledger", "verify", "--no-progress", *options, stdout=out, stderr=err)
    return out.getvalue()


def _rewrite_last_entry(entry: LedgerEntry) -> None:
    """What the table owner could do unseen by the chain alone: rewrite the newest entry with a fresh hash and
    move the head to it."""
    values = {name: getattr(entry, name) for name in ledger.HASHED_FIELDS}
    values["payload"] = {**entry.payload, "contractor": "伪造单位"}
    digest = ledger.digest(values)
    payload = LedgerEntry._meta.get_field("payload").get_db_prep_save(values["payload"], connection)
    with ledger.triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {LedgerEntry._meta.db_table} SET payload = %s, hash = %s WHERE id = %s",
            [payload, digest, entry.pk],
        )
    LedgerHead.objects.filter(programme=programme()).update(hash=digest)


def test_verify_accepts_the_published_head_and_refuses_a_rewrite(chain, tmp_path):
    published = chain[-1].hash
    assert "the published head" in _verify("--head", published)
    _rewrite_last_entry(chain[-1])
    assert ledger.verify().ok  # the chain alone cannot tell
    with pytest.raises(CommandError, match="verification FAILED"):
        _verify("--head", published)
    problem = ledger.verify(published=published).problems[0]
    assert published in problem.reason and "不存在" in problem.reason


def test_verify_reads_the_head_from_a_file_or_the_public_json(chain, tmp_path):
    bare = tmp_path / "head.txt"
    bare.write_text(chain[-1].hash.upper() + "\n")
    assert "ledger OK" in _verify("--head-file", str(bare))
    public = tmp_path / "head.json"
    public.write_text(Client().get(f"/funds/public/{programme().code}/head.json").content.decode())
    assert json.loads(public.read_text())["today"]["hash"] == chain[-1].hash
    assert "ledger OK" in _verify("--head-file", str(public), "--programme", programme().code)
    public.write_text(json.dumps({"today": {"hash": "a" * 64}}))
    with pytest.raises(CommandError):
        _verify("--head-file", str(public))


@pytest.mark.parametrize("head", ["abc", "g" * 64])
def test_verify_refuses_what_is_not_a_head_hash(chain, head):
    with pytest.raises(CommandError, match="not a SHA-256 head hash"):
        _verify("--head", head)


def test_verify_names_a_missing_head_file(chain, tmp_path):
    with pytest.raises(CommandError, match="cannot read head file"):
        _verify("--head-file", str(tmp_path / "missing.txt"))


# --- a public GET writes nothing --------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["", "head.json"])
def test_the_public_page_writes_nothing(chain, page):
    anonymous = Client()
    counts = (LedgerSnapshot.objects.count(), LedgerHead.objects.count(), LedgerEntry.objects.count())
    with CaptureQueriesContext(connection) as queries:
        response = anonymous.get(f"/funds/public/{programme().code}/{page}")
    assert response.status_code == 200 and chain[-1].hash in response.content.decode()
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert writes == []
    assert (LedgerSnapshot.objects.count(), LedgerHead.objects.count(), LedgerEntry.objects.count()) == counts


def test_the_public_page_shows_the_head_recorded_today_else_the_live_one(cast, chain):
    url = f"/funds/public/{programme().code}/head.json"
    live = {"day": timezone.localdate().isoformat(), "seq": chain[-1].seq, "hash": chain[-1].hash}
    assert Client().get(url).json()["today"] == live
    ledger.snapshot_today(programme().pk)  # the daily `cuntong ledger snapshot`
    contract(cast.office, number=2)  # moves the live head, not the day's recorded one
    assert ledger.current_head(programme().pk)[0] > chain[-1].seq
    assert Client().get(url).json()["today"] == live


# --- event kinds are a closed set -------------------------------------------------------------------------------


def test_an_unknown_event_kind_is_refused(chain):
    with pytest.raises(ValueError, match="unknown ledger event"):
        ledger.append(programme().pk, "money_vanished", programme(), amount=Decimal(1))
    entry = chain[-1]
    values = {f.attname: getattr(entry, f.attname) for f in LedgerEntry._meta.concrete_fields if not f.primary_key}
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(**{**values, "seq": entry.seq + 100, "event": "money_vanished"})
    assert ledger.verify().ok


def test_event_labels_live_with_the_model(chain):
    assert chain[0].event_label == str(LedgerEvent(chain[0].event).label)
    assert {"request_approved", "appeal_upheld", "subsidy_batch_computed"} <= set(LedgerEvent.values)
