"""Verification reads each entry's canonical bytes as the database renders them (no JSON decoded and encoded again),
and that rendering can save time but never change a verdict: the bytes it gives are the ones ``ledger.canonical``
defines, entries it cannot reproduce are recomputed exactly before they are called tampered, values written
differently but read the same verify as before, and values no entry could hold are reported, not raised."""

import datetime
import itertools
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import DatabaseError, connection, transaction

from cuntong.funds import ledger
from cuntong.funds.models import LedgerEntry
from cuntong.web.testing import programme

from .test_ledger import TABLE, as_attacker, chain, set_column  # noqa: F401 (chain is a fixture)

AWKWARD = [
    'a "quoted" name \\ with a backslash',
    "line one\nline two\ttabbed\x01\x1f\x7f",
    "中文 · emoji 😀 and a separator \u2028 here",
    ',"payload":{"forged":true},"x":"',
]


class Person:
    def __init__(self, name):
        self.pk, self.name = None, name

    def __str__(self):
        return self.name


class Subject:
    """A stand-in for a record an event is about: any label, key and name."""

    def __init__(self, pk, name):
        self.pk, self.name = pk, name
        self._meta = SimpleNamespace(label_lower="funds.test_subject")

    def __str__(self):
        return self.name


@pytest.fixture
def paths(monkeypatch):
    """Counts which way each hash was checked: the payload made canonical, or the exact recomputation."""
    calls = {"canonical_payload": 0, "exact": 0}
    canonical_payload, exact = ledger._canonical_payload, ledger._exact_hash

    def counted_canonical_payload(text):
        calls["canonical_payload"] += 1
        return canonical_payload(text)

    def counted_exact(pk):
        calls["exact"] += 1
        return exact(pk)

    monkeypatch.setattr(ledger, "_canonical_payload", counted_canonical_payload)
    monkeypatch.setattr(ledger, "_exact_hash", counted_exact)
    return calls


@pytest.fixture
def awkward(base_data, monkeypatch):
    """Entries holding every kind of value a column can: quotes, backslashes, control characters, emoji, text that
    looks like the document's own keys, no amount, amounts with and without fen, a time on the whole second."""
    moments = itertools.cycle(
        datetime.datetime(2026, 3, 1, 8, 0, second, micro, tzinfo=datetime.UTC)
        for second, micro in [(0, 0), (1, 5), (2, 999999), (3, 0), (4, 120000), (5, 0), (6, 1)]
    )
    monkeypatch.setattr(ledger.timezone, "now", lambda: next(moments))
    pid = programme().pk
    payloads = [
        {"z": 1, "a": [3, {"y": None, "b": True}], "中": "文"},
        {"text": AWKWARD[0], "nested": {"k": AWKWARD[1]}},
        {},
        {"big": 10**20, "negative": -7, "list": [], "empty": ""},
    ]
    amounts = [None, Decimal("0.01"), Decimal("400000"), Decimal("999999999999.99"), Decimal("-12.30")]
    for index, name in enumerate(AWKWARD):
        ledger.append(
            pid,
            "budget_set",
            Subject(f"id {name}", name),
            user=Person(name) if index % 2 else None,
            amount=amounts[index % len(amounts)],
            payload=payloads[index % len(payloads)],
            refs=ledger.Refs(line_id=index or None, request_id=10**12 + index),
        )
    return list(LedgerEntry.objects.filter(programme_id=pid).order_by("seq"))


def _exact_verdicts() -> dict[int, bool]:
    """The definition, applied the slow way: each entry's canonical bytes from the ORM's values."""
    verdicts = {}
    for entry in LedgerEntry.objects.order_by("seq"):
        values = {name: getattr(entry, name) for name in ledger.HASHED_FIELDS}
        verdicts[entry.seq] = ledger.digest(values) == entry.hash
    return verdicts


def test_the_rendering_gives_the_canonical_bytes_of_every_value(awkward, paths):
    assert all(_exact_verdicts().values())
    report = ledger.verify()
    assert report.ok and report.entries == len(awkward)
    assert paths["exact"] == 0, "the database's rendering must reproduce ledger.canonical byte for byte"
    # No JSON decoded at all, but on PostgreSQL for the payloads with nested values (jsonb keeps its own spacing).
    nested = sum(any(isinstance(v, dict | list) and v for v in entry.payload.values()) for entry in awkward)
    assert paths["canonical_payload"] == (0 if connection.vendor == "sqlite" else nested) and nested


def test_rendered_documents_are_the_canonical_bytes(awkward):
    rows = [row for chunk in ledger._stream(programme().pk, 2) for row in chunk]
    for entry, (pk, _pid, seq, _prev, stored, document, _payload) in zip(awkward, rows, strict=True):
        expected = ledger.canonical({name: getattr(entry, name) for name in ledger.HASHED_FIELDS})
        assert (pk, seq, stored) == (entry.pk, entry.seq, entry.hash)
        nested = any(isinstance(value, dict | list) for value in entry.payload.values())
        if connection.vendor == "sqlite" or not nested:
            assert bytes(document) == expected
        else:  # PostgreSQL renders scalar values only: around a nested payload, the bytes are still canonical's
            start = expected.index(b',"payload":')
            end = expected.rindex(b',"prev_hash":"')
            assert bytes(document)[:start] == expected[:start]
            assert bytes(document)[-(len(expected) - end) :] == expected[end:]


def test_payload_text_written_before_the_canonical_encoder_still_verifies(chain, paths):  # noqa: F811
    """Rows stored with Django's default JSON text (ASCII escapes, spaces, keys unsorted) are the ledgers that exist
    already: their payload alone is decoded and encoded, and the chain's definition is unchanged."""
    target = next(e for e in chain if e.payload)
    legacy = json.dumps(dict(reversed(list({**target.payload, "名称": "中文"}.items()))))
    value = {**target.payload, "名称": "中文"}
    values = {name: getattr(target, name) for name in ledger.HASHED_FIELDS} | {"payload": value}
    with as_attacker() as cursor:  # a payload as the default encoder wrote it; the chain hashed as it was then
        cast = "::jsonb" if connection.vendor == "postgresql" else ""
        cursor.execute(f"UPDATE {TABLE} SET payload = %s{cast} WHERE id = %s", [legacy, target.pk])
    _rechain_from(chain, target, values)
    report = ledger.verify()
    assert report.ok, report.problems
    assert paths["canonical_payload"] >= 1 and paths["exact"] == 0


def _rechain_from(chain, target, target_values):  # noqa: F811
    previous = None
    with as_attacker() as cursor:
        for entry in (e for e in chain if e.seq >= target.seq):
            values = (
                target_values
                if entry.pk == target.pk
                else {name: getattr(entry, name) for name in ledger.HASHED_FIELDS}
            )
            if previous is not None:
                values["prev_hash"] = previous
            previous = ledger.digest(values)
            cursor.execute(
                f"UPDATE {TABLE} SET prev_hash = %s, hash = %s WHERE id = %s", [values["prev_hash"], previous, entry.pk]
            )
    from cuntong.funds.models import LedgerHead

    LedgerHead.objects.filter(programme=programme()).update(hash=previous)


@pytest.mark.parametrize(
    ("column", "stored", "recomputed"),
    [("amount", 400000.004, 1), ("time", "T", 0)],
    ids=["money-as-an-inexact-real", "time-with-a-T"],
)
def test_values_written_differently_but_read_the_same_keep_their_verdict(chain, paths, column, stored, recomputed):  # noqa: F811
    """SQLite keeps what it is given: an amount a few thousandths off reads back as the same fen, an ISO time with a
    'T' as the same moment. The ORM sees the entry unchanged, and so does verification (the money by the exact
    recomputation, since the rendering cannot reproduce it; the time is rendered the same)."""
    target = next(e for e in chain if e.event == "request_paid")
    sql = {
        "amount": f"UPDATE {TABLE} SET amount = %s WHERE id = %s",
        "time": f"UPDATE {TABLE} SET time = replace(time, ' ', %s) WHERE id = %s",
    }[column]
    if connection.vendor == "postgresql":  # typed columns: the money is rounded to fen, the time is no text
        if column == "time":
            with pytest.raises(DatabaseError), transaction.atomic(), as_attacker() as cursor:
                cursor.execute(sql, [stored, target.pk])
        else:
            with as_attacker() as cursor:
                cursor.execute(sql, [stored, target.pk])
        assert ledger.verify().ok and paths["exact"] == 0
        return
    with as_attacker() as cursor:
        cursor.execute(sql, [stored, target.pk])
    assert all(_exact_verdicts().values())
    assert ledger.verify().ok
    assert paths["exact"] == recomputed


def test_a_forged_escape_is_detected(awkward):
    """Text written with a literal backslash-n where the entry held a line break renders differently: caught."""
    target = next(e for e in awkward if "\n" in e.subject_repr)
    set_column(target, "subject_repr", target.subject_repr.replace("\n", "\\n"))
    problem = ledger.verify().problems[0]
    assert problem.seq == target.seq and "哈希不符" in problem.reason


def test_text_shaped_like_the_documents_keys_is_detected(awkward):
    target = next(e for e in awkward if e.subject_repr.startswith(',"payload"'))
    set_column(target, "subject_repr", target.subject_repr + " ")
    assert ledger.verify().problems[0].seq == target.seq


@pytest.mark.parametrize("value", ["abc", b"\x00\xff"], ids=["text-as-money", "bytes-as-text"])
def test_values_no_entry_can_hold_are_refused_or_reported_never_raised(chain, value):  # noqa: F811
    """SQLite stores them (the rendering query cannot read a BLOB: every hash is then recomputed from the ORM's
    values); PostgreSQL refuses text as money and stores the bytes as text. Verification names the entry."""
    target = next(e for e in chain if e.event == "request_paid")
    column = "amount" if isinstance(value, str) else "subject_repr"
    try:
        with transaction.atomic(), as_attacker() as cursor:
            cursor.execute(f"UPDATE {TABLE} SET {column} = %s WHERE id = %s", [value, target.pk])
    except DatabaseError:
        assert connection.vendor == "postgresql" and column == "amount"
        assert ledger.verify().ok
        return
    report = ledger.verify()
    assert [p.seq for p in report.problems] == [target.seq]


@pytest.mark.parametrize("chunk_size", [1, 2, 5000])
def test_the_verdict_does_not_depend_on_the_chunk_size(awkward, chunk_size):
    target = awkward[2]
    set_column(target, "via", "x")
    report = ledger.verify(chunk_size=chunk_size)
    assert report.entries == len(awkward) and [p.seq for p in report.problems] == [target.seq]
