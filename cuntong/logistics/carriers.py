"""The express companies serving the county: reference data, loaded by migration 0002 and topped up after every
migrate (``apps.py``), so a wiped database (``cuntong flush``, the tests' empty database) gets them back."""

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


def ensure(model) -> None:
    """Every carrier present (``model`` is the Carrier model, historical or real); existing rows are left as they
    are."""
    for code, name, short_name, order in CARRIERS:
        model.objects.get_or_create(code=code, defaults={"name": name, "short_name": short_name, "order": order})


def after_migrate(sender, **kwargs) -> None:
    from .models import Carrier

    ensure(Carrier)
