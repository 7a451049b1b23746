"""Meta-test: list columns live in each app's ``tables.py``, never in its views.

No ``views.py`` (or ``*_views.py``) builds a ``Col``; every list page reachable by URL is an ``ObjectListView`` whose
``table`` is a ``core.tables.Table`` declared in its own app's ``tables.py``, over the model the view lists.
"""

import ast
from pathlib import Path

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from cuntong.core.tables import Table
from cuntong.web.views import ObjectListView

APPS_DIR = Path(settings.BASE_DIR) / "cuntong"


def _view_modules() -> list[Path]:
    return sorted({*APPS_DIR.glob("*/views.py"), *APPS_DIR.glob("*/*_views.py")})


def _col_calls(path: Path) -> list[int]:
    """Line numbers of ``Col(...)`` (or ``something.Col(...)``) calls in a module."""
    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and (getattr(node.func, "id", None) == "Col" or getattr(node.func, "attr", None) == "Col")
    )


def _list_views() -> dict[str, type[ObjectListView]]:
    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, ":".join(filter(None, [namespace, entry.namespace])))
            elif isinstance(entry, URLPattern):
                view_class = getattr(entry.callback, "view_class", None)
                if view_class and issubclass(view_class, ObjectListView):
                    yield ":".join(filter(None, [namespace, entry.name])), view_class

    return dict(walk(get_resolver().url_patterns, ""))


def test_the_scan_finds_the_view_modules():
    names = {f"{p.parent.name}/{p.name}" for p in _view_modules()}
    assert {"stations/views.py", "funds/views.py", "accounts/admin_views.py", "web/views.py"} <= names


def test_no_views_module_declares_columns():
    offenders = {str(path.relative_to(APPS_DIR)): lines for path in _view_modules() if (lines := _col_calls(path))}
    assert not offenders, f"Col(...) in views (move the columns to the app's tables.py): {offenders}"


def test_the_check_would_see_a_column_in_a_view(tmp_path):
    module = tmp_path / "views.py"
    module.write_text('from x import Col\nCOLUMNS = (Col("code", "代码"),)\nB = core.Col("a", "b")\n')
    assert _col_calls(module) == [2, 3]


def test_every_list_page_uses_a_table_from_its_apps_tables_module():
    views = _list_views()
    assert {"stations:station_list", "funds:request_list", "accounts:user_list", "audit:event_list"} <= set(views)
    wrong = {}
    for name, view in views.items():
        table = view.table
        app = view.__module__.split(".")[1]
        if not (isinstance(table, type) and issubclass(table, Table)):
            wrong[name] = f"table is {table!r}"
        elif table.__module__ != f"cuntong.{app}.tables":
            wrong[name] = f"{table.__name__} is declared in {table.__module__}, not cuntong.{app}.tables"
        elif view.model is not table.model():
            wrong[name] = f"lists {view.model.__name__} but {table.__name__} is over {table.model().__name__}"
    assert not wrong, wrong


def test_every_dotted_accessor_walks_relations_the_table_joins():
    """``station.area.name`` is joined because ``station`` and ``area`` are relations; a dotted path through a
    property instead would read per row unseen, so it must be declared as ``needs`` — or be a relation."""
    unjoined = {}
    for name, view in _list_views().items():
        for table in {view.table, view.table.export_table()}:
            joins, prefetches = table.related()
            covered = {*joins, *(getattr(p, "prefetch_to", p) for p in prefetches)}
            for col in table.columns:
                *path, _attribute = col.accessor.split(".")
                lookup = "__".join(path)
                if path and not any(c == lookup or c.startswith(f"{lookup}__") for c in covered):
                    unjoined.setdefault(name, []).append(col.accessor)
    assert not unjoined, unjoined
