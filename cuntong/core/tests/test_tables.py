"""The declarative Table (core/tables.py): columns and phone-hidden ones from the class, the sort whitelist, the
export's headers and rows, and the joins derived from the columns' accessors — so a new column cannot bring back an
N+1 query."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Prefetch

from cuntong.core.tables import Col, Table
from cuntong.geo.models import Area
from cuntong.web.testing import HONGYANG, PUNING

pytestmark = pytest.mark.usefixtures("base_data")


class AreaExport(Table):
    code = Col("code", "代码")
    county = Col("parent.parent.name", "县")

    class Meta:
        model = Area


class AreaTable(Table):
    code = Col("code", "代码", order_by="code")
    name = Col("name", "名称", kind="link", order_by="name")
    kind = Col("kind", "类型")
    township = Col("parent.name", "上级")
    successor = Col("successor", "撤并后归入")  # a related record shown by its __str__
    population = Col("population", "人口", kind="number", order_by="population")

    class Meta:
        model = Area
        phone_hidden = ("kind", "successor")
        ordering = ("-code",)
        export = AreaExport


def villages():
    return Area.objects.filter(code__startswith=HONGYANG, level="village")


# --- declaration -------------------------------------------------------------------------------------------------


def test_columns_are_the_col_attributes_in_declaration_order():
    assert [c.accessor for c in AreaTable.columns] == ["code", "name", "kind", "parent.name", "successor", "population"]
    assert AreaTable.headers() == ["代码", "名称", "类型", "上级", "撤并后归入", "人口"]


def test_meta_phone_hidden_marks_those_columns_only():
    assert [c.accessor for c in AreaTable.columns if c.phone_hidden] == ["kind", "successor"]
    assert AreaTable.kind.phone_hidden is False  # the declaration itself is left as declared (detail pages reuse it)


def test_a_subclass_adds_columns_after_its_bases():
    class Wider(AreaTable):
        level = Col("level", "层级")

    assert [c.accessor for c in Wider.columns][-2:] == ["population", "level"]
    assert Wider.columns[2].phone_hidden  # Meta is inherited with the class


def test_a_phone_hidden_name_that_is_no_column_is_refused():
    with pytest.raises(ImproperlyConfigured, match="nonexistent"):

        class Broken(Table):
            code = Col("code", "代码")

            class Meta:
                model = Area
                phone_hidden = ("nonexistent",)


def test_a_table_without_a_model_is_refused():
    with pytest.raises(ImproperlyConfigured, match="model"):

        class Modelless(Table):
            code = Col("code", "代码")


# --- sorting -----------------------------------------------------------------------------------------------------


def test_only_the_columns_sort_keys_are_accepted():
    assert AreaTable.sort_keys() == {"code", "name", "population"}
    queryset = villages()
    assert AreaTable.sort(queryset, "name").query.order_by == ("name",)
    assert AreaTable.sort(queryset, "-population").query.order_by == ("-population",)
    for refused in ("kind", "parent__name", "--code", "password", "", "code;drop"):
        assert AreaTable.sort(queryset, refused).query.order_by == queryset.query.order_by, refused


def test_prepare_applies_the_default_order_and_a_sort_replaces_it():
    prepared = AreaTable.prepare(villages())
    assert prepared.query.order_by == ("-code",)
    assert [a.code for a in prepared] == sorted((a.code for a in villages()), reverse=True)
    assert AreaTable.sort(prepared, "code").query.order_by == ("code",)


# --- joins -------------------------------------------------------------------------------------------------------


def test_joins_are_derived_from_dotted_accessors_and_related_columns():
    assert AreaTable.related() == (("parent", "successor"), ())
    assert AreaExport.related() == (("parent__parent",), ())  # "parent" is implied


def test_needs_add_what_an_accessor_reads_beyond_its_path():
    children = Prefetch("children", queryset=Area.objects.order_by("code"))

    class WithNeeds(Table):
        label = Col("__str__", "名称", needs=("parent__parent",))
        villages = Col("children", "下级", needs=(children,))
        merged = Col("name", "名称", needs=("predecessors",))  # a reverse relation is prefetched, not joined

        class Meta:
            model = Area

    assert WithNeeds.related() == (("parent__parent",), (children, "predecessors"))  # one lookup per relation


def test_rows_read_no_more_queries_than_the_page_query(django_assert_num_queries):
    assert villages().count() >= 2
    with django_assert_num_queries(1):
        rows = AreaTable.rows(AreaTable.prepare(villages()))
    township = Area.objects.get(code=HONGYANG)
    assert all(cells[3] == (AreaTable.columns[3], township.name) for _area, cells in rows)


def test_without_the_derived_joins_the_same_rows_would_query_per_row(django_assert_num_queries):
    """The guard above means something: the columns do read related records."""
    count = villages().count()
    with django_assert_num_queries(1 + count):  # the parent, per row (no village here has a successor)
        AreaTable.rows(villages())


# --- export ------------------------------------------------------------------------------------------------------


def test_the_export_writes_meta_export_columns_with_its_joins(django_assert_num_queries):
    assert AreaTable.export_table() is AreaExport
    assert AreaExport.export_table() is AreaExport
    with django_assert_num_queries(1):
        rows = list(AreaExport.values(villages().order_by("code")))
    county = Area.objects.get(code=PUNING).name
    assert rows == [[a.code, county] for a in villages().order_by("code")]


def test_export_values_are_raw_and_choice_fields_read_as_labels():
    township = Area.objects.filter(code=HONGYANG)
    ((code, name, kind, parent, successor, population),) = AreaTable.values(township)
    area = township.get()
    assert (code, name, kind, successor, population) == (
        area.code,
        area.name,
        area.get_kind_display(),
        None,
        area.population,
    )


def test_a_prefetch_already_on_the_queryset_is_not_added_twice():
    children = Prefetch("children", queryset=Area.objects.order_by("code"))

    class Children(Table):
        name = Col("name", "名称", needs=(children,))

        class Meta:
            model = Area

    queryset = Children.select(Children.select(Area.objects.filter(code=HONGYANG)))
    assert len(queryset._prefetch_related_lookups) == 1
    assert list(Children.values(queryset)) == [[Area.objects.get(code=HONGYANG).name]]
