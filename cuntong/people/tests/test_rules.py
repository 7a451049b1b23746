"""How roster spreadsheets say labour capacity, work status and poverty status."""

import pytest

from cuntong.people import rules


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("普通劳动力", True),
        ("技能劳动力", True),
        ("弱劳动力或半劳动力", True),
        ("是", True),
        ("丧失劳动力", False),
        ("无劳动力", False),
        ("", False),
    ],
)
def test_labour_capable(text, expected):
    assert rules.labour_capable(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"), [("省外务工", True), ("省内县外务工", True), ("县内务工", False), ("否", False)]
)
def test_migrant_worker(text, expected):
    assert rules.migrant_worker(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "poor"), ("未脱贫", "poor"), ("已脱贫", "lifted"), ("脱贫户", "lifted"), ("监测户", "monitored")],
)
def test_poverty_status(text, expected):
    assert rules.poverty_status(text) == expected


@pytest.mark.parametrize("parse", [rules.labour_capable, rules.migrant_worker, rules.poverty_status])
def test_unknown_words_are_refused_with_the_accepted_ones(parse):
    with pytest.raises(rules.Unrecognised, match="可填"):
        parse("也许")


def test_a_reveal_needs_a_reason():
    assert rules.reveal_reason_error("") and rules.reveal_reason_error(" 看看 ")
    assert rules.reveal_reason_error("核实培训报名身份") is None
