"""Station operating subsidies: computed from station status and activity, one batch a month, paid through the
same approval flow and ledger; a station operator sees and appeals only their own station's line."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from cuntong.funds import ledger, services, subsidies
from cuntong.funds.models import LedgerEntry, SubsidyLine
from cuntong.funds.rules import FundRuleViolation
from cuntong.funds.subsidies import StationFacts
from cuntong.web.testing import HONGYANG, NANXI, login, make_user, programme

from .factories import through

RULE = {"monthly_yuan": {"township": 600, "village": 300, "benchmark_bonus": 200}, "minimum_activity_score": 40}
MONTH = datetime.date(2020, 10, 1)


@pytest.mark.parametrize(
    ("station", "amount", "code"),
    [
        (StationFacts(1, "洪阳镇服务站", "township", "operating", Decimal(80)), 600, "paid"),
        (StationFacts(2, "测试甲村服务点", "village", "operating", Decimal(40)), 300, "paid"),
        (StationFacts(3, "标杆点", "village", "probation", Decimal(90), is_benchmark=True), 500, "paid_benchmark"),
        (StationFacts(4, "淘汰点", "village", "eliminated", Decimal(90)), 0, "eliminated"),
        (StationFacts(5, "被替换点", "village", "replaced", Decimal(90)), 0, "eliminated"),
        (StationFacts(6, "低活跃点", "village", "operating", Decimal("39.99")), 0, "below_minimum"),
        (StationFacts(7, "未报送点", "village", "operating", None), 0, "no_report"),
        (StationFacts(8, "在建点", "village", "built", Decimal(90)), 0, "not_operating"),
    ],
)
def test_subsidy_rules(station, amount, code):
    decision = subsidies.decide(station, RULE)
    assert (decision.amount, decision.reason_code) == (Decimal(amount), code)


@pytest.fixture
def stations(cast):
    """A fake station source, as the stations app will register one."""
    operator = make_user("zhanzhang1", "station_operator", HONGYANG)
    other_operator = make_user("zhanzhang2", "station_operator", NANXI)
    facts = [
        StationFacts(
            101, "洪阳镇服务站", "township", "operating", Decimal(75), area_code=HONGYANG, operator_user_id=operator.pk
        ),
        StationFacts(
            102,
            "南溪镇服务站",
            "township",
            "operating",
            Decimal(35),
            area_code=NANXI,
            operator_user_id=other_operator.pk,
        ),
        StationFacts(103, "测试甲村服务点", "village", "operating", Decimal(88), True, "445281104201"),
        StationFacts(104, "测试丁村服务点", "village", "eliminated", Decimal(60), area_code="445281105202"),
    ]

    def source(programme_, month):
        assert month.day == 1
        return facts

    subsidies.register_station_source(source)
    yield operator, other_operator
    subsidies.unregister_station_source(source)


def test_a_month_is_computed_submitted_and_paid_as_one_request(cast, stations):
    batch = services.create_subsidy_batch(cast.office, programme(), datetime.date(2020, 10, 17))
    assert batch.month == MONTH
    lines = {line.station_id: (line.amount, line.reason_code) for line in batch.lines.all()}
    assert lines == {
        101: (Decimal("600.00"), "paid"),
        102: (Decimal("0.00"), "below_minimum"),
        103: (Decimal("500.00"), "paid_benchmark"),
        104: (Decimal("0.00"), "eliminated"),
    }
    request = batch.request
    assert (request.kind, request.amount, request.sub_item.code) == ("subsidy", Decimal("1100.00"), "station_operation")
    assert "2020年10月" in request.purpose and "2 个站点" in request.purpose
    assert through(request, cast).status == "paid"
    computed = LedgerEntry.objects.get(event="subsidy_batch_computed")
    assert [row[0] for row in computed.payload["lines"]] == [101, 102, 103, 104]
    assert ledger.verify().ok


def test_one_batch_a_month_and_a_source_is_needed(cast, stations):
    services.create_subsidy_batch(cast.office, programme(), MONTH)
    with pytest.raises(FundRuleViolation) as caught:
        services.create_subsidy_batch(cast.office, programme(), MONTH)
    assert caught.value.code == "batch_exists"


def test_without_a_station_source_nothing_is_computed(cast, monkeypatch):
    monkeypatch.setattr(subsidies, "_sources", [])  # a deployment without the stations app
    assert not subsidies.has_station_source()
    with pytest.raises(FundRuleViolation) as caught:
        services.create_subsidy_batch(cast.office, programme(), MONTH)
    assert caught.value.code == "no_station_source"


def test_local_subsidies_wait_for_implementation(cast, stations):
    with pytest.raises(FundRuleViolation) as caught:
        services.create_subsidy_batch(cast.office, programme(), MONTH, source="local")
    assert caught.value.code == "local_funds_not_in_implementation"


def test_a_station_operator_sees_and_appeals_only_their_own_line(cast, stations):
    operator, other_operator = stations
    batch = services.create_subsidy_batch(cast.office, programme(), MONTH)
    own = batch.lines.get(station_id=101)
    theirs = batch.lines.get(station_id=102)
    assert list(SubsidyLine.objects.restrict(operator, "view")) == [own]
    client = login(operator)
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get("/api/v1/funds/subsidy-lines/").json()["results"][0]["station_id"] == 101
    decision = LedgerEntry.objects.get(event="subsidy_batch_computed")
    with pytest.raises(PermissionDenied):  # not their station
        services.file_appeal(operator, decision, "不服", subsidy_line=theirs)
    appeal = services.file_appeal(other_operator, decision, "本月已报送月报，得分有误", subsidy_line=theirs)
    assert appeal.subsidy_line == theirs
    page = login(other_operator).get(appeal.get_absolute_url())
    assert page.status_code == 200 and "本月已报送月报" in page.content.decode()
