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
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cuntong.audit.context import current_actor
from cuntong.core import appendonly

from .models import LedgerEntry, LedgerEvent, LedgerHead, LedgerSnapshot

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


def canonical(values: dict) -> bytes:
    """The bytes an entry's hash is taken of."""
    document = {
        "v": FORMAT_VERSION,
        **{name: values[name] for name in HASHED_FIELDS},
        "time": _utc(values["time"]),
        "amount": None if values["amount"] is None else f"{values['amount']:.2f}",
        "payload": _plain(values["payload"]),
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


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


def _stream(programme_id: int | None, chunk_size: int) -> Iterator[tuple]:
    rows = LedgerEntry.objects.order_by("programme_id", "seq")
    if programme_id is not None:
        rows = rows.filter(programme_id=programme_id)
    return rows.values_list("pk", "hash", *HASHED_FIELDS).iterator(chunk_size=chunk_size)


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
    heads = LedgerHead.objects.all()
    snapshots = LedgerSnapshot.objects.all()
    if programme_id is not None:
        heads, snapshots = heads.filter(programme_id=programme_id), snapshots.filter(programme_id=programme_id)
    heads = {h.programme_id: (h.seq, h.hash) for h in heads}
    pending: dict[tuple[int, int], list[LedgerSnapshot]] = {}
    for snapshot in snapshots.filter(seq__gt=0):
        pending.setdefault((snapshot.programme_id, snapshot.seq), []).append(snapshot)
    report = Report(snapshots=sum(len(s) for s in pending.values()))
    total = (LedgerEntry.objects.filter(programme_id=programme_id) if programme_id else LedgerEntry.objects).count()

    broken: set[int] = set()
    chain, expected_seq, previous = None, 0, GENESIS
    names = ("pk", "hash", *HASHED_FIELDS)

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

    for row in _stream(programme_id, chunk_size):
        values = dict(zip(names, row, strict=True))
        pid, seq = values["programme_id"], values["seq"]
        if pid != chain:
            close(chain, expected_seq, previous)
            chain, expected_seq, previous = pid, 0, GENESIS
            report.chains += 1
        report.entries += 1
        if progress and report.entries % 100000 == 0:
            progress(report.entries, total, "")
        if pid in broken:
            continue
        problem = None
        if seq != expected_seq + 1:
            problem = _("序号应为 %(expected)s，实际为 %(seq)s：其间条目被删除或顺序被改动。") % {
                "expected": expected_seq + 1,
                "seq": seq,
            }
        elif values["prev_hash"] != previous:
            problem = _("前一条哈希不符：链条在此断开（前面的条目被改动、删除或调换）。")
        elif digest(values) != values["hash"]:
            problem = _("本条内容与其哈希不符：该条被改动。")
        else:
            for snapshot in pending.pop((pid, seq), []):
                if snapshot.hash != values["hash"]:
                    problem = _("与 %(day)s 公布的链头哈希不符：账本在该日之后被整体改写。") % {
                        "day": snapshot.day.isoformat()
                    }
        if problem:
            report.problems.append(Problem(pid, seq, values["pk"], problem))
            broken.add(pid)
        expected_seq, previous = seq, values["hash"]
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
