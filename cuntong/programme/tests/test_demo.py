"""`cuntong demo` builds the Puning dataset deterministically, marks what it generates, and is safe to run twice."""

from django.apps import apps
from django.core.management import call_command
from django.db import models

from cuntong.geo.models import Area
from cuntong.web.testing import empty_database


def snapshot() -> dict[str, list[str]]:
    """Every row of every app's tables, without keys and timestamps: a second run must leave each one as it was
    (no row added, removed or changed, history included)."""
    tables = {}
    for model in apps.get_models():
        if model._meta.app_label in ("contenttypes", "sessions", "admin", "auth"):
            continue
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if not field.primary_key and not isinstance(field, models.DateTimeField)
        ]
        tables[model._meta.label] = sorted(map(repr, model._default_manager.values_list(*fields)))
    return tables


def test_demo_is_deterministic_marked_and_idempotent(db, capsys):
    empty_database()
    call_command("demo", no_progress=True)
    output = capsys.readouterr().out
    assert "office" in output and "Cuntong#2026" in output
    first = snapshot()
    villages = Area.objects.filter(level="village", code__startswith="445281")
    assert villages.count() > 400
    assert not villages.filter(is_generated=False).exists(), "every demo village says it is generated"
    assert villages.filter(is_provincial_poverty_village=True).count() == 19
    assert Area.objects.filter(level="township", code__startswith="445281", is_generated=False).count() == 33
    villages_before = list(
        villages.order_by("code").values_list("code", "name", "population", "is_provincial_poverty_village")[:50]
    )
    call_command("demo", no_progress=True, quiet_logins=True)
    second = snapshot()
    assert {label: len(rows) for label, rows in second.items()} == {label: len(rows) for label, rows in first.items()}
    assert second == first
    assert (
        list(villages.order_by("code").values_list("code", "name", "population", "is_provincial_poverty_village")[:50])
        == villages_before
    )
