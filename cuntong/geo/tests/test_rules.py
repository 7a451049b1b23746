import pytest

from cuntong.geo import rules


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("445281102000", "445281102"),
        ("445281000000", "445281"),
        ("440000000000", "44"),
        ("445281102201", "445281102201"),
        ("445281102.0", "445281102"),
    ],
)
def test_codes_are_normalised(raw, code):
    assert rules.normalise_code(raw) == code


@pytest.mark.parametrize("raw", ["44528", "4452811", "44528110x", ""])
def test_bad_codes_are_named(raw):
    with pytest.raises(rules.CodeError):
        rules.normalise_code(raw)


def test_levels_and_parents():
    assert rules.level_of("445281102201") == "village"
    assert rules.parent_code("445281102201") == "445281102"
    assert rules.parent_code("445281102") == "445281"
    assert rules.parent_code("44") is None


def test_extends():
    rules.check_extends("445281102201", "445281102")
    with pytest.raises(rules.CodeError):
        rules.check_extends("445281103201", "445281102")


@pytest.mark.parametrize(
    ("code", "name", "kind"),
    [
        ("445281001", "流沙东街道", "subdistrict"),
        ("445281102", "赤岗镇", "town"),
        ("445281201", "后溪乡", "xiang"),
        ("445281401", "大池农场", "farm"),
        ("445281407", "科技工业园", "park"),
        ("445281408", "普宁产业转移工业园", "park"),
        ("445281123", "普侨区", "special"),
        ("445281102201", "某某村委会", "village"),
        ("445281001001", "某社区居委会", "community"),
        ("445281102002", "无后缀", "community"),
        ("445281102210", "无后缀", "village"),
        ("445281450", "无后缀", "special"),
    ],
)
def test_kinds(code, name, kind):
    assert rules.kind_of(code, name) == kind


def test_pinyin_full_and_initials():
    assert rules.pinyin_of("流沙东街道") == ("liushadongjiedao", "lsdjd")
    assert rules.pinyin_key("洪阳") == "hongyang"
    assert rules.pinyin_key("Hong Yang") == "hongyang"
