"""Monthly claim batches: whatever a registered source (``core.claims``) claims for a month is priced by its rule,
submitted as one request on the sub-item the plan binds it to, paid through the same approval flow and ledger; one
batch per source and month; a claimant sees and appeals only their own line. The stations' own figures (amounts by
level, benchmark bonus, minimum score) are tested with the stations and in ``cuntong/tests``."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from cuntong.core import claims
from cuntong.funds import ledger, services
from cuntong.funds.models import LedgerEntry, SubsidyLine
from cuntong.funds.rules import FundRuleViolation
from cuntong.web.testing import HONGYANG, NANXI, login, make_user, programme

from .factories import through
from .stand_ins import claim, stand_in

MONTH = datetime.date(2020, 10, 1)


@pytest.fixture
def claimants(cast):
    """A stand-in source with four claims, two of them by operators in two townships."""
    operator = make_user("zhanzhang1", "station_operator", HONGYANG)
    other_operator = make_user("zhanzhang2", "station_operator", NANXI)
    found = [
        claim(103, "测试甲村服务点", 500, area_code="445281104201"),
        claim(101, "洪阳镇服务站", 600, area_code=HONGYANG, claimant=operator),
        claim(102, "南溪镇服务站", 0, area_code=NANXI, claimant=other_operator),
        claim(104, "测试丁村服务点", 0, area_code="445281105202"),
    ]
    months = []

    def collect(programme_, month):
        months.append(month)
        return found

    with claims.registered(stand_in(collect=collect)):
        yield operator, other_operator, months


def test_a_month_is_computed_submitted_and_paid_as_one_request(cast, claimants):
    *_operators, months = claimants
    batch = services.create_subsidy_batch(
        cast.office, programme(), datetime.date(2020, 10, 17), claim_source="stand_in"
    )
    assert batch.month == MONTH and months == [MONTH] and batch.claim_source == "stand_in"
    lines = {line.subject_id: (line.amount, line.reason_code) for line in batch.lines.all()}
    assert lines == {
        101: (Decimal("600.00"), "paid"),
        102: (Decimal("0.00"), "nothing"),
        103: (Decimal("500.00"), "paid"),
        104: (Decimal("0.00"), "nothing"),
    }
    assert batch.lines.get(subject_id=101).facts == {"amount": "600"}
    request = batch.request
    assert (request.kind, request.amount, request.sub_item.code) == ("subsidy", Decimal("1100.00"), "station_operation")
    assert request.purpose == "2020年10月 测试补贴（2 项）"
    assert through(request, cast).status == "paid"
    computed = LedgerEntry.objects.get(event="subsidy_batch_computed")
    assert computed.payload["source"] == "stand_in"
    assert [row[0] for row in computed.payload["lines"]] == [101, 102, 103, 104]
    assert ledger.verify().ok


def test_one_batch_a_month_per_source(cast, claimants):
    services.create_subsidy_batch(cast.office, programme(), MONTH, claim_source="stand_in")
    with pytest.raises(FundRuleViolation) as caught:
        services.create_subsidy_batch(cast.office, programme(), MONTH, claim_source="stand_in")
    assert caught.value.code == "batch_exists"
    with claims.registered(stand_in([claim(1, "另一来源", 100)], code="another")):
        other = services.create_subsidy_batch(cast.office, programme(), MONTH, claim_source="another")
    assert (other.month, other.request.amount) == (MONTH, Decimal("100.00"))


def test_without_a_claim_source_nothing_is_computed(cast, monkeypatch):
    monkeypatch.setattr(claims, "_sources", {})  # a deployment where no app claims anything
    with pytest.raises(FundRuleViolation) as caught:
        services.create_subsidy_batch(cast.office, programme(), MONTH)
    assert caught.value.code == "no_claim_source"
    with pytest.raises(FundRuleViolation) as caught:
        services.create_subsidy_batch(cast.office, programme(), MONTH, claim_source="stand_in")
    assert caught.value.code == "unknown_claim_source"


def test_nothing_to_pay_submits_nothing(cast):
    with claims.registered(stand_in([claim(1, "无应付", 0)])), pytest.raises(FundRuleViolation) as caught:
        services.create_subsidy_batch(cast.office, programme(), MONTH, claim_source="stand_in")
    assert caught.value.code == "nothing_to_pay" and not LedgerEntry.objects.filter(event="request_submitted")


def test_a_source_claiming_one_subject_twice_is_refused(cast):
    with claims.registered(stand_in([claim(1, "甲", 10), claim(1, "甲", 20)])), pytest.raises(FundRuleViolation) as e:
        services.create_subsidy_batch(cast.office, programme(), MONTH, claim_source="stand_in")
    assert e.value.code == "duplicate_claim"


def test_local_subsidies_wait_for_implementation(cast, claimants):
    with pytest.raises(FundRuleViolation) as caught:
        services.create_subsidy_batch(cast.office, programme(), MONTH, source="local", claim_source="stand_in")
    assert caught.value.code == "local_funds_not_in_implementation"


def test_a_claimant_sees_and_appeals_only_their_own_line(cast, claimants):
    operator, other_operator, _months = claimants
    batch = services.create_subsidy_batch(cast.office, programme(), MONTH, claim_source="stand_in")
    own = batch.lines.get(subject_id=101)
    theirs = batch.lines.get(subject_id=102)
    assert list(SubsidyLine.objects.restrict(operator, "view")) == [own]
    client = login(operator)
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get("/api/v1/funds/subsidy-lines/").json()["results"][0]["subject_id"] == 101
    decision = LedgerEntry.objects.get(event="subsidy_batch_computed")
    with pytest.raises(PermissionDenied):  # not their line
        services.file_appeal(operator, decision, "不服", subsidy_line=theirs)
    appeal = services.file_appeal(other_operator, decision, "本月已报送月报，得分有误", subsidy_line=theirs)
    assert appeal.subsidy_line == theirs
    page = login(other_operator).get(appeal.get_absolute_url())
    assert page.status_code == 200 and "本月已报送月报" in page.content.decode()
