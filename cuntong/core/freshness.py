"""Fresh figures, rarely recomputed: page payloads cached per programme, data version, scope and language.

Every service that changes a programme's data calls :func:`bump` inside its transaction, after its writes::

    freshness.bump(station.programme_id)

which moves the programme's data version on (``UPDATE … SET version = version + 1, salt = <random>``, committed or
rolled back with the writes themselves). A page that computes figures asks :func:`cached` for them::

    kpis = freshness.cached(programme, scope.cache_key, "programme.kpis", lambda: registry.evaluate(scope))

which reads the programme's version first and then looks for ``(programme, version, name, scope, language, day)``
in Django's cache (local memory, or Redis with ``REDIS_URL``); only on a miss does it compute and store. The key
holds the version a request read before it computed, so a figure is never older than the last write committed
before the request began (docs/decisions.md, "Cached figures", says why the bump is an UPDATE in the transaction).

The scope part of a key (:func:`scope_key`) is what decides which records a user sees: every grant's area,
permissions and own-records flag (and the user themself only for own-records grants, whose rows are their own), so
users with the same scope share entries, and a change of role or membership changes the key. The day is part of
every key: figures that count "this month" or "overdue" turn over at midnight without a write.

Every name given to :func:`cached` is declared with :func:`payload` beside the code that computes it; the
freshness meta-test (``cuntong/tests/test_freshness.py``) writes through a service for each one and sees it change.

The version lives in a table of the programme app (``programme.DataVersion``), which fills the hook
:func:`use_store` when it starts: the kernel imports no app.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.utils import timezone, translation

from .scoping import COUNTY_CODE_LENGTH

# Entries never go stale (their key holds the version); the timeout only returns memory for versions gone by.
TIMEOUT = 6 * 3600


@dataclass(frozen=True)
class Store:
    """Where versions live: ``bump(programme_id)`` moves one on inside the caller's transaction, ``read(programme_id)``
    returns the current one as a string (which must never repeat for different data, rollbacks included)."""

    bump: Callable[[int], None]
    read: Callable[[int], str]
    programmes_in: Callable[[set[str]], list[int]]  # the programmes of the counties with these codes


_store: Store | None = None
_payloads: dict[str, str] = {}


def use_store(store: Store) -> None:
    global _store
    _store = store


def _the_store() -> Store:
    if _store is None:
        raise RuntimeError("no data-version store: the programme app fills core.freshness.use_store when it starts")
    return _store


def _pk(programme) -> int | None:
    return getattr(programme, "pk", programme)


def bump(programme) -> None:
    """Record that ``programme``'s data changed (a programme or its id; None does nothing). Call it inside the
    service's transaction, after its writes, so that the new version commits (or rolls back) with them."""
    pk = _pk(programme)
    if pk is not None:
        _the_store().bump(pk)


def bump_for(instance, request) -> None:
    """A generic page or API endpoint (web/) changed ``instance``: its programme's version moves on (the record's
    own programme, else the one the request works in); the services bump for their own writes."""
    programme = getattr(instance, "programme_id", None) or getattr(request, "programme", None)
    if programme:  # the request's programme is lazy: a user of no programme has a falsy one, not None
        bump(programme)


def bump_areas(codes) -> None:
    """Record that areas with these NBS codes changed (villages, populations): every programme of their counties
    counts them (coverage), so each one's version moves on."""
    store = _the_store()
    for pk in store.programmes_in({code[:COUNTY_CODE_LENGTH] for code in codes if len(code) >= COUNTY_CODE_LENGTH}):
        store.bump(pk)


def version(programme) -> str:
    """The programme's current data version (as a key part)."""
    return _the_store().read(_pk(programme))


def payload(name: str, description: str = "") -> str:
    """Declare a cached payload's name (``"stations.wall"``); :func:`cached` refuses names not declared."""
    if name in _payloads:
        raise ValueError(f"cached payload {name} declared twice")
    _payloads[name] = description
    return name


def payloads() -> dict[str, str]:
    return dict(_payloads)


def scope_key(user=None, *, areas=None, extra: Any = None) -> str:
    """What decides which records ``user`` sees, as a short digest: ``"all"`` for the whole programme (commands,
    display links), else every grant's area, permissions and own-records flag (the user's own id only where a grant
    opens their own records), plus ``areas`` a figure is narrowed to and any ``extra`` the caller names (a filter's
    query)."""
    if user is None:
        parts: list = ["all"]
    elif not getattr(user, "is_authenticated", False):
        parts = ["anonymous"]
    elif user.is_superuser:
        parts = ["superuser"]
    else:
        grants = sorted(
            (
                grant.area_code,
                bool(grant.own_records_only),
                grant.organisation_id if grant.own_records_only else None,
                tuple(sorted(grant.permissions)),
            )
            for grant in user.scope_grants()
        )
        parts = ["grants", grants]
        if any(own for _code, own, _org, _perms in grants):
            parts.append(("user", user.pk))
    if areas is not None:
        parts.append(("areas", tuple(areas)))
    if extra is not None:
        parts.append(("extra", extra))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def key(programme, name: str, scope: str, *, current_version: str | None = None) -> str:
    if name not in _payloads:
        raise KeyError(f"cached payload {name!r} is not declared with core.freshness.payload()")
    current_version = version(programme) if current_version is None else current_version
    day = timezone.localdate().isoformat()
    return f"fresh:{_pk(programme)}:{current_version}:{name}:{scope}:{translation.get_language() or ''}:{day}"


def cached(programme, scope: str, name: str, compute: Callable[[], Any], *, timeout: int = TIMEOUT) -> Any:
    """``compute()``'s value for ``programme`` as seen by ``scope`` (a :func:`scope_key`), from the cache when
    nothing in the programme has changed since it was stored. The version is read before computing: a value is
    stored under the version its request saw, never a later one, so it can only be fresher than its key says.
    Values must pickle (plain data: dicts, lists, strings, Decimals, dataclasses of them)."""
    pk = _pk(programme)
    outer = _computing.get()
    # A payload computed inside another (the home page's KPIs) is keyed by the version the outer one read.
    current = outer[1] if outer is not None and outer[0] == pk else version(pk)
    entry = key(pk, name, scope, current_version=current)
    value = cache.get(entry, _MISSING)
    if value is _MISSING:
        token = _computing.set((pk, current))
        try:
            value = compute()
        finally:
            _computing.reset(token)
        cache.set(entry, value, timeout)
    return value


@contextmanager
def reading(programme):
    """Several payloads of one page read the programme's version once: one query, and one consistent view."""
    token = _computing.set((_pk(programme), version(programme)))
    try:
        yield
    finally:
        _computing.reset(token)


_MISSING = object()
_computing: ContextVar[tuple[int, str] | None] = ContextVar("freshness_computing", default=None)
