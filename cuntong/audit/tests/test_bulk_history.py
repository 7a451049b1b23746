"""History with no holes: bulk writes on models with change history are recorded (``audit/bulk.py``) or listed
here with the reason they are not, and a scan of the code fails when a new unrecorded one appears."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps

from cuntong.audit import bulk
from cuntong.audit.changelog import history_of, is_tracked
from cuntong.audit.models import ChangeRecord
from cuntong.core.models import BusinessModel
from cuntong.web.testing import programme

ROOT = Path(__file__).resolve().parents[2]  # the cuntong package
MANAGERS = {"objects", "_base_manager", "_default_manager"}
QUERYSET_METHODS = {
    "all",
    "filter",
    "exclude",
    "restrict",
    "in_programme",
    "select_related",
    "prefetch_related",
    "select_for_update",
    "order_by",
    "only",
    "defer",
    "annotate",
    "distinct",
    "none",
}
WRITES = {"bulk_create", "bulk_update", "update"}
UNKNOWN = "?"

# Bulk writes that knowingly write no history: (file, model) → why. A fixed one must leave this list (see below).
UNRECORDED = {
    ("accounts/passwords.py", UNKNOWN): "the user's password timestamps: never recorded (changelog.NEVER_RECORDED)",
    ("accounts/services.py", "User"): "the forced first-login password change flag of a user just created",
    ("core/appendonly.py", UNKNOWN): "append_rows: refuses every model with change history",
    ("web/testing.py", UNKNOWN): "test helper backdating audit rows, as only the table owner could",
    ("people/personal_data.py", UNKNOWN): "re-encryption under a new key: the values do not change",
    ("stations/views.py", "DisplayLink"): "last use of a wall display link: a read, not an edit",
}


def _chain(node: ast.AST) -> tuple[ast.AST, list[str]]:
    """The root of ``a.b(...).c(...)`` and the attribute names along it, root first."""
    names = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return node, names[::-1]


def _queryset_model(node: ast.AST, querysets: dict[str, str]) -> str | None:
    """The model name (or ``UNKNOWN``) a queryset expression is over; None when ``node`` is no queryset."""
    root, names = _chain(node)
    root_name = root.id if isinstance(root, ast.Name) else None
    if root_name in querysets:
        return querysets[root_name]
    if not (MANAGERS | QUERYSET_METHODS) & set(names):
        return None
    if root_name and names and names[0] in MANAGERS and root_name[:1].isupper():
        return root_name
    return UNKNOWN


def bulk_writes(source: str) -> list[tuple[int, str]]:
    """(line, model name or ``UNKNOWN``) of every bulk_create, bulk_update and QuerySet.update in ``source``."""
    found = []
    tree = ast.parse(source)
    scopes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))]
    for scope in scopes:
        querysets: dict[str, str] = {}
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                model = _queryset_model(node.value, querysets)
                if model:
                    querysets[node.targets[0].id] = model
        for node in ast.walk(scope):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
                model = _queryset_model(node.func.value, querysets)
                if model:
                    found.append((node.lineno, model))
    return sorted(set(found))


def _models_named(name: str) -> list:
    return [m for m in apps.get_models() if m.__name__ == name]


def unrecorded(source: str) -> list[tuple[int, str]]:
    """Bulk writes on a tracked model, or on one the scan cannot name."""
    return [
        (line, model)
        for line, model in bulk_writes(source)
        if model == UNKNOWN or any(is_tracked(m) for m in _models_named(model))
    ]


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/tests/" in f"/{relative}" or "/migrations/" in relative or relative == "audit/bulk.py":
            continue
        yield relative, path.read_text(encoding="utf-8")


def test_no_new_bulk_write_bypasses_the_change_history():
    found = {(path, model): line for path, source in _sources() for line, model in unrecorded(source)}
    new = sorted(f"{path}:{line} ({model})" for (path, model), line in found.items() if (path, model) not in UNRECORDED)
    assert not new, "bulk writes on models with change history must go through cuntong.audit.bulk: " + ", ".join(new)
    fixed = sorted(f"{path} ({model})" for path, model in UNRECORDED if (path, model) not in found)
    assert not fixed, "no longer found, remove from UNRECORDED: " + ", ".join(fixed)


def test_the_scan_catches_a_planted_bulk_write():
    planted = """
def resplit(contract, amounts):
    for milestone, amount in zip(contract.milestones.all(), amounts):
        ContractMilestone.objects.filter(pk=milestone.pk).update(amount=amount)
    lines = SubsidyLine.objects.filter(batch=contract)
    lines.update(amount=0)
    contract.milestones.all().bulk_update([], ["amount"])
    Job.objects.filter(pk=1).update(done=1)  # untracked: allowed
    context.update(amount=1)  # a dict: not a queryset
    history.bulk_create(SubsidyLine, [])  # the recording helper
"""
    assert unrecorded(planted) == [(4, "ContractMilestone"), (6, "SubsidyLine"), (7, UNKNOWN)]


def test_business_models_declare_whether_they_keep_history():
    from cuntong.funds.models import ContractMilestone, LedgerEntry, SubsidyLine
    from cuntong.jobs.models import Job

    assert BusinessModel.track_changes is True
    assert is_tracked(ContractMilestone) and is_tracked(SubsidyLine)
    assert not is_tracked(Job) and not is_tracked(LedgerEntry)


@pytest.mark.django_db
def test_an_untracked_model_writes_no_history(base_data):
    from cuntong.jobs.models import Job

    (job,) = bulk.bulk_create(Job, [Job(kind="test.kind", title="t", programme=programme())])
    bulk.update(Job.objects.filter(pk=job.pk), title="t2")
    Job.objects.create(kind="test.kind", title="t3", programme=programme())
    assert Job.objects.get(pk=job.pk).title == "t2"
    assert not ChangeRecord.objects.filter(content_type__model="job").exists()


@pytest.mark.django_db
def test_bulk_helpers_record_each_row(base_data):
    from cuntong.geo.models import Area

    village = Area.objects.get(code="445281104201")
    assert is_tracked(Area)
    bulk.update(Area.objects.filter(pk=village.pk), population=4321)
    (change,) = history_of(village).filter(action="update")
    assert (change.before["population"], change.after["population"]) == (4200, 4321)
    village.refresh_from_db()
    village.population = 4000
    bulk.bulk_update(Area, [village], ["population"])
    assert history_of(village).filter(action="update").count() == 2
    assert history_of(village).first().after["population"] == 4000


def test_a_queryset_delete_sends_the_signals_the_history_listens_to():
    """QuerySet.delete needs no wrapper: with the history listening to every model, Django never fast-deletes."""
    from django.db.models.deletion import Collector
    from django.db.models.signals import post_delete

    from cuntong.funds.models import ContractMilestone

    assert post_delete.has_listeners(ContractMilestone)
    assert not Collector(using="default").can_fast_delete(ContractMilestone.objects.none())
