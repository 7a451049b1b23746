"""Importing NBS-format area files and searching by name and pinyin."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command

from cuntong.core.actors import SYSTEM
from cuntong.geo.importers import AreaImporter
from cuntong.geo.models import Area
from cuntong.web.testing import load_base_data

PUNING_FILE = settings.BASE_DIR / "data" / "puning-townships.csv"


def run(text: str, **kwargs):
    return AreaImporter(user=SYSTEM).run(io.BytesIO(text.encode()), "areas.csv", **kwargs)


def test_puning_file_loads_the_33_real_units_with_ancestors(db):
    with PUNING_FILE.open("rb") as stream:
        report = AreaImporter(user=SYSTEM).run(stream, PUNING_FILE.name)
    assert report.committed and report.rows == 33
    townships = Area.objects.filter(level="township", code__startswith="445281")
    assert townships.count() == 33
    assert townships.filter(kind="subdistrict").count() == 7
    assert townships.filter(kind="town").count() == 18
    assert townships.filter(kind="xiang").count() == 1
    assert townships.filter(kind="farm").count() == 5
    assert townships.filter(kind="park").count() == 2
    county = Area.objects.get(code="445281")
    assert (county.name, county.parent.code, county.parent.parent.code) == ("普宁市", "4452", "44")
    assert Area.objects.get(code="445281123").name == "普侨镇"


def test_reimporting_changes_nothing(db):
    before = Area.objects.filter(code__startswith="445281").count()  # the base data imported the file once
    for _ in range(2):
        with PUNING_FILE.open("rb") as stream:
            AreaImporter(user=SYSTEM).run(stream, PUNING_FILE.name)
    assert Area.objects.filter(code__startswith="445281").count() == before


def test_malformed_file_reports_every_bad_row_and_writes_nothing(base_data):
    before = Area.objects.count()
    text = (
        "区划代码,名称,常住人口,有劳动能力建档立卡贫困人口,省定贫困村,纬度\n"
        "445281104301,好村委会,3000,20,是,23.4\n"  # row 2: valid
        "4452811043,坏代码村,100,,,\n"  # row 3: 10 digits
        "445281999201,无上级村,100,,,\n"  # row 4: township 445281999 does not exist
        "445281104302,贫困人口过多村,100,200,,\n"  # row 5: poor > population
        "445281104303,负人口村,-5,,,\n"  # row 6: negative
        "445281104301,重复村,100,,,\n"  # row 7: duplicate of row 2
        "445281104304,,100,,,\n"  # row 8: name missing
        "445281104305,坐标村,100,,,95.5\n"  # row 9: latitude outside China
        "445281105,南溪镇,100,,是,\n"  # row 10: a township flagged as poverty village
    )
    report = run(text)
    assert not report.committed
    rows = {e.row: e.message for e in report.errors}
    assert set(rows) == {3, 4, 5, 6, 7, 8, 9, 10}, rows
    assert "位" in rows[3]
    assert "445281999" in rows[4] and "不存在" in rows[4]
    assert "大于常住人口" in rows[5]
    assert "负数" in rows[6]
    assert "第2行重复" in rows[7]
    assert rows[8] == "必填"
    assert "纬度" in rows[9]
    assert "村级" in rows[10]
    assert Area.objects.count() == before


def test_parent_code_column_must_be_extended(base_data):
    report = run("区划代码,名称,上级代码\n445281104305,错上级村,445281105\n")
    assert not report.committed and "不是上级代码" in report.errors[0].message


def test_parent_may_come_earlier_in_the_same_file(base_data):
    report = run("区划代码,名称\n445281499,新园区\n445281499201,新园区一村\n")
    assert report.committed
    assert Area.objects.get(code="445281499201").parent.code == "445281499"


def test_import_command_exits_non_zero_and_writes_nothing(base_data, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("区划代码,名称\n445281104301,甲村\n1,坏\n", encoding="utf-8")
    before = Area.objects.count()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import", "areas", str(path), "--no-progress")
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "第3行" in err and "nothing was written" in err
    assert Area.objects.count() == before


def test_import_command_writes_a_good_file(base_data, tmp_path, capsys):
    path = tmp_path / "good.csv"
    path.write_text("区划代码,名称,常住人口\n445281104301,甲村委会,3200\n", encoding="utf-8")
    call_command("import", "areas", str(path), "--no-progress")
    assert Area.objects.get(code="445281104301").population == 3200
    assert "1 written" in capsys.readouterr().out


def test_history_survives_a_merge(base_data):
    """A merged village keeps its record with valid_to and its successor; the code may be reused later."""
    merged = Area.objects.get(code="445281104202")
    survivor = Area.objects.get(code="445281104201")
    merged.valid_to = "2021-01-01"
    merged.successor = survivor
    merged.save()
    assert merged not in Area.objects.current()
    assert Area.objects.current(on=__import__("datetime").date(2020, 6, 1)).filter(pk=merged.pk).exists()
    Area.objects.create(code="445281104202", name="新设村委会", level="village", kind="village", parent=merged.parent)
    assert Area.objects.filter(code="445281104202").count() == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("流沙东", "流沙东街道"),
        ("liushadong", "流沙东街道"),
        ("lsd", "流沙东街道"),
        ("hongyang", "洪阳镇"),
        ("HY", "洪阳镇"),
        ("445281104", "洪阳镇"),
    ],
)
def test_search_by_name_pinyin_and_initials(db, query, expected):
    load_base_data()
    assert expected in set(Area.objects.search(query).values_list("name", flat=True))
