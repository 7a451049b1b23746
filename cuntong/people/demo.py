"""Demo roster: generated registered-poor households in the generated provincial poverty villages.

Everything here is invented (names, ID numbers with valid check digits, phones) and flagged ``is_generated``.
"""

from datetime import date, timedelta

from stdnum.cn import ric

from cuntong.core.demo import demo_step
from cuntong.geo.models import Area

from .models import PovertyStatus, Resident

SURNAMES = "陈林黄张李王吴刘蔡杨许郑谢洪邱方赖罗"
GIVEN = "秀英桂兰亚妹阿娟丽华建国志强伟明少玲文辉俊杰春燕海涛小红德兴"
RELATIONS = ("户主", "配偶", "之子", "之女", "之母")


def _id_number(rng, born: date) -> str:
    body = f"445281{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")


@demo_step(45, "建档立卡人员（生成数据）")
def generate_roster(context):
    programme = context.programme
    if Resident.objects.filter(programme=programme, is_generated=True).exists():
        return
    rng = context.rng("roster")
    villages = list(
        Area.objects.current()
        .filter(code__startswith=programme.county.code, level="village", is_provincial_poverty_village=True)
        .order_by("code")
    )
    seen: set[str] = set()
    for index, village in enumerate(villages):
        context.progress(index, len(villages), village.name)
        for household in range(1, rng.randint(3, 6) + 1):
            surname = rng.choice(SURNAMES)
            for member, relation in enumerate(RELATIONS[: rng.randint(2, 5)]):
                born = date(1945, 1, 1) + timedelta(days=rng.randint(0, 60 * 365))
                number = _id_number(rng, born)
                if number in seen:
                    continue
                seen.add(number)
                lifted = rng.random() < 0.8
                Resident.objects.create(
                    programme=programme,
                    village=village,
                    household_number=f"{village.code[-6:]}{household:03d}",
                    relation_to_head=relation,
                    name=surname + "".join(rng.sample(GIVEN, 2)),
                    id_number=number,
                    phone=f"13{rng.randint(500000000, 999999999)}" if member == 0 else "",
                    is_labour_capable=1960 <= born.year <= 2004 and rng.random() < 0.85,
                    is_migrant_worker=rng.random() < 0.3,
                    poverty_status=PovertyStatus.LIFTED if lifted else PovertyStatus.POOR,
                    lifted_year=rng.choice((2018, 2019, 2020)) if lifted else None,
                    is_generated=True,
                )
