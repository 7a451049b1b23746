"""Declarative list tables (NetBox's layout): each app's ``tables.py`` declares, per list, the columns a page shows,
the keys it may sort by, what its XLSX export writes, and from these the joins the rows need.

A table is a class whose ``Col`` attributes are its columns, in declaration order::

    class StationTable(Table):
        code = Col("code", _("站点编号"), order_by="code")
        area = Col("area.name", _("服务区域"))

        class Meta:
            model = Station
            phone_hidden = ("area",)  # dropped on narrow screens
            ordering = ("code",)  # the default order, when the model's own is not the list's
            export = StationExportTable  # another table when the export differs (headers an importer reads back)

``select_related``/``prefetch_related`` are derived from the columns' dotted accessors (``area.name`` joins
``area``; a column showing a related record joins it), so adding a column cannot bring back an N+1 query; what an
accessor reads that its path does not show (a related record's ``__str__``, a property over a reverse relation) is
declared on the column as ``needs``. This module imports no app.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import Model, Prefetch, QuerySet

from .templatetags.cuntong import attr


@dataclass(frozen=True)
class Col:
    """A column (or a detail page's field): ``accessor`` is a dotted attribute path; ``kind`` picks the cell
    rendering in ``core/_cell.html``."""

    accessor: str
    label: str
    kind: str = "text"  # text | link | wan | yuan | date | datetime | bool | badge | percent | number | personal
    order_by: str | None = None  # the sort key this column's header offers (whitelisted per table)
    phone_hidden: bool = False  # dropped on narrow screens (set from the table's Meta.phone_hidden)
    hide_empty: bool = False  # on detail pages, left out while it has no value (e.g. a termination not yet made)
    # Lookups the accessor reads beyond its path: "allocation__project" for an allocation shown by its __str__,
    # or a Prefetch for a property over a reverse relation.
    needs: tuple[str | Prefetch, ...] = ()


def value_of(obj, accessor: str):
    """The raw value of a cell: the dotted path followed, choice fields by their label."""
    return attr(obj, accessor)


class Table:
    """The columns of one list; subclass with ``Col`` attributes and a ``Meta`` (``model`` is required)."""

    columns: ClassVar[tuple[Col, ...]] = ()

    class Meta:
        model: type[Model] | None = None
        ordering: tuple[str, ...] = ()
        phone_hidden: tuple[str, ...] = ()
        export: type[Table] | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        declared: dict[str, Col] = {}
        for base in reversed(cls.__mro__):
            declared.update({name: value for name, value in vars(base).items() if isinstance(value, Col)})
        phone_hidden = set(getattr(cls.Meta, "phone_hidden", ()))
        if unknown := phone_hidden - set(declared):
            raise ImproperlyConfigured(f"{cls.__name__}.Meta.phone_hidden names no column: {sorted(unknown)}")
        if getattr(cls.Meta, "model", None) is None:
            raise ImproperlyConfigured(f"{cls.__name__}.Meta.model is required")
        cls.columns = tuple(
            replace(col, phone_hidden=True) if name in phone_hidden else col for name, col in declared.items()
        )

    # -- the query ------------------------------------------------------------------------------------------------
    @classmethod
    def model(cls) -> type[Model]:
        return cls.Meta.model

    @classmethod
    def related(cls) -> tuple[tuple[str, ...], tuple[str | Prefetch, ...]]:
        """(select_related, prefetch_related) for every column of this table."""
        return _related(cls)

    @classmethod
    def select(cls, queryset: QuerySet) -> QuerySet:
        """``queryset`` with the joins and prefetches its rows read (a prefetch already there is kept: Django refuses
        the same lookup twice)."""
        joins, prefetches = cls.related()
        if joins:
            queryset = queryset.select_related(*joins)
        present = {_prefetch_path(lookup) for lookup in queryset._prefetch_related_lookups}
        prefetches = [lookup for lookup in prefetches if _prefetch_path(lookup) not in present]
        if prefetches:
            queryset = queryset.prefetch_related(*prefetches)
        return queryset

    @classmethod
    def prepare(cls, queryset: QuerySet) -> QuerySet:
        """``select`` plus the table's default order, if it declares one."""
        queryset = cls.select(queryset)
        ordering = getattr(cls.Meta, "ordering", ())
        return queryset.order_by(*ordering) if ordering else queryset

    @classmethod
    def sort_keys(cls) -> frozenset[str]:
        """The keys ``?sort=`` accepts (each also descending with a leading ``-``); anything else is ignored."""
        return frozenset(c.order_by for c in cls.columns if c.order_by)

    @classmethod
    def sort(cls, queryset: QuerySet, key: str) -> QuerySet:
        return queryset.order_by(key) if key.removeprefix("-") in cls.sort_keys() else queryset

    # -- the output -----------------------------------------------------------------------------------------------
    @classmethod
    def rows(cls, objects: Iterable[Any]) -> list[tuple[Any, list[tuple[Col, Any]]]]:
        """(record, [(column, value) …]) per record, for ``core/_object_table.html``."""
        return [(obj, [(c, value_of(obj, c.accessor)) for c in cls.columns]) for obj in objects]

    @classmethod
    def headers(cls) -> list[str]:
        return [str(c.label) for c in cls.columns]

    @classmethod
    def export_table(cls) -> type[Table]:
        """The table the XLSX export writes: ``Meta.export`` or this one."""
        return getattr(cls.Meta, "export", None) or cls

    @classmethod
    def values(cls, queryset: QuerySet):
        """One list of raw values per record (the export's rows), streamed in chunks with this table's joins."""
        for obj in cls.select(queryset).iterator(chunk_size=500):
            yield [value_of(obj, c.accessor) for c in cls.columns]


def _prefetch_path(lookup: str | Prefetch) -> str:
    return lookup.prefetch_to if isinstance(lookup, Prefetch) else lookup


def _relation(model: type[Model], parts: list[str]) -> tuple[str, bool]:
    """The longest prefix of ``parts`` that follows relations, as a lookup, and whether each step is single-valued
    (then it can be joined; else it is prefetched)."""
    walked, single = [], True
    for part in parts:
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            break
        if not field.is_relation or field.related_model is None:  # a plain field, or a generic foreign key
            break
        walked.append(part)
        single = single and (field.many_to_one or field.one_to_one)
        model = field.related_model
    return "__".join(walked), single


@functools.cache
def _related(table: type[Table]) -> tuple[tuple[str, ...], tuple[str | Prefetch, ...]]:
    joins: set[str] = set()
    prefetches: dict[str, str | Prefetch] = {}  # by path: a declared Prefetch wins over the bare lookup
    needs = [need for col in table.columns for need in col.needs]
    paths = [col.accessor.split(".") for col in table.columns] + [n.split("__") for n in needs if isinstance(n, str)]
    for parts in paths:
        lookup, single = _relation(table.model(), parts)
        if lookup and single:
            joins.add(lookup)
        elif lookup:
            prefetches.setdefault(lookup, lookup)
    prefetches.update({need.prefetch_to: need for need in needs if isinstance(need, Prefetch)})
    # "allocation" is implied by "allocation__project"
    deepest = sorted(j for j in joins if not any(other.startswith(f"{j}__") for other in joins))
    return tuple(deepest), tuple(prefetches.values())
