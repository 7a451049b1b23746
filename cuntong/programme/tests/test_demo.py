"""`cuntong demo` builds the Puning dataset deterministically, marks what it generates, and is safe to run twice."""

from django.apps import apps
from django.core.management import call_command

from cuntong.geo.models import Area
from cuntong.web.testing import empty_database


def counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label.startswith(("geo", "programme", "accounts", "stations", "funds", "people"))
    }


def test_demo_is_deterministic_marked_and_idempotent(db, capsys):
    empty_database()
    call_command("demo", no_progress=True)
    output = capsys.readouterr().out
    assert "office" in output and "Cuntong#2026" in output
    first = counts()
    villages = Area.objects.filter(level="village", code__startswith="445281")
    assert villages.count() > 400
    assert not villages.filter(is_generated=False).exists(), "every demo village says it is generated"
    assert villages.filter(is_provincial_poverty_village=True).count() == 19
    assert Area.objects.filter(level="township", code__startswith="445281", is_generated=False).count() == 33
    snapshot = list(
        villages.order_by("code").values_list("code", "name", "population", "is_provincial_poverty_village")[:50]
    )
    call_command("demo", no_progress=True, quiet_logins=True)
    assert counts() == first
    assert (
        list(villages.order_by("code").values_list("code", "name", "population", "is_provincial_poverty_village")[:50])
        == snapshot
    )
