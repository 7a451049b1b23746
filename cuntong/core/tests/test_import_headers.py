"""An import never drops a column silently: a header it does not know is an error naming what it expected."""

import io

from cuntong.core.actors import SYSTEM
from cuntong.core.importer import IMPORTERS, Column, Importer
from cuntong.geo.models import Area
from cuntong.web.testing import HONGYANG


class Sink(Importer):
    columns = (Column("name", ("名称", "name"), required=True), Column("count", ("数量", "count")))
    ignored_headers = ("说明",)

    def write(self, cleaned):
        raise AssertionError("nothing may be written")


def run(importer, text: str):
    return importer.run(io.BytesIO(text.encode()), "upload.csv")


def test_a_misspelt_area_column_is_refused_with_the_nearest_header(base_data):
    report = run(
        IMPORTERS["areas"](user=SYSTEM), f"区划代码,名称,上级代码,常住人口X\n{HONGYANG}299,新村委会,{HONGYANG},2100\n"
    )
    assert not report.committed and not Area.objects.filter(code=f"{HONGYANG}299").exists()
    [error] = report.errors
    assert error.row == 1 and "“常住人口X”" in error.message and "“常住人口”" in error.message
    assert "区划代码" in error.message and "省定贫困村" in error.message  # the expected headers are listed


def test_an_unknown_header_without_a_near_match_lists_the_expected_ones():
    [error] = run(Sink(user=SYSTEM), "名称,颜色\n甲,红\n").errors
    assert "“颜色”" in error.message and "是否应为" not in error.message and "名称、数量" in error.message


def test_ignored_and_blank_headers_are_allowed():
    report = Sink(user=SYSTEM).run(io.BytesIO("名称,,说明\n甲,,随便写\n".encode()), "upload.csv", commit=False)
    assert report.ok and report.valid_rows == 1


def test_two_headers_for_one_column_are_refused():
    [error] = run(Sink(user=SYSTEM), "名称,name\n甲,乙\n").errors
    assert "重复" in error.message and "名称" in error.message
