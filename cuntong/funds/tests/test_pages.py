"""The fund pages as people use them: forms, decisions, the evaluator's read-only view, the auditors' export, the
dashboard and the public ledger head."""

import datetime
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from cuntong.core.money import wan_to_yuan
from cuntong.funds import ledger, services
from cuntong.funds.models import Appeal, Contract, DisbursementRequest, LedgerEntry, LedgerSnapshot
from cuntong.web.testing import login, programme

from .factories import contract, evidence, line, milestone_request, through


def post(client, url, data=None, **extra):
    response = client.post(url, data or {}, **extra)
    assert response.status_code in (200, 302), (url, response.status_code)
    return response


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_office_reviews_and_finance_approves_and_pays_on_the_pages(cast):
    request = milestone_request(cast.contractor, contract(cast.office, number=1), 1)
    office, finance = login(cast.office), login(cast.finance)
    page = office.get(request.get_absolute_url()).content.decode()
    assert 'data-action="review"' in page and 'data-action="approve"' not in page
    post(office, f"/funds/requests/{request.pk}/review/")
    page = finance.get(request.get_absolute_url()).content.decode()
    assert 'data-action="approve"' in page and 'data-action="review"' not in page
    post(finance, f"/funds/requests/{request.pk}/approve/")
    post(finance, f"/funds/requests/{request.pk}/pay/", {"pay-voucher_number": "PZ-77", "pay-paid_on": "2020-08-01"})
    request.refresh_from_db()
    assert (request.status, request.voucher_number, request.paid_on) == ("paid", "PZ-77", datetime.date(2020, 8, 1))


def test_a_refused_decision_is_explained_and_changes_nothing(cast):
    request = milestone_request(cast.contractor, contract(cast.office, number=1), 1)
    office = login(cast.office)
    response = office.post(f"/funds/requests/{request.pk}/approve/", follow=True)
    assert any("待审核" in m for m in messages_of(response))  # not at this step
    response = office.post(f"/funds/requests/{request.pk}/reject/", {"reject-reason": ""}, follow=True)
    assert messages_of(response)
    services.decide(cast.office2, request, "review")
    response = office.post(f"/funds/requests/{request.pk}/approve/", follow=True)
    assert any("权限" in m for m in messages_of(response))  # not the office's step
    request.refresh_from_db()
    assert request.status == "reviewed"


def test_the_evaluator_reads_everything_and_changes_nothing(cast):
    signed = contract(cast.office, number=1)
    request = milestone_request(cast.contractor, signed, 1)
    evaluator = login(cast.evaluator)
    for url in [
        "/funds/",
        "/funds/lines/",
        f"/funds/lines/{line(1).pk}/",
        "/funds/contracts/",
        signed.get_absolute_url(),
        "/funds/requests/",
        request.get_absolute_url(),
        "/funds/appeals/",
        "/funds/ledger/",
        LedgerEntry.objects.first().get_absolute_url(),
        "/funds/subsidies/",
        "/funds/subsidies/lines/",
    ]:
        assert evaluator.get(url).status_code == 200, url
    page = evaluator.get(request.get_absolute_url()).content.decode()
    assert 'data-action="' not in page and "request-actions" not in page
    for url in (
        "/funds/contracts/new/",
        "/funds/requests/new/",
        "/funds/subsidies/new/",
        f"/funds/contracts/{signed.pk}/edit/",
    ):
        assert evaluator.get(url).status_code == 403, url
    evaluator.post(f"/funds/requests/{request.pk}/review/")
    evaluator.post(f"/funds/contracts/{signed.pk}/sign/", {"signed_on": "2020-01-01"})
    request.refresh_from_db()
    assert request.status == "submitted"
    api = evaluator.post("/api/v1/funds/requests/", {"amount": "1", "purpose": "x", "allocation": line(5).pk})
    assert api.status_code == 403
    assert evaluator.post(f"/api/v1/funds/requests/{request.pk}/review/").status_code == 403


def test_a_contract_is_entered_with_its_schedule_and_signed(cast):
    office = login(cast.office)
    form = office.get("/funds/contracts/new/").content.decode()
    assert "合同签订" in form and "中期评估及公示后" in form  # the plan's default schedule
    data = {
        "number": "HT-2020-015",
        "title": "云平台开发建设",
        "contractor": cast.organisation.pk,
        "allocation": line(5).pk,
        "sub_item": services.SubItem.objects.get(project__programme=programme(), code="cloud_platform").pk,
        "amount": "1450000",
        "start_date": "2020-05-01",
        "end_date": "2023-04-30",
        "deliverables": "云平台开发、维护、课程、运营三年",
        "milestones-TOTAL_FORMS": "3",
        "milestones-INITIAL_FORMS": "0",
        "milestones-0-name": "合同签订",
        "milestones-0-percent": "30",
        "milestones-0-evidence_required": "合同",
        "milestones-1-name": "上线验收",
        "milestones-1-percent": "65",
        "milestones-2-name": "质保金",
        "milestones-2-percent": "5",
    }
    response = post(office, "/funds/contracts/new/", data)
    created = Contract.objects.get(number="HT-2020-015")
    assert response["Location"] == created.get_absolute_url()
    assert [m.amount for m in created.milestones.all()] == [
        wan_to_yuan("43.5"),
        wan_to_yuan("94.25"),
        wan_to_yuan("7.25"),
    ]
    post(office, f"/funds/contracts/{created.pk}/sign/", {"signed_on": "2020-05-08"})
    created.refresh_from_db()
    assert created.status == "signed" and created.signed_on == datetime.date(2020, 5, 8)
    assert office.get(f"/funds/contracts/{created.pk}/edit/").status_code == 403


def test_a_contract_form_names_the_rule_it_breaks(cast):
    office = login(cast.office)
    response = office.post(
        "/funds/contracts/new/",
        {
            "number": "HT-X",
            "title": "店铺购买流量推广",
            "contractor": cast.organisation.pk,
            "allocation": line(1).pk,
            "amount": "10000",
            "start_date": "2020-05-01",
            "end_date": "2020-06-01",
            "deliverables": "推广",
            "milestones-TOTAL_FORMS": "1",
            "milestones-INITIAL_FORMS": "0",
            "milestones-0-name": "一次付清",
            "milestones-0-percent": "100",
        },
    )
    assert response.status_code == 200 and "购买流量" in response.content.decode()
    assert not Contract.objects.filter(number="HT-X").exists()


def test_a_contractor_submits_with_evidence_and_resubmits_after_return(cast):
    signed = contract(cast.office, amount_wan="100", number=1)
    milestone = signed.milestones.get(sequence=1)
    client = login(cast.contractor)
    form = client.get("/funds/requests/new/").content.decode()
    assert "HT-TEST" in form and 'name="allocation"' not in form  # contractors pay only from their contracts
    response = post(
        client,
        "/funds/requests/new/",
        {
            "milestone": milestone.pk,
            "amount": "400000",
            "purpose": "合同签订款",
            "evidence_kind": "invoice",
            "files": [evidence("a.pdf"), evidence("b.pdf")],
        },
    )
    request = DisbursementRequest.objects.get()
    assert response["Location"] == request.get_absolute_url()
    assert LedgerEntry.objects.filter(request=request, event="evidence_attached").count() == 2
    services.decide(cast.office, request, "return", reason="金额有误")
    assert client.get(f"/funds/requests/{request.pk}/edit/").status_code == 200
    post(
        client,
        f"/funds/requests/{request.pk}/edit/",
        {"milestone": milestone.pk, "amount": "390000", "purpose": "合同签订款（更正）", "evidence_kind": "invoice"},
    )
    request.refresh_from_db()
    assert (request.status, request.amount, request.revision) == ("submitted", wan_to_yuan("39"), 1)


def test_the_request_form_shows_refusals(cast):
    client = login(cast.office)
    response = client.post(
        "/funds/requests/new/",
        {
            "allocation": line(6, "local").pk,
            "payee": "某单位",
            "amount": "1000",
            "purpose": "租金",
            "evidence_kind": "invoice",
            "files": [evidence()],
        },
    )
    assert response.status_code == 200
    assert "本级财政配套资金须在项目进入实际实施后拨付" in response.content.decode()
    assert not DisbursementRequest.objects.exists()


def test_an_appeal_is_filed_and_decided_on_the_pages(cast):
    request = milestone_request(cast.contractor, contract(cast.office, number=1), 1)
    services.decide(cast.office, request, "reject", reason="不符合付款条件")
    contractor = login(cast.contractor)
    decision = LedgerEntry.objects.get(request=request, event="request_rejected")
    page = contractor.get(request.get_absolute_url()).content.decode()
    assert f'data-appeal-entry="{decision.pk}"' in page
    post(
        contractor,
        f"/funds/appeals/new/{decision.pk}/",
        {"grounds": "已满足付款条件", "files": [evidence("proof.pdf")]},
    )
    appeal = Appeal.objects.get()
    office2 = login(cast.office2)
    page = office2.get(appeal.get_absolute_url()).content.decode()
    assert "appeal-decide" in page
    assert (
        "appeal-decide" not in login(cast.office).get(appeal.get_absolute_url()).content.decode()
    )  # made the decision
    post(office2, f"/funds/appeals/{appeal.pk}/review/")
    post(office2, f"/funds/appeals/{appeal.pk}/decide/", {"outcome": "upheld", "reason": "材料齐全"})
    appeal.refresh_from_db()
    request.refresh_from_db()
    assert (appeal.status, request.status) == ("upheld", "submitted")
    assert contractor.get(appeal.get_absolute_url()).status_code == 200


def test_the_auditors_workbook(cast):
    through(milestone_request(cast.contractor, contract(cast.office, number=1), 1), cast)
    response = login(cast.evaluator).get("/funds/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["预算执行", "子项", "合同", "付款节点", "拨付申请", "证据文件", "申诉", "资金台账"]
    ledger_rows = list(book["资金台账"].iter_rows(values_only=True))
    assert len(ledger_rows) == LedgerEntry.objects.count() + 1
    assert ledger_rows[-1][-1] == ledger.current_head(programme().pk)[1]
    evidence_rows = list(book["证据文件"].iter_rows(values_only=True))[1:]
    assert len(evidence_rows) == 1 and len(evidence_rows[0][5]) == 64
    from cuntong.audit.models import SecurityEvent

    assert SecurityEvent.objects.filter(kind="export", detail__model="funds.audit").exists()


def test_list_exports_follow_the_filters(cast):
    paid = through(milestone_request(cast.contractor, contract(cast.office, number=1), 1), cast)
    milestone_request(cast.contractor, contract(cast.office, number=2), 1)
    response = login(cast.evaluator).get("/funds/requests/", {"status": "paid", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [paid.code]
    search = login(cast.evaluator).get("/funds/requests/", {"q": paid.code}).content.decode()
    assert paid.code in search


def test_the_dashboard_shows_the_seed_budget_and_charts(cast):
    through(milestone_request(cast.contractor, contract(cast.office, number=1), 1), cast)
    page = login(cast.finance).get("/funds/").content.decode()
    assert "1,500.00" in page and "150.00" in page and "1,650.00" in page
    assert 'id="funds-budget-chart"' in page and 'id="funds-progress-chart"' in page
    assert 'data-kpi="funds.execution_rate"' in page


def test_the_public_page_shows_todays_head_without_login(cast):
    through(milestone_request(cast.contractor, contract(cast.office, number=1), 1), cast)
    seq, digest = ledger.current_head(programme().pk)
    ledger.snapshot_today(programme().pk)  # the daily `cuntong ledger snapshot`
    anonymous = Client()
    page = anonymous.get(f"/funds/public/{programme().code}/")
    assert page.status_code == 200 and digest in page.content.decode()
    snapshot = LedgerSnapshot.objects.get(programme=programme())
    assert (snapshot.seq, snapshot.hash) == (seq, digest)
    # Later events move the live head but not the day's published one.
    through(milestone_request(cast.contractor, contract(cast.office, number=2), 1), cast)
    data = anonymous.get(f"/funds/public/{programme().code}/head.json").json()
    assert data["today"] == {"day": snapshot.day.isoformat(), "seq": seq, "hash": digest}
    assert anonymous.get("/funds/public/no-such-programme/").status_code == 404


def test_verification_runs_as_a_job(cast, django_capture_on_commit_callbacks):
    through(milestone_request(cast.contractor, contract(cast.office, number=1), 1), cast)
    client = login(cast.evaluator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/funds/ledger/verify/")
    from cuntong.jobs.models import Job

    job = Job.objects.get(kind="funds.verify_ledger")
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["ok"] is True
    assert job.result["entries"] == LedgerEntry.objects.count()


def test_a_ledger_entry_shows_its_canonical_json(cast):
    entry = LedgerEntry.objects.filter(event="budget_set").first()
    page = login(cast.evaluator).get(entry.get_absolute_url()).content.decode()
    assert entry.hash in page and "哈希核对一致" in page


@pytest.mark.parametrize("username", ["office", "finance", "contractor"])
def test_navigation_offers_what_each_role_may_use(cast, username):
    user = {"office": cast.office, "finance": cast.finance, "contractor": cast.contractor}[username]
    page = login(user).get("/funds/requests/").content.decode()
    assert ("/funds/ledger/" in page) == (username != "contractor")
    assert ("/funds/contracts/new/" in login(user).get("/funds/contracts/").content.decode()) == (username == "office")


def test_a_records_full_history_is_one_click_away(cast):
    request = through(milestone_request(cast.contractor, contract(cast.office, number=1), 1), cast)
    evaluator = login(cast.evaluator)
    page = evaluator.get(request.get_absolute_url()).content.decode()
    link = f"/funds/ledger/?request={request.pk}"
    assert link in page
    history = evaluator.get(link)
    shown = {obj.pk for obj in history.context["object_list"]}
    assert shown == set(LedgerEntry.objects.filter(request=request).values_list("pk", flat=True))
    assert len(shown) == 5
