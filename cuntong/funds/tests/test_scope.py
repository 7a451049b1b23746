"""Who sees which fund records, on pages, exports and the API (web.testing.ScopedModelTests for each model).

Fund records belong to the programme, not to a township: a township-scoped membership opens none of them, even
when its role holds the view permission (``township_role = "evaluator"`` below: a third-party evaluator scoped to
one township). Budget lines are programme-wide plan figures every member may read; subsidy lines belong to a
station and so to its township.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cuntong.accounts.models import User
from cuntong.core import claims
from cuntong.funds import ledger, services
from cuntong.funds import models as funds_models
from cuntong.funds.models import LedgerEntry
from cuntong.programme.models import BudgetAllocation, Project
from cuntong.web.testing import HONGYANG, NANXI, ScopedModelTests, _api_rows, login, make_user, programme

from .factories import contract, contractor_org, contractor_user, milestone_request
from .stand_ins import claim, stand_in

MONTHS = {HONGYANG: datetime.date(2020, 10, 1), NANXI: datetime.date(2020, 11, 1)}


def person(username: str, role: str = "office", organisation=None) -> User:
    return User.objects.filter(username=username).first() or make_user(username, role, organisation=organisation)


def contractor():
    return User.objects.filter(username="scope-contractor").first() or contractor_user("scope-contractor")


class ProgrammeWideRecords:
    township_role = "evaluator"

    def test_township_member_sees_only_their_township(self, records):
        client = login(make_user("township-viewer", self.township_role, HONGYANG))
        page = client.get(self.list_url)
        assert page.status_code == 200
        assert not any(self.record_text(obj) in page.content.decode() for obj in records)
        for obj in records:
            assert client.get(self.detail_url(obj)).status_code == 404
            assert client.get(self.api_detail_url(obj)).status_code == 404
        assert _api_rows(client.get(self.api_url, {"limit": 1000})) == []


class TestBudgetLineScope(ScopedModelTests):
    model = funds_models.BudgetLine
    list_url = "/funds/lines/"
    api_url = "/api/v1/funds/budget-lines/"
    township_role = "evaluator"

    def make_record(self, township_code):
        number = 7 if township_code == HONGYANG else 8
        project = Project.objects.create(
            programme=programme(),
            number=number,
            category="测试",
            name=f"测试项目{township_code}",
            content="-",
            due_date=datetime.date(2020, 12, 31),
        )
        from cuntong.funds.models import BudgetLine

        BudgetAllocation.objects.create(project=project, source="national", amount=Decimal("10000.00"))
        return BudgetLine.objects.get(project=project)

    def record_text(self, obj):
        return obj.project.name

    def test_township_member_sees_only_their_township(self, records):
        """Budget lines are the plan's programme-wide figures: a township member with the permission sees them all."""
        client = login(make_user("township-viewer", self.township_role, HONGYANG))
        page = client.get(self.list_url).content.decode()
        assert all(self.record_text(obj) in page for obj in records)
        assert client.get(self.detail_url(records[1])).status_code == 200


class TestContractScope(ProgrammeWideRecords, ScopedModelTests):
    model = funds_models.Contract
    list_url = "/funds/contracts/"
    api_url = "/api/v1/funds/contracts/"

    def make_record(self, township_code):
        return contract(person("scope-office"), amount_wan="1", number=1, title=f"合同{township_code}")

    def record_text(self, obj):
        return obj.number


class TestRequestScope(ProgrammeWideRecords, ScopedModelTests):
    model = funds_models.DisbursementRequest
    list_url = "/funds/requests/"
    api_url = "/api/v1/funds/requests/"

    def make_record(self, township_code):
        signed = contract(person("scope-office"), amount_wan="1", number=1, organisation=contractor_org())
        return milestone_request(contractor(), signed, 1, purpose=f"付款{township_code}")

    def record_text(self, obj):
        return obj.code


class TestAppealScope(ProgrammeWideRecords, ScopedModelTests):
    model = funds_models.Appeal
    list_url = "/funds/appeals/"
    api_url = "/api/v1/funds/appeals/"

    def make_record(self, township_code):
        signed = contract(person("scope-office"), amount_wan="1", number=1, organisation=contractor_org())
        request = milestone_request(contractor(), signed, 1)
        services.decide(person("scope-office"), request, "reject", reason="不符合条件")
        decision = LedgerEntry.objects.get(request=request, event="request_rejected")
        return services.file_appeal(contractor(), decision, f"申诉{township_code}")

    def record_text(self, obj):
        return obj.code


class TestLedgerScope(ProgrammeWideRecords, ScopedModelTests):
    model = funds_models.LedgerEntry
    list_url = "/funds/ledger/"
    api_url = "/api/v1/funds/ledger/"

    def make_record(self, township_code):
        return ledger.append(programme().pk, "budget_set", programme(), payload={"note": township_code})

    def record_text(self, obj):
        return obj.hash[:12]


@pytest.fixture
def station_source():
    """A stand-in for the stations app: one station claiming 600 in whichever township the test asks for."""
    township = {"code": HONGYANG}

    def collect(programme_, month):
        code = township["code"]
        return [claim(int(code[-3:]), f"{code}服务站", 600, area_code=code)]

    with claims.registered(stand_in(collect=collect)):
        yield township


class SubsidyRecords:
    @pytest.fixture(autouse=True)
    def _source(self, station_source):
        self.township = station_source

    def make_batch(self, township_code):
        self.township["code"] = township_code
        return services.create_subsidy_batch(
            person("scope-office"), programme(), MONTHS[township_code], claim_source="stand_in"
        )


class TestSubsidyBatchScope(SubsidyRecords, ProgrammeWideRecords, ScopedModelTests):
    model = funds_models.SubsidyBatch
    list_url = "/funds/subsidies/"
    api_url = "/api/v1/funds/subsidy-batches/"

    def make_record(self, township_code):
        return self.make_batch(township_code)


class TestSubsidyLineScope(SubsidyRecords, ScopedModelTests):
    model = funds_models.SubsidyLine
    """A station's line lies in its township: the township's members see it, other townships' do not."""

    list_url = "/funds/subsidies/lines/"
    api_url = "/api/v1/funds/subsidy-lines/"
    township_role = "evaluator"

    def make_record(self, township_code):
        return self.make_batch(township_code).lines.get()

    def record_text(self, obj):
        return obj.subject_name


class TestContractorsSeeOnlyTheirOwn:
    def test_pages_exports_and_api(self, cast):
        own = milestone_request(cast.contractor, contract(cast.office, number=1), 1)
        other_org = contractor_org("别家承办公司")
        theirs = milestone_request(
            contractor_user("other", other_org), contract(cast.office, number=1, organisation=other_org), 1
        )
        client = login(cast.contractor)
        page = client.get("/funds/requests/").content.decode()
        assert own.code in page and theirs.code not in page
        assert client.get(theirs.get_absolute_url()).status_code == 404
        assert client.get(theirs.contract.get_absolute_url()).status_code == 404
        assert {r["id"] for r in _api_rows(client.get("/api/v1/funds/requests/"))} == {own.pk}
        assert {r["id"] for r in _api_rows(client.get("/api/v1/funds/contracts/"))} == {own.contract_id}
        for url in ("/funds/", "/funds/ledger/", "/funds/export.xlsx", "/api/v1/funds/ledger/"):
            assert client.get(url).status_code == 403, url
        # The contractor follows their own request's timeline, evidence checksums included.
        detail = client.get(own.get_absolute_url()).content.decode()
        assert "提交拨付申请" in detail and "SHA-256" in detail


LIST_PAGES = ["/funds/lines/", "/funds/contracts/", "/funds/requests/", "/funds/appeals/", "/funds/ledger/", "/funds/"]


@pytest.mark.parametrize("url", LIST_PAGES)
def test_list_pages_query_counts_do_not_grow_with_records(cast, url, django_assert_max_num_queries):
    client = login(cast.evaluator)

    def add_records():
        signed = contract(cast.office, amount_wan="1", number=1)
        request = milestone_request(cast.contractor, signed, 1)
        services.decide(cast.office, request, "reject", reason="x")
        services.file_appeal(cast.contractor, LedgerEntry.objects.get(request=request, event="request_rejected"), "y")

    add_records()
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(4):
        add_records()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(30):
        client.get(url)
