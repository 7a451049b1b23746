"""``/api/v1/funds/``: the same flow, rules and scopes as the pages; refusals name the rule."""

from decimal import Decimal

import pytest

from cuntong.core import claims
from cuntong.funds.models import Appeal, LedgerEntry
from cuntong.web.testing import _api_rows, login, programme

from .factories import contract, evidence, line, set_status, sub_item
from .stand_ins import claim, stand_in

API = "/api/v1/funds"


def ok(response, status=200):
    assert response.status_code == status, response.content[:500]
    return response.json()


def test_a_request_through_the_api(cast):
    signed = contract(cast.office, amount_wan="100", number=1)
    milestone = signed.milestones.get(sequence=1)
    contractor, office, finance = login(cast.contractor), login(cast.office), login(cast.finance)
    created = ok(
        contractor.post(
            f"{API}/requests/",
            {"milestone": milestone.pk, "amount": "400000.00", "purpose": "签订款", "files": [evidence()]},
        ),
        201,
    )
    assert (created["status"], created["kind"], created["payee"]) == ("submitted", "contract", cast.organisation.name)
    url = f"{API}/requests/{created['id']}"
    assert ok(office.post(f"{url}/review/"))["status"] == "reviewed"
    assert ok(finance.post(f"{url}/approve/"))["status"] == "approved"
    paid = ok(
        finance.post(
            f"{url}/pay/", {"voucher_number": "PZ-9", "paid_on": "2020-09-09"}, content_type="application/json"
        )
    )
    assert (paid["status"], paid["voucher_number"]) == ("paid", "PZ-9")
    timeline = ok(contractor.get(f"{url}/timeline/"))
    assert [e["event"] for e in timeline] == [
        "request_submitted",
        "evidence_attached",
        "request_reviewed",
        "request_approved",
        "request_paid",
    ]
    assert all(len(e["hash"]) == 64 for e in timeline)


def test_refusals_answer_400_naming_the_rule(cast):
    set_status(4, "in_implementation")
    office = login(cast.office)
    body = {
        "allocation": line(4, "local").pk,
        "payee": "某站点",
        "amount": "400001.00",
        "purpose": "维护",
        "files": [evidence()],
    }
    refused = office.post(f"{API}/requests/", body)
    assert refused.status_code == 400 and refused.json()["code"] == "over_budget"
    body.update(amount="1000.00", purpose="店铺刷单", files=[evidence()])
    assert office.post(f"{API}/requests/", body).json()["code"] == "negative_list:traffic_purchase"
    body.update(allocation=line(6, "local").pk, purpose="租金", files=[evidence()])
    assert office.post(f"{API}/requests/", body).json()["code"] == "local_funds_not_in_implementation"


def test_each_step_belongs_to_its_role(cast):
    signed = contract(cast.office, number=1)
    request = ok(
        login(cast.contractor).post(
            f"{API}/requests/",
            {"milestone": signed.milestones.first().pk, "amount": "1000", "purpose": "x", "files": [evidence()]},
        ),
        201,
    )
    url = f"{API}/requests/{request['id']}"
    assert login(cast.finance).post(f"{url}/review/").status_code == 403
    assert login(cast.contractor).post(f"{url}/review/").status_code in (403, 404)
    assert login(cast.evaluator).post(f"{url}/review/").status_code == 403
    ok(login(cast.office).post(f"{url}/review/"))
    assert login(cast.office).post(f"{url}/approve/").status_code == 403
    assert login(cast.office).delete(f"{url}/").status_code in (403, 405)  # fund records are never deleted


def test_contracts_are_created_with_a_schedule_and_signed(cast):
    office = login(cast.office)
    created = ok(
        office.post(
            f"{API}/contracts/",
            {
                "number": "HT-API-1",
                "title": "站点运营维护",
                "contractor": cast.organisation.pk,
                "allocation": line(4).pk,
                "sub_item": sub_item("station_operation").pk,
                "amount": "500000.00",
                "start_date": "2020-01-01",
                "end_date": "2022-12-31",
                "deliverables": "三年运营",
                "schedule": [
                    {"name": "首付", "percent": "50"},
                    {"name": "尾款", "percent": "50", "evidence_required": "验收"},
                ],
            },
            content_type="application/json",
        ),
        201,
    )
    assert [m["amount"] for m in created["milestones"]] == ["250000.00", "250000.00"]
    signed = ok(office.post(f"{API}/contracts/{created['id']}/sign/", {"signed_on": "2020-01-05"}))
    assert signed["status"] == "signed"
    assert (
        office.patch(f"{API}/contracts/{created['id']}/", {"title": "改"}, content_type="application/json").status_code
        == 400
    )
    lines = {row["id"]: row for row in ok(login(cast.evaluator).get(f"{API}/budget-lines/"))["results"]}
    assert Decimal(lines[line(4).pk]["committed_amount"]) == Decimal("500000.00")


def test_appeals_through_the_api(cast):
    signed = contract(cast.office, number=1)
    contractor = login(cast.contractor)
    request = ok(
        contractor.post(
            f"{API}/requests/",
            {"milestone": signed.milestones.first().pk, "amount": "1000", "purpose": "x", "files": [evidence()]},
        ),
        201,
    )
    ok(login(cast.office).post(f"{API}/requests/{request['id']}/reject/", {"reason": "不合规"}))
    decision = LedgerEntry.objects.get(event="request_rejected")
    appeal = ok(contractor.post(f"{API}/appeals/", {"decision_entry": decision.pk, "grounds": "合规"}), 201)
    office2 = login(cast.office2)
    assert ok(office2.post(f"{API}/appeals/{appeal['id']}/start_review/"))["status"] == "under_review"
    decided = ok(
        office2.post(f"{API}/appeals/{appeal['id']}/decide/", {"outcome": "dismissed", "reason": "维持原决定"})
    )
    assert decided["status"] == "dismissed" and Appeal.objects.get().decision_reason == "维持原决定"
    assert (
        login(cast.office)
        .post(f"{API}/appeals/{appeal['id']}/decide/", {"outcome": "upheld", "reason": "x"})
        .status_code
        == 400
    )


def test_the_ledger_head_and_verification(cast):
    contract(cast.office, number=1)
    evaluator = login(cast.evaluator)
    head = ok(evaluator.get(f"{API}/ledger/head/"))
    assert head["seq"] == LedgerEntry.objects.count()
    report = ok(evaluator.get(f"{API}/ledger/verify/"))
    assert report == {"ok": True, "entries": head["seq"], "daily_heads_checked": 0, "problems": []}
    assert login(cast.evaluator).post(f"{API}/ledger/", {}).status_code in (403, 405)


def test_subsidy_batches_through_the_api(cast):
    with claims.registered(stand_in([claim(1, "洪阳镇服务站", 600)])):
        batch = ok(
            login(cast.office).post(f"{API}/subsidy-batches/", {"month": "2020-12-01", "claim_source": "stand_in"}),
            201,
        )
        refused = login(cast.evaluator).post(
            f"{API}/subsidy-batches/", {"month": "2021-01-01", "claim_source": "stand_in"}
        )
    assert (batch["amount"], batch["request_status"], len(batch["lines"])) == ("600.00", "submitted", 1)
    assert (batch["claim_source"], batch["lines"][0]["facts"]) == ("stand_in", {"amount": "600"})
    assert refused.status_code == 403


def test_the_schema_documents_the_fund_endpoints(cast):
    schema = login(cast.office).get("/api/v1/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/funds/requests/{id}/approve/",
        "/api/v1/funds/ledger/verify/",
        "/api/v1/funds/appeals/{id}/decide/",
    ):
        assert path in paths


@pytest.mark.parametrize("endpoint", ["budget-lines", "contracts", "requests", "appeals", "ledger", "subsidy-batches"])
def test_lists_are_filtered_by_programme(cast, endpoint):
    evaluator = login(cast.evaluator)
    assert _api_rows(evaluator.get(f"{API}/{endpoint}/", {"programme": "no-such"})) == []
    if endpoint in ("budget-lines", "ledger"):
        assert _api_rows(evaluator.get(f"{API}/{endpoint}/", {"programme": programme().code}))
