"""Import administrative areas from NBS-format CSV/XLSX (统计用区划代码 lists and county village lists)."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cuntong.core import importer as imp
from cuntong.core.importer import Column, RowInvalid, register_importer

from . import rules
from .models import Area, Kind

_ANCESTOR_COLUMNS = (("province", 2), ("city", 4), ("county", 6))


def _code(value: str) -> str:
    try:
        return rules.normalise_code(value)
    except rules.CodeError as exc:
        raise RowInvalid(str(exc)) from exc


def _optional_code(value: str) -> str | None:
    return _code(value) if value else None


def _coordinate(low: int, high: int, label: str):
    def parse(value: str) -> Decimal | None:
        number = imp.decimal(value)
        if number is not None and not low <= number <= high:
            raise RowInvalid(
                _("%(label)s应在 %(low)s 到 %(high)s 之间（中国境内）：%(v)s")
                % {"label": label, "low": low, "high": high, "v": value}
            )
        return number.quantize(Decimal("0.000001")) if number is not None else None

    return parse


@register_importer("areas")
class AreaImporter(imp.Importer):
    """Rows may carry their ancestors (province/city/county columns, as NBS lists do); a parent must exist."""

    title = _lazy("行政区划")
    model = Area

    columns = (
        Column("code", ("区划代码", "统计用区划代码", "code"), required=True, parse=_code),
        Column("name", ("名称", "name", "村名", "乡镇名称"), required=True, parse=imp.text),
        Column("parent_code", ("上级代码", "parent_code"), parse=_optional_code),
        Column("kind", ("类型", "kind", "城乡分类"), parse=lambda v: imp.choice(dict(Kind.choices))(v) if v else ""),
        Column("population", ("常住人口", "population"), parse=imp.non_negative_integer),
        Column(
            "poor_labour_count", ("有劳动能力建档立卡贫困人口", "poor_labour_count"), parse=imp.non_negative_integer
        ),
        Column("is_provincial_poverty_village", ("省定贫困村", "provincial_poverty_village"), parse=imp.boolean),
        Column("latitude", ("纬度", "latitude", "lat"), parse=_coordinate(3, 54, _lazy("纬度"))),
        Column("longitude", ("经度", "longitude", "lng", "lon"), parse=_coordinate(73, 136, _lazy("经度"))),
        Column("valid_from", ("生效日期", "valid_from"), parse=imp.day),
        Column("valid_to", ("失效日期", "valid_to"), parse=imp.day),
        *(
            column
            for level, _length in _ANCESTOR_COLUMNS
            for column in (
                Column(f"{level}_code", (f"{level}_code",), parse=_optional_code),
                Column(f"{level}_name", (f"{level}_name",), parse=imp.text),
            )
        ),
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.rows_by_code: dict[str, int] = {}
        self.ancestors: dict[str, str] = {}
        self.known = set(Area.objects.current().values_list("code", flat=True))

    def clean_row(self, values, row_number):
        code = values["code"]
        if code in self.rows_by_code:
            raise RowInvalid(
                _("区划代码 %(code)s 与第%(row)d行重复") % {"code": code, "row": self.rows_by_code[code]}, _("区划代码")
            )
        for level, length in _ANCESTOR_COLUMNS:
            ancestor = values.get(f"{level}_code")
            if ancestor:
                if len(ancestor) != length:
                    raise RowInvalid(
                        _("%(level)s代码应为%(n)d位：%(code)s") % {"level": level, "n": length, "code": ancestor},
                        f"{level}_code",
                    )
                if not code.startswith(ancestor) or code == ancestor:
                    raise RowInvalid(
                        _("区划代码 %(code)s 不属于上级 %(parent)s") % {"code": code, "parent": ancestor}, _("区划代码")
                    )
                self.ancestors.setdefault(ancestor, values.get(f"{level}_name") or ancestor)
        parent = rules.parent_code(code)
        if values.get("parent_code"):
            try:
                rules.check_extends(code, values["parent_code"])
            except rules.CodeError as exc:
                raise RowInvalid(str(exc), _("上级代码")) from exc
            parent = values["parent_code"]
        if parent and parent not in self.known and parent not in self.rows_by_code and parent not in self.ancestors:
            raise RowInvalid(
                _("上级区划 %(parent)s 不存在：请先导入上级，或在同一文件中列出") % {"parent": parent}, _("区划代码")
            )
        population, poor = values.get("population"), values.get("poor_labour_count")
        if population is not None and poor is not None and poor > population:
            raise RowInvalid(
                _("贫困人口 %(poor)d 大于常住人口 %(pop)d") % {"poor": poor, "pop": population},
                _("有劳动能力建档立卡贫困人口"),
            )
        if values.get("is_provincial_poverty_village") and rules.level_of(code) != "village":
            raise RowInvalid(_("只有村级单位可以标记为省定贫困村"), _("省定贫困村"))
        if values.get("valid_from") and values.get("valid_to") and values["valid_to"] <= values["valid_from"]:
            raise RowInvalid(_("失效日期应晚于生效日期"), _("失效日期"))
        self.rows_by_code[code] = row_number
        return rules.AreaRow(
            code=code,
            name=values["name"],
            kind=values.get("kind") or rules.kind_of(code, values["name"]),
            population=population,
            poor_labour_count=poor,
            is_provincial_poverty_village=values.get("is_provincial_poverty_village", False),
            latitude=values.get("latitude"),
            longitude=values.get("longitude"),
            valid_from=values.get("valid_from"),
            valid_to=values.get("valid_to"),
        )

    def write(self, cleaned):
        from .services import upsert_areas

        ancestors = [
            rules.AreaRow(code=code, name=name, kind=rules.kind_of(code, name))
            for code, name in self.ancestors.items()
            if code not in self.known and code not in self.rows_by_code
        ]
        return upsert_areas([*ancestors, *cleaned], user=self.user)
