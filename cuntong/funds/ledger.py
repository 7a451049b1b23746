"""The fund ledger: an append-only hash chain per programme (可追溯的痕迹管理).

Each entry's ``hash`` is the SHA-256 of its canonical JSON (sorted keys, no spaces, UTF-8), and that JSON holds the
previous entry's hash, so changing, removing or reordering any entry breaks every link after it. Appends lock the
programme's :class:`LedgerHead` row, so they are serialised. On PostgreSQL, triggers refuse UPDATE, DELETE and
TRUNCATE on the entries table; on any database :func:`verify` re-reads the whole chain (streaming, flat memory) and
names the first entry that does not hold. The head is snapshotted once a day and shown on a public page: anyone who
noted it can later prove the chain was not rewritten, because :func:`verify` checks every snapshot too.

The digest is chosen here and nowhere else (``DIGEST``), so a later SM3 requirement changes one line.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cuntong.audit.context import current_actor
from cuntong.core import appendonly

from .models import CanonicalJSONEncoder, LedgerEntry, LedgerEvent, LedgerHead, LedgerSnapshot

DIGEST = hashlib.sha256
GENESIS = "0" * 64
FORMAT_VERSION = 1
ENTRY_TABLE = LedgerEntry._meta.db_table
PROTECTED_TABLES = (ENTRY_TABLE, LedgerSnapshot._meta.db_table)

# --- canonical form ---------------------------------------------------------------------------------------------


def _plain(value):
    """JSON-safe values only: money as fixed two-place strings, never floats."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        raise TypeError("ledger payloads must not hold floats")
    return str(value)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")


# The columns a hash covers, in the order verify() reads them.
HASHED_FIELDS = (
    "programme_id",
    "seq",
    "time",
    "event",
    "actor_id",
    "actor_name",
    "via",
    "subject_type",
    "subject_id",
    "subject_repr",
    "amount",
    "line_id",
    "sub_item_id",
    "contract_id",
    "request_id",
    "payload",
    "prev_hash",
)


_ENCODER = CanonicalJSONEncoder()


def canonical(values: dict) -> bytes:
    """The bytes an entry's hash is taken of."""
    document = {
        "v": FORMAT_VERSION,
        **{name: values[name] for name in HASHED_FIELDS},
        "time": _utc(values["time"]),
        "amount": None if values["amount"] is None else f"{values['amount']:.2f}",
        "payload": _plain(values["payload"]),
    }
    return _ENCODER.encode(document).encode()


def digest(values: dict) -> str:
    return DIGEST(canonical(values)).hexdigest()


# --- appending --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refs:
    """What an event concerns, for timelines: the budget line, sub-item, contract and request (ids or None)."""

    line_id: int | None = None
    sub_item_id: int | None = None
    contract_id: int | None = None
    request_id: int | None = None


def refs_of(obj) -> Refs:
    """Timeline references of a fund record (a request, contract, appeal, batch or budget row)."""
    from cuntong.programme.models import BudgetAllocation, SubItem

    from .models import Appeal, Contract, DisbursementRequest, SubsidyBatch

    if isinstance(obj, DisbursementRequest):
        return Refs(obj.allocation_id, obj.sub_item_id, obj.contract_id, obj.pk)
    if isinstance(obj, Contract):
        return Refs(obj.allocation_id, obj.sub_item_id, obj.pk, None)
    if isinstance(obj, Appeal):
        return refs_of(obj.request) if obj.request_id else Refs()
    if isinstance(obj, SubsidyBatch):
        return refs_of(obj.request)
    if isinstance(obj, BudgetAllocation):
        return Refs(line_id=obj.pk)
    if isinstance(obj, SubItem):
        return Refs(sub_item_id=obj.pk)
    return Refs()


def _lock_head(programme_id: int) -> LedgerHead:
    head = LedgerHead.objects.select_for_update().filter(programme_id=programme_id).first()
    if head is None:
        LedgerHead.objects.get_or_create(programme_id=programme_id, defaults={"seq": 0, "hash": GENESIS})
        head = LedgerHead.objects.select_for_update().get(programme_id=programme_id)
    return head


def append(
    programme_id: int,
    event: str,
    subject,
    *,
    user=None,
    amount: Decimal | None = None,
    payload: dict | None = None,
    refs: Refs | None = None,
) -> LedgerEntry:
    """Append one event to the programme's chain; call inside the transaction that makes the change it records."""
    if event not in LedgerEvent.values:
        raise ValueError(f"unknown ledger event {event!r}: add it to LedgerEvent first")
    actor = current_actor()
    user = user if user is not None else actor.user
    refs = refs or refs_of(subject)
    with transaction.atomic():
        head = _lock_head(programme_id)
        values = {
            "programme_id": programme_id,
            "seq": head.seq + 1,
            "time": timezone.now(),
            "event": event,
            "actor_id": getattr(user, "pk", None),
            "actor_name": str(user)[:150] if user is not None else actor.via,
            "via": actor.via,
            "subject_type": subject._meta.label_lower,
            "subject_id": str(subject.pk),
            "subject_repr": str(subject)[:200],
            "amount": None if amount is None else Decimal(amount).quantize(Decimal("0.01")),
            "line_id": refs.line_id,
            "sub_item_id": refs.sub_item_id,
            "contract_id": refs.contract_id,
            "request_id": refs.request_id,
            "payload": _plain(payload or {}),
            "prev_hash": head.hash,
        }
        entry = LedgerEntry.objects.create(**values, hash=digest(values))
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash", "updated_at"])
    return entry


# --- verifying --------------------------------------------------------------------------------------------------


@dataclass
class Problem:
    programme_id: int
    seq: int | None
    entry_id: int | None
    reason: str
    programme_code: str = ""

    def __str__(self) -> str:
        where = _("第 %(seq)s 条（id=%(id)s）") % {"seq": self.seq, "id": self.entry_id} if self.seq else ""
        return _("示范项目 %(programme)s %(where)s：%(reason)s") % {
            "programme": self.programme_code or self.programme_id,
            "where": where,
            "reason": self.reason,
        }


@dataclass
class Report:
    entries: int = 0
    chains: int = 0
    snapshots: int = 0
    problems: list[Problem] = None

    def __post_init__(self):
        self.problems = self.problems or []

    @property
    def ok(self) -> bool:
        return not self.problems


# How verification reads entries. The database renders each hashed column as the JSON text ``canonical`` writes
# for it (a string quoted and escaped, a number as digits, money with two places, the time in UTC with microseconds)
# with its key, into the entry's whole document, and sends it as bytes. No row is decoded into Python objects and no
# JSON is encoded again: the bytes go straight to the digest. The payload is the stored text on SQLite (written
# canonical by ``CanonicalJSONEncoder``) and rendered from jsonb on PostgreSQL (keys sorted, scalar values). Where the
# document does not reproduce the hash (a nested value on PostgreSQL, SQLite rows written before the encoder), the
# payload alone is decoded and encoded; where that does not either, the entry is recomputed exactly as ``canonical``
# defines it, from the ORM's values, before it is called tampered. So the fast paths save time but never change a
# verdict (docs/decisions.md, "Ledger verification").
_INTEGERS = frozenset({"programme_id", "seq", "actor_id", "line_id", "sub_item_id", "contract_id", "request_id"})
_TEXTS = frozenset({"event", "actor_name", "via", "subject_type", "subject_id", "subject_repr", "prev_hash"})


def _postgresql_value(name: str, column: str) -> str:
    """SQL rendering column ``name`` as its JSON text, on PostgreSQL."""
    if name in _INTEGERS:
        return f"COALESCE({column}::text, 'null')"
    if name in _TEXTS:
        return f"COALESCE(to_json({column})::text, 'null')"
    if name == "amount":  # numeric(…, 2): its text has exactly two places
        return f"""COALESCE('"' || {column}::text || '"', 'null')"""
    if name == "time":
        return f"""to_json(to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'))::text"""
    return f"'{FORMAT_VERSION:d}'"  # "v"


def _postgresql_payload(column: str) -> str:
    """The payload's canonical text, on PostgreSQL, for an object whose values are scalars (jsonb reformats what it
    stores; a nested value keeps jsonb's spacing, cannot match, and only that payload is made canonical in Python).
    ``COLLATE "C"`` orders keys by their UTF-8 bytes, which is Python's order of code points."""
    pairs = """string_agg(to_json(pair.key)::text || ':' || pair.value::text, ',' ORDER BY pair.key COLLATE "C")"""
    return (
        f"CASE WHEN jsonb_typeof({column}) = 'object' "
        f"THEN COALESCE((SELECT '{{' || {pairs} || '}}' FROM jsonb_each({column}) AS pair), '{{}}') "
        f"ELSE {column}::text END"
    )


def _sqlite_value(name: str, column: str) -> str:
    """SQL giving column ``name``'s value as ``json_object`` is to render it, on SQLite."""
    if name == "amount":
        # Money is kept as an INTEGER or a REAL; a REAL gets two places only where they read back as the same number
        # (any other value is rendered as it is, cannot match, and is recomputed exactly).
        two_places = f"printf('%%.2f', {column})"
        return (
            f"CASE typeof({column}) WHEN 'integer' THEN {column} || '.00' "
            f"WHEN 'real' THEN iif(CAST({two_places} AS REAL) = {column}, {two_places}, {column}) ELSE {column} END"
        )
    if name == "time":  # stored as 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC
        return (
            f"replace({column}, ' ', 'T') || CASE WHEN instr({column}, '.') > 0 THEN '' ELSE '.000000' END || '+00:00'"
        )
    return f"{FORMAT_VERSION:d}" if name == "v" else column


def _rows_sql(vendor: str, quote, filtered: bool) -> str:
    """One query streaming ``(id, programme_id, seq, prev_hash, hash, document, payload)`` in chain order: the
    document is the entry's canonical bytes when its payload text is canonical (UTF-8, never decoded here)."""
    meta = LedgerEntry._meta
    fields = {name: quote(meta.get_field(name).column) for name in HASHED_FIELDS}
    keys = sorted(["v", *HASHED_FIELDS])
    split = keys.index("payload")
    groups = (keys[:split], keys[split + 1 :])
    if vendor == "sqlite":  # json_object escapes as the canonical encoder does, and concatenates in one pass
        first, second = (
            "json_object(" + ", ".join(f"'{key}', {_sqlite_value(key, fields.get(key))}" for key in group) + ")"
            for group in groups
        )
        payload = fields["payload"]
        document = (
            f"""CAST(rtrim({first}, '}}') || ',"payload":' || {payload} || ',' || ltrim({second}, '{{') AS BLOB)"""
        )
    elif vendor == "postgresql":
        first, second = (
            [f"""'"{key}":' || {_postgresql_value(key, fields.get(key))}""" for key in group] for group in groups
        )
        payload = f"{fields['payload']}::text"
        before = "'{' || " + " || ',' || ".join(first) + """ || ',"payload":'"""
        after = "',' || " + " || ',' || ".join(second) + " || '}'"
        document = f"convert_to({before} || {_postgresql_payload(fields['payload'])} || {after}, 'UTF8')"
    else:
        raise ImproperlyConfigured(f"ledger verification reads SQLite or PostgreSQL, not {vendor}")
    where = f"WHERE {fields['programme_id']} = %s " if filtered else ""
    return (
        f"SELECT {quote(meta.pk.column)}, {fields['programme_id']}, {fields['seq']}, {fields['prev_hash']}, "
        f"{quote(meta.get_field('hash').column)}, {document}, {payload} "
        f"FROM {quote(ENTRY_TABLE)} {where}ORDER BY {fields['programme_id']}, {fields['seq']}"
    )


def _stream(programme_id: int | None, chunk_size: int) -> Iterator[list[tuple]]:
    """Chunks of entries as ``_rows_sql`` renders them, through a server-side cursor on PostgreSQL (call inside a
    transaction, so it is not materialised first) and in ``fetchmany`` chunks elsewhere: memory stays flat."""
    connection = connections[LedgerEntry.objects.db]
    sql = _rows_sql(connection.vendor, connection.ops.quote_name, programme_id is not None)
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, [] if programme_id is None else [programme_id])
        while rows := cursor.fetchmany(chunk_size):
            yield rows


def _stream_exact(programme_id: int | None, chunk_size: int) -> Iterator[tuple]:
    """The same rows without the rendering (``None``), so each hash is recomputed exactly, one entry at a time: for a
    table the rendering query cannot read (a SQLite column holding a BLOB, which no entry written here holds)."""
    rows = LedgerEntry.objects.order_by("programme_id", "seq")
    if programme_id is not None:
        rows = rows.filter(programme_id=programme_id)
    rows = rows.values_list("pk", "programme_id", "seq", "prev_hash", "hash").iterator(chunk_size=chunk_size)
    while chunk := list(itertools.islice(rows, chunk_size)):
        yield [(*row, None, None) for row in chunk]


def _canonical_payload(text: str) -> str:
    """Stored payload text made canonical (what :func:`append` stored was already plain: strings, integers, lists,
    objects; a float, which no entry holds, is encoded as it is, cannot match, and is recomputed exactly)."""
    return _ENCODER.encode(json.loads(text))


def _exact_hash(pk: int) -> str | None:
    """The entry's hash recomputed exactly as ``canonical`` defines it, from the values the ORM reads (None when
    they cannot be read: no entry written by :func:`append` holds such values)."""
    try:
        row = LedgerEntry.objects.filter(pk=pk).values_list(*HASHED_FIELDS).first()
        return None if row is None else digest(dict(zip(HASHED_FIELDS, row, strict=True)))
    except (TypeError, ValueError, ArithmeticError, AttributeError, RecursionError):
        return None


_PAYLOAD_KEY, _NEXT_KEY = b',"payload":', b',"prev_hash":"'


def _holds(pk: int, stored: str, document: bytes | None, payload) -> bool:
    """Whether an entry the fast path (its rendered document as it came) did not match holds after all: with its
    payload made canonical (PostgreSQL's nested values, SQLite rows written before the canonical encoder), else
    recomputed exactly from the ORM's values."""
    try:
        # The first ',"payload":' and the last ',"prev_hash":"' are the keys': every other value is an escaped string
        # or a number.
        start = document.index(_PAYLOAD_KEY) + len(_PAYLOAD_KEY)
        end = document.rindex(_NEXT_KEY)
        text = _canonical_payload(payload if isinstance(payload, str) else bytes(payload).decode())
        if DIGEST(document[:start] + text.encode() + document[end:]).hexdigest() == stored:
            return True
    except (TypeError, ValueError, RecursionError, AttributeError):
        pass
    return _exact_hash(pk) == stored


def _snapshot_problem(snapshots: list[LedgerSnapshot], entry_hash: str) -> str | None:
    """What is wrong when the daily heads published at this entry do not name its hash."""
    for snapshot in snapshots:
        if snapshot.hash != entry_hash:
            return _("与 %(day)s 公布的链头哈希不符：账本在该日之后被整体改写。") % {"day": snapshot.day.isoformat()}
    return None


def verify(
    programme_id: int | None = None,
    *,
    chunk_size: int = 5000,
    progress: Callable[[int, int | None, str], None] | None = None,
    published: str | None = None,
) -> Report:
    """Re-read every chain in order and check each link, each hash, the heads and the daily snapshots.

    ``published`` is a head hash kept outside the database (from the public page, or a file): the chain must still
    hold an entry with that hash, else it was rewritten after the hash was published (the snapshots inside the
    database could have been rewritten with it).

    Memory stays flat: rows stream through a server-side cursor (PostgreSQL) or in chunks (SQLite), and only the
    previous entry's hash is kept. The first bad entry of each chain is reported; later ones follow from it.
    """
    database = LedgerEntry.objects.db
    try:
        with transaction.atomic(using=database):  # one snapshot of the chains, and a cursor that streams
            report = _walk(programme_id, _stream(programme_id, chunk_size), progress)
    except DatabaseError:  # a row the rendering cannot read: recompute every hash from the ORM's values instead
        with transaction.atomic(using=database):
            report = _walk(programme_id, _stream_exact(programme_id, chunk_size), progress, exact=True)
    if published is not None:
        problem = _check_published(programme_id, published)
        if problem:
            report.problems.append(problem)
    if report.problems:
        from cuntong.programme.models import Programme

        codes = dict(Programme.objects.values_list("pk", "code"))
        for problem in report.problems:
            problem.programme_code = codes.get(problem.programme_id, "")
    return report


def _walk(programme_id: int | None, chunks: Iterator[list[tuple]], progress, *, exact: bool = False) -> Report:
    """Follow the chains in ``chunks`` (as ``_stream`` yields them), checking links, hashes, heads and snapshots;
    ``exact``: the rows carry no rendering (``_stream_exact``), every hash is recomputed from the ORM's values."""
    heads = LedgerHead.objects.all()
    snapshots = LedgerSnapshot.objects.all()
    if programme_id is not None:
        heads, snapshots = heads.filter(programme_id=programme_id), snapshots.filter(programme_id=programme_id)
    heads = {h.programme_id: (h.seq, h.hash) for h in heads}
    pending: dict[tuple[int, int], list[LedgerSnapshot]] = {}
    for snapshot in snapshots.filter(seq__gt=0):
        pending.setdefault((snapshot.programme_id, snapshot.seq), []).append(snapshot)
    report = Report(snapshots=sum(len(s) for s in pending.values()))
    total = None
    if progress:
        total = (LedgerEntry.objects.filter(programme_id=programme_id) if programme_id else LedgerEntry.objects).count()

    broken: set[int] = set()
    chain, expected_seq, previous = None, 0, GENESIS
    digest_of = DIGEST

    def close(chain_id, last_seq, last_hash):
        if chain_id is None or chain_id in broken:
            return
        head = heads.pop(chain_id, None)
        if head is None:
            report.problems.append(Problem(chain_id, None, None, _("缺少链头记录。")))
        elif head != (last_seq, last_hash):
            report.problems.append(
                Problem(
                    chain_id,
                    head[0],
                    None,
                    _("链头记录为第 %(head)s 条，但账本实际到第 %(last)s 条为止：末尾条目被删除或链头被改动。")
                    % {"head": head[0], "last": last_seq},
                )
            )

    for chunk in chunks:
        for pk, pid, seq, prev_hash, stored, document, payload in chunk:
            if pid != chain:
                close(chain, expected_seq, previous)
                chain, expected_seq, previous = pid, 0, GENESIS
                report.chains += 1
            if broken and pid in broken:
                continue
            if seq != expected_seq + 1:
                problem = _("序号应为 %(expected)s，实际为 %(seq)s：其间条目被删除或顺序被改动。") % {
                    "expected": expected_seq + 1,
                    "seq": seq,
                }
            elif prev_hash != previous:
                problem = _("前一条哈希不符：链条在此断开（前面的条目被改动、删除或调换）。")
            elif (exact or digest_of(document).hexdigest() != stored) and not _holds(pk, stored, document, payload):
                problem = _("本条内容与其哈希不符：该条被改动。")
            elif pending and (published := pending.pop((pid, seq), None)):
                problem = _snapshot_problem(published, stored)
            else:  # the entry holds: the usual case, kept short
                expected_seq, previous = seq, stored
                continue
            if problem:
                report.problems.append(Problem(pid, seq, pk, problem))
                broken.add(pid)
            expected_seq, previous = seq, stored
        before, report.entries = report.entries, report.entries + len(chunk)
        if progress and report.entries // 100000 > before // 100000:
            progress(report.entries, total, "")
    close(chain, expected_seq, previous)
    for (pid, seq), missing in pending.items():
        if pid not in broken:
            report.problems.append(
                Problem(
                    pid,
                    seq,
                    None,
                    _("%(day)s 公布的链头（第 %(seq)s 条）在账本中已不存在。") % {"day": missing[0].day, "seq": seq},
                )
            )
            broken.add(pid)
    for pid, (seq, _hash) in heads.items():
        if seq and pid not in broken:
            report.problems.append(Problem(pid, seq, None, _("链头记录存在，但账本条目全部缺失。")))
    return report


def _check_published(programme_id: int | None, published: str) -> Problem | None:
    entries = LedgerEntry.objects.filter(hash=published.lower())
    if programme_id is not None:
        entries = entries.filter(programme_id=programme_id)
    if published == GENESIS or entries.exists():
        return None
    return Problem(
        programme_id,
        None,
        None,
        _("外部给出的链头哈希 %(hash)s 在账本中不存在：账本在公布该链头后被改写，或该哈希不属于此示范项目。")
        % {"hash": published},
    )


def current_head(programme_id: int) -> tuple[int, str]:
    head = LedgerHead.objects.filter(programme_id=programme_id).values_list("seq", "hash").first()
    return head or (0, GENESIS)


# --- daily head snapshots ---------------------------------------------------------------------------------------


def published_head(programme_id: int) -> LedgerSnapshot:
    """What the public page shows as today's head, without writing: the snapshot ``cuntong ledger snapshot``
    recorded today, else the live head (unsaved). Either can later be checked with ``ledger verify --head``."""
    today = timezone.localdate()
    recorded = LedgerSnapshot.objects.filter(programme_id=programme_id, day=today).first()
    if recorded:
        return recorded
    seq, head_hash = current_head(programme_id)
    return LedgerSnapshot(programme_id=programme_id, day=today, seq=seq, hash=head_hash)


def snapshot_today(programme_id: int) -> LedgerSnapshot:
    """Today's head, recorded the first time it is asked for (by ``cuntong ledger snapshot``, run daily)."""
    today = timezone.localdate()
    existing = LedgerSnapshot.objects.filter(programme_id=programme_id, day=today).first()
    if existing:
        return existing
    with transaction.atomic():
        head = _lock_head(programme_id)
        snapshot, _created = LedgerSnapshot.objects.get_or_create(
            programme_id=programme_id, day=today, defaults={"seq": head.seq, "hash": head.hash}
        )
    return snapshot


# --- database protection ----------------------------------------------------------------------------------------


def triggers_disabled(using=None):
    """Lift the ledger's append-only triggers (entries and daily heads) inside one transaction (table owner only):
    for wiping whole chains (the benchmark's reset), never for editing one."""
    return appendonly.triggers_disabled(using, tables=PROTECTED_TABLES)
