"""The express companies serving the county (reference data: the same everywhere)."""

from django.db import migrations

from cuntong.logistics.carriers import CARRIERS, ensure


def load(apps, schema_editor):
    ensure(apps.get_model("logistics", "Carrier"))


def unload(apps, schema_editor):
    apps.get_model("logistics", "Carrier").objects.filter(code__in=[c[0] for c in CARRIERS]).delete()


class Migration(migrations.Migration):
    dependencies = [("logistics", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
