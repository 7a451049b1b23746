"""Demo geography: Puning's 33 real township-level units, and generated villages clearly marked as generated."""

from decimal import Decimal
from pathlib import Path

from django.conf import settings

from cuntong.audit import bulk as history
from cuntong.core.actors import SYSTEM
from cuntong.core.demo import demo_step

from . import rules
from .importers import AreaImporter
from .models import Area
from .services import upsert_areas

TOWNSHIPS_FILE = Path(settings.BASE_DIR) / "data" / "puning-townships.csv"
COUNTY_CODE = "445281"

# Approximate township centres (WGS-84) used to place generated villages; not survey data.
APPROXIMATE_CENTRES = {
    "001": (23.300, 116.170),
    "002": (23.285, 116.165),
    "003": (23.295, 116.150),
    "004": (23.312, 116.172),
    "005": (23.318, 116.205),
    "006": (23.275, 116.190),
    "007": (23.180, 116.250),
    "102": (23.265, 116.225),
    "103": (23.345, 116.265),
    "104": (23.430, 116.275),
    "105": (23.455, 116.330),
    "106": (23.390, 116.370),
    "107": (23.250, 116.095),
    "108": (23.225, 116.040),
    "109": (23.325, 116.325),
    "110": (23.372, 116.230),
    "111": (23.345, 116.400),
    "113": (23.190, 115.820),
    "114": (23.125, 115.945),
    "115": (23.095, 115.895),
    "116": (23.150, 116.000),
    "117": (23.240, 115.880),
    "119": (23.205, 115.955),
    "121": (23.255, 116.000),
    "123": (23.205, 116.345),
    "201": (23.175, 115.860),
    "401": (23.290, 116.080),
    "402": (23.160, 116.110),
    "403": (23.110, 115.860),
    "405": (23.230, 116.140),
    "406": (23.365, 116.120),
    "407": (23.335, 116.130),
    "408": (23.260, 116.300),
}
# Villages per township by kind: (minimum, maximum).
VILLAGE_COUNTS = {
    "subdistrict": (8, 14),
    "town": (14, 30),
    "xiang": (10, 14),
    "farm": (3, 6),
    "park": (2, 4),
    "special": (4, 8),
}
# Mountain townships where the demo places its provincial poverty villages.
POVERTY_TOWNSHIPS = ("113", "114", "115", "116", "117", "201", "007", "119")
POVERTY_VILLAGE_COUNT = 19
NAME_HEADS = "东西南北新老大小上下前后中高埔坑寨湖塘山溪田洋美和安乐兴"
NAME_TAILS = (
    "寮",
    "厝",
    "围",
    "坑",
    "埔",
    "寨",
    "洋",
    "头",
    "尾",
    "田",
    "山",
    "溪",
    "湖",
    "塘",
    "林",
    "坪",
    "光",
    "丰",
    "美",
    "联",
)


@demo_step(10, "区划（普宁33个乡级单位）")
def load_townships(context):
    if Area.objects.current().filter(code__startswith=COUNTY_CODE, level="township").count() >= 33:
        return
    with TOWNSHIPS_FILE.open("rb") as stream:
        report = AreaImporter(user=SYSTEM).run(stream, TOWNSHIPS_FILE.name)
    if not report.committed:
        raise RuntimeError(f"township file rejected: {report.errors[:3]}")


def _village_name(rng, used: set[str]) -> str:
    while True:
        name = rng.choice(NAME_HEADS) + rng.choice(NAME_TAILS)
        if name not in used:
            used.add(name)
            return name


def _population(rng) -> int:
    """Puning's villages are large: most 1,500–8,000 residents, a tail above 10,000."""
    return max(300, int(rng.lognormvariate(8.25, 0.55) // 10 * 10))


@demo_step(30, "演示村（生成数据）")
def generate_villages(context):
    county = Area.objects.current().get(code=COUNTY_CODE)
    townships = list(Area.objects.current().filter(parent=county, level="township").order_by("code"))
    if Area.objects.current().filter(code__startswith=COUNTY_CODE, level="village").exists():
        return
    rng = context.rng("villages")
    rows: list[rules.AreaRow] = []
    poverty_candidates: list[int] = []
    for index, township in enumerate(townships):
        context.progress(index, len(townships), township.name)
        serial = township.code[-3:]
        lat0, lng0 = APPROXIMATE_CENTRES.get(serial, (23.3, 116.15))
        low, high = VILLAGE_COUNTS.get(township.kind, (6, 10))
        used: set[str] = set()
        for number in range(rng.randint(low, high)):
            community = township.kind == "subdistrict" and number < 4
            code = f"{township.code}{(1 + number) if community else 201 + number:03d}"
            name = _village_name(rng, used) + ("社区居委会" if community else "村委会")
            latitude = Decimal(str(round(lat0 + rng.uniform(-0.045, 0.045), 6)))
            longitude = Decimal(str(round(lng0 + rng.uniform(-0.05, 0.05), 6)))
            if serial in POVERTY_TOWNSHIPS and not community:
                poverty_candidates.append(len(rows))
            rows.append(
                rules.AreaRow(
                    code=code,
                    name=name,
                    kind="community" if community else "village",
                    population=_population(rng),
                    latitude=latitude,
                    longitude=longitude,
                )
            )
    chosen = set(rng.sample(poverty_candidates, min(POVERTY_VILLAGE_COUNT, len(poverty_candidates))))
    final = []
    for position, row in enumerate(rows):
        poor = rng.randint(40, 160) if position in chosen else rng.randint(0, 25)
        final.append(
            rules.AreaRow(
                **{
                    **row.__dict__,
                    "is_provincial_poverty_village": position in chosen,
                    "poor_labour_count": min(poor, row.population),
                }
            )
        )
    upsert_areas(final, user=SYSTEM)
    history.update(Area.objects.filter(code__in=[r.code for r in final]), is_generated=True)
    for township in townships:
        lat, lng = APPROXIMATE_CENTRES.get(township.code[-3:], (None, None))
        if lat is not None and township.latitude is None:
            history.update(Area.objects.filter(pk=township.pk), latitude=Decimal(str(lat)), longitude=Decimal(str(lng)))
