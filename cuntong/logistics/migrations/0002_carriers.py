"""The express companies serving the county (reference data: the same everywhere)."""

from django.db import migrations

CARRIERS = [
    ("ems", "中国邮政（含EMS）", "中国邮政", 10),
    ("sf", "顺丰速运", "顺丰", 20),
    ("zto", "中通快递", "中通", 30),
    ("yto", "圆通速递", "圆通", 40),
    ("sto", "申通快递", "申通", 50),
    ("yunda", "韵达速递", "韵达", 60),
    ("jtexpress", "极兔速递", "极兔", 70),
    ("jd", "京东物流", "京东", 80),
    ("best", "百世快递", "百世", 90),
    ("deppon", "德邦快递", "德邦", 100),
]


def load(apps, schema_editor):
    Carrier = apps.get_model("logistics", "Carrier")
    for code, name, short_name, order in CARRIERS:
        Carrier.objects.update_or_create(code=code, defaults={"name": name, "short_name": short_name, "order": order})


def unload(apps, schema_editor):
    apps.get_model("logistics", "Carrier").objects.filter(code__in=[c[0] for c in CARRIERS]).delete()


class Migration(migrations.Migration):
    dependencies = [("logistics", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
