"""Pages and endpoints anyone may read (政务公开, trace pages, certificate checks, the showroom), by declaration.

A view is public because it says so, never because of where it is mounted: ``@public_view(reason=…)`` on a page,
``PublicEndpoint`` on a DRF view. The declaration

* lets the view through the session rules (``accounts.middleware``) and Django's ``LoginRequiredMiddleware``;
* answers only GET and HEAD;
* limits each client address to ``rate`` requests (``PUBLIC_RATE_LIMIT`` by default; 429 with Retry-After);
* caches the answer for ``cache_seconds``, keyed by path, query and language, so a crowd costs one rendering;
* refuses records in a page's context: models reach a public page only as ``public_record``/``public_rows`` values,
  which carry the fields the model lists in ``public_fields`` and refuse any other;
* refuses any database write while it runs (``PUBLIC_VIEWS_REFUSE_WRITES``: on in development and tests).

A page opened by a secret in its URL (a wall screen's link) declares ``token``: a function that checks the secret on
every request, cached or not, and may record the secret's last use in the tables listed in ``token_writes``.

Public pages extend ``core/public_base.html``: no CSRF token, no user, nothing that differs between visitors, since
one visitor's answer is served to the next. The programme portal (``/public/<code>/``) shows the sections apps
register here with ``register_portal_section``.

This module is part of the kernel: it imports no app.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable, Iterable
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models
from django.http import HttpResponse, HttpResponseNotAllowed
from django.template.response import SimpleTemplateResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rest_framework import permissions, throttling

from .addresses import client_address

SAFE_METHODS = ("GET", "HEAD")
CACHE_PREFIX = "cuntong.public"
PERIODS = {"s": 1, "second": 1, "m": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
# The first statement word of anything that changes the database (a savepoint or a SELECT … FOR UPDATE is no write).
WRITE_STATEMENT = re.compile(
    r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO|MERGE\s+INTO|TRUNCATE|ALTER|CREATE|DROP)"
    r"\s+(?:TABLE\s+)?(?:ONLY\s+)?[\"`]?(\w+)",
    re.IGNORECASE,
)


class PublicWriteRefused(RuntimeError):
    """A public view tried to write to the database."""


@dataclass(frozen=True)
class PublicDeclaration:
    """Why and how a view answers anyone."""

    name: str
    reason: str
    cache_seconds: int = 60
    rate: str | None = None
    token: Callable | None = None
    token_writes: tuple[type[models.Model], ...] = ()
    # A public form (``public_form``): answers POST too, and its POST may write these models' tables, nothing else.
    form_writes: tuple[type[models.Model], ...] = ()

    @property
    def by_token(self) -> bool:
        return self.token is not None

    @property
    def is_form(self) -> bool:
        return bool(self.form_writes)

    @property
    def form_tables(self) -> frozenset[str]:
        return frozenset(model._meta.db_table for model in self.form_writes)

    @property
    def writable_tables(self) -> frozenset[str]:
        return frozenset(model._meta.db_table for model in self.token_writes)


def declaration_of(view) -> PublicDeclaration | None:
    """The public declaration of a resolved view (a function, a class-based view or a DRF view), or None."""
    declared = getattr(view, "public_declaration", None)
    if declared is None and hasattr(view, "cls"):
        declared = getattr(view.cls, "public_declaration", None)
    return declared


def is_public(view) -> bool:
    return declaration_of(view) is not None


# --- public fields ----------------------------------------------------------------------------------------------


def public_fields_of(model: type[models.Model]) -> tuple[str, ...]:
    fields = getattr(model, "public_fields", None)
    if fields is None:
        raise ImproperlyConfigured(f"{model._meta.label} declares no public_fields: it cannot appear on a public page")
    return tuple(fields)


def _checked_fields(model: type[models.Model], fields: Iterable[str]) -> tuple[str, ...]:
    declared = public_fields_of(model)
    fields = tuple(fields) or declared
    undeclared = [name for name in fields if name not in declared]
    if undeclared:
        raise ImproperlyConfigured(f"{model._meta.label}: {', '.join(undeclared)} not in its public_fields")
    return fields


def public_record(obj: models.Model, *fields: str) -> dict:
    """``obj``'s public values (its ``public_fields``, or the named ones among them) as a plain dict."""
    values = {name: getattr(obj, name) for name in _checked_fields(obj.__class__, fields)}  # also a lazy object
    records = [name for name, value in values.items() if isinstance(value, models.Model)]
    if records:
        raise ImproperlyConfigured(f"{obj._meta.label}: public field {', '.join(records)} is a record, not a value")
    return values


def public_rows(queryset: models.QuerySet, *fields: str) -> list[dict]:
    """The public values of every row of ``queryset`` (one query)."""
    return list(queryset.values(*_checked_fields(queryset.model, fields)))


def _records_in(value, path: str = "context", depth: int = 0) -> list[str]:
    """Where ``value`` holds a model instance or a queryset (what a public page must never be handed)."""
    if isinstance(value, models.Model | models.QuerySet):
        return [f"{path} ({type(value).__name__})"]
    if depth > 8 or isinstance(value, str | bytes):
        return []
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list | tuple | set | frozenset):
        items = enumerate(value)
    else:
        return []
    return [found for key, item in items for found in _records_in(item, f"{path}[{key!r}]", depth + 1)]


# --- rate limit -------------------------------------------------------------------------------------------------


def parse_rate(rate: str) -> tuple[int, int]:
    """``"120/minute"`` → (120, 60)."""
    count, _slash, period = rate.partition("/")
    try:
        return int(count), PERIODS[period.strip().lower()]
    except (KeyError, ValueError):
        raise ImproperlyConfigured(f"rate {rate!r} is not N/second|minute|hour|day") from None


def retry_after(request, scope: str, rate: str | None) -> int | None:
    """Count this request against ``scope``'s limit for the client's address: None when allowed, else the seconds
    until the window ends. Fixed windows in the shared cache (per process with the local-memory cache)."""
    limit, period = parse_rate(rate or settings.PUBLIC_RATE_LIMIT)
    now = time.time()
    window = int(now // period)
    key = f"{CACHE_PREFIX}.rate:{scope}:{client_address(request)}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    return None if count <= limit else max(1, math.ceil((window + 1) * period - now))


def too_many_requests(seconds: int) -> HttpResponse:
    response = HttpResponse(_("请求过于频繁，请稍后再试。"), status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(seconds)
    return response


# --- caching ----------------------------------------------------------------------------------------------------


def cache_key(request, kind: str) -> str:
    """Path, query and language; hashed, so a secret in the URL never becomes a readable cache key."""
    digest = hashlib.sha256(f"{get_language()}|{request.get_full_path()}".encode()).hexdigest()
    return f"{CACHE_PREFIX}.{kind}:{digest}"


def cached_data(request, seconds: int, compute: Callable[[], object]):
    """``compute()``, or its value from the cache while it is younger than ``seconds`` (API endpoints)."""
    if seconds <= 0:
        return compute()
    key = cache_key(request, "data")
    data = cache.get(key)
    if data is None:
        data = compute()
        cache.set(key, data, timeout=seconds)
    return data


# --- no writes --------------------------------------------------------------------------------------------------


@contextmanager
def refusing_writes(name: str, allowed_tables: frozenset[str] = frozenset()):
    """Raise ``PublicWriteRefused`` on any statement that would change the database (except in ``allowed_tables``)
    while the block runs; a no-op unless ``PUBLIC_VIEWS_REFUSE_WRITES``."""
    if not settings.PUBLIC_VIEWS_REFUSE_WRITES:
        yield
        return

    def refuse(execute, sql, params, many, context):
        match = WRITE_STATEMENT.match(sql)
        if match and match.group(1) not in allowed_tables:
            raise PublicWriteRefused(f"public view {name} writes to the database: {sql[:160]}")
        return execute(sql, params, many, context)

    with ExitStack() as stack:
        for connection in connections.all():
            stack.enter_context(connection.execute_wrapper(refuse))
        yield


# --- pages ------------------------------------------------------------------------------------------------------


def public_view(
    *,
    reason: str,
    cache_seconds: int = 60,
    rate: str | None = None,
    token: Callable | None = None,
    token_writes: Iterable[type[models.Model]] = (),
):
    """Declare a function view public (see the module's docstring). ``token(request, **kwargs)`` checks the secret
    in the URL on every request (raising Http404 when it opens nothing) and its result is ``request.public_grant``."""
    token_writes = tuple(token_writes)
    if token_writes and token is None:
        raise ImproperlyConfigured("only a page opened by a token may record the token's use (token_writes)")

    def decorate(view):
        declaration = PublicDeclaration(
            name=f"{view.__module__}.{view.__qualname__}",
            reason=reason,
            cache_seconds=cache_seconds,
            rate=rate,
            token=token,
            token_writes=token_writes,
        )

        @wraps(view)
        def public(request, *args, **kwargs):
            if request.method not in SAFE_METHODS:
                return HttpResponseNotAllowed(SAFE_METHODS)
            seconds = retry_after(request, declaration.name, declaration.rate)
            if seconds is not None:
                return too_many_requests(seconds)
            with refusing_writes(declaration.name, declaration.writable_tables):
                if token is not None:
                    request.public_grant = token(request, *args, **kwargs)
                response = _cached_response(request, declaration)
                if response is None:
                    response = _render(view(request, *args, **kwargs), declaration)
                    _remember(request, response, declaration)
            if response.status_code == 200:
                patch_cache_control(response, max_age=cache_seconds, **{"private" if token else "public": True})
            return response

        public.public_declaration = declaration
        public.login_required = False  # django.contrib.auth.decorators.login_not_required
        return public

    return decorate


def _render(response, declaration: PublicDeclaration):
    """Check a template response's context for records, then render it (inside the write guard: templates query)."""
    if isinstance(response, SimpleTemplateResponse):
        found = _records_in(response.context_data or {})
        if found:
            raise ImproperlyConfigured(
                f"public view {declaration.name} hands records to its template: {', '.join(found)}; "
                "pass public_record()/public_rows() values"
            )
        response.render()
    return response


def _cached_response(request, declaration: PublicDeclaration) -> HttpResponse | None:
    if declaration.cache_seconds <= 0:
        return None
    cached = cache.get(cache_key(request, "page"))
    if cached is None:
        return None
    content, content_type = cached
    return HttpResponse(content, content_type=content_type)


def _remember(request, response, declaration: PublicDeclaration) -> None:
    if declaration.cache_seconds > 0 and response.status_code == 200 and not response.streaming:
        value = (response.content, response["Content-Type"])
        cache.set(cache_key(request, "page"), value, timeout=declaration.cache_seconds)


def public_form(*, reason: str, token: Callable, writes: Iterable[type[models.Model]], rate: str | None = None):
    """Declare a function view a public form opened by a secret in its URL (a trainee signing in on a phone by the
    session's daily code). Like ``public_view`` it is public by declaration, checks ``token(request, **kwargs)`` on
    every request (its result is ``request.public_grant``) and limits each address to ``rate`` requests, GET and
    POST alike. Unlike it, it answers POST, is never cached (its page carries a CSRF token, which Django's
    middleware checks on the POST: the view is not exempt), and only a POST may write — to the tables of ``writes``
    and no other. A GET writes nothing."""
    writes = tuple(writes)
    if not writes:
        raise ImproperlyConfigured("a public form names the models its POST writes (writes=)")

    def decorate(view):
        declaration = PublicDeclaration(
            name=f"{view.__module__}.{view.__qualname__}",
            reason=reason,
            cache_seconds=0,
            rate=rate,
            token=token,
            form_writes=writes,
        )

        @wraps(view)
        def public(request, *args, **kwargs):
            if request.method not in (*SAFE_METHODS, "POST"):
                return HttpResponseNotAllowed((*SAFE_METHODS, "POST"))
            seconds = retry_after(request, declaration.name, declaration.rate)
            if seconds is not None:
                return too_many_requests(seconds)
            allowed = declaration.form_tables if request.method == "POST" else frozenset()
            with refusing_writes(declaration.name, allowed):
                request.public_grant = token(request, *args, **kwargs)
                response = view(request, *args, **kwargs)
                if hasattr(response, "render"):
                    response.render()
            patch_cache_control(response, private=True, no_store=True)
            return response

        public.public_declaration = declaration
        public.login_required = False
        return public

    return decorate


# --- API endpoints ----------------------------------------------------------------------------------------------


class PublicReadOnly(permissions.BasePermission):
    """Anyone, signed in or not, may read; nobody may write."""

    def has_permission(self, request, view):
        return request.method in (*SAFE_METHODS, "OPTIONS")


class PublicRateThrottle(throttling.BaseThrottle):
    """The public pages' limit per client address (the view's ``public_declaration.rate``, else the setting)."""

    def allow_request(self, request, view):
        declaration = view.public_declaration
        self.seconds = retry_after(request, declaration.name, declaration.rate)
        return self.seconds is None

    def wait(self):
        return self.seconds


class PublicEndpoint:
    """Mixin for a DRF view anyone may read: the permission and throttle pair above, no authentication (a public
    answer is the same for everyone), writes refused while it runs. Handlers cache their data with
    ``cached_data(request, self.public_declaration.cache_seconds, …)``. Subclasses set ``public_declaration``."""

    public_declaration: PublicDeclaration
    authentication_classes = ()
    permission_classes = (PublicReadOnly,)
    throttle_classes = (PublicRateThrottle,)

    def dispatch(self, request, *args, **kwargs):
        with refusing_writes(self.public_declaration.name):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=self.public_declaration.cache_seconds)
        return response


# --- the programme portal ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortalSection:
    """A part of the public portal: ``values(programme)`` returns plain public values for ``template``."""

    key: str
    title: str
    template: str
    values: Callable
    order: int = 100


_portal_sections: dict[str, PortalSection] = {}


def register_portal_section(key: str, title: str, *, template: str, order: int = 100):
    """Decorator for an app's ``portal.py``: add a section to every programme's public portal."""

    def decorate(values):
        _portal_sections[key] = PortalSection(key, title, template, values, order)
        return values

    return decorate


def portal_sections() -> list[PortalSection]:
    return sorted(_portal_sections.values(), key=lambda section: (section.order, section.key))
