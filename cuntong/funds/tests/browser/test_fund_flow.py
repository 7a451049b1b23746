"""In a real browser: one request goes the whole way — the contractor submits it with evidence, the programme office
reviews it, the finance bureau (two-factor login) approves and pays it — and an appeal against a rejection is
filed by the contractor and upheld by the office. Then the pages at phone width."""

import datetime

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from cuntong.funds import ledger, services
from cuntong.funds.models import Appeal, DisbursementRequest
from cuntong.web.testing import PASSWORD, current_totp, programme

from ..factories import PDF, Cast, contract, milestone_request

pytestmark = pytest.mark.browser


def sign_in(page, user, device=None):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    if device is not None:
        page.wait_for_url("**/accounts/otp/verify/**")
        page.fill("input[name=token]", f"{current_totp(device):06d}")
        page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/" not in url)


def act(page, action, **fields):
    form = page.locator(f'form[data-action="{action}"]')
    for name, value in fields.items():
        form.locator(f'[name="{action}-{name}"]').fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def status(page) -> str:
    return page.locator("#request-status").get_attribute("data-status")


@pytest.fixture
def flow_cast(browser_data):
    cast = Cast()
    signed = contract(cast.office, amount_wan="100", number=1)
    device = TOTPDevice.objects.create(user=cast.finance, name="phone", confirmed=True)
    return cast, signed, device


def test_one_request_through_the_whole_flow_and_an_appeal(page, flow_cast, tmp_path):
    cast, signed, device = flow_cast
    invoice = tmp_path / "发票.pdf"
    invoice.write_bytes(PDF)

    # The contractor submits a milestone payment with its invoice.
    sign_in(page, cast.contractor)
    page.goto("/funds/requests/new/")
    page.select_option("#id_milestone", str(signed.milestones.get(sequence=1).pk))
    page.fill("#id_amount", "400000")
    page.fill("#id_purpose", "合同签订款（40%）")
    page.set_input_files("#id_files", str(invoice))
    page.click("#request-form button[type=submit]")
    page.wait_for_url("**/funds/requests/*/")
    request = DisbursementRequest.objects.get()
    assert status(page) == "submitted"
    assert "发票.pdf" in page.inner_text("#timeline")

    # The programme office reviews it.
    sign_in(page, cast.office)
    page.goto(request.get_absolute_url())
    assert page.locator('form[data-action="approve"]').count() == 0
    act(page, "review")
    assert status(page) == "reviewed"

    # The finance bureau signs in with its second factor, approves and pays.
    sign_in(page, cast.finance, device)
    page.goto(request.get_absolute_url())
    assert page.locator('form[data-action="review"]').count() == 0
    act(page, "approve")
    assert status(page) == "approved"
    act(page, "pay", voucher_number="PN-2020-0801", paid_on="2020-08-01")
    assert status(page) == "paid"
    timeline = page.inner_text("#timeline")
    for label in ("提交拨付申请", "上传证据", "项目办审核通过", "财政局批准", "拨付", "PN-2020-0801"):
        assert label in timeline
    request.refresh_from_db()
    assert (request.reviewed_by, request.approved_by, request.paid_on) == (
        cast.office,
        cast.finance,
        datetime.date(2020, 8, 1),
    )

    # Finance rejects another request; the contractor appeals and the office upholds the appeal.
    second = services.decide(cast.office, milestone_request(cast.contractor, signed, 2), "review")
    page.goto(second.get_absolute_url())
    act(page, "reject", reason="进度报告未附现场照片")
    assert status(page) == "rejected"

    sign_in(page, cast.contractor)
    page.goto(second.get_absolute_url())
    page.click("a[data-appeal-entry]")
    page.fill("#id_grounds", "现场照片已于提交时上传，见附件第3页。")
    page.click("#appeal-form button[type=submit]")
    page.wait_for_url("**/funds/appeals/*/")
    assert page.locator("#appeal-status").get_attribute("data-status") == "filed"

    sign_in(page, cast.office)
    page.goto(Appeal.objects.get().get_absolute_url())
    page.click('button[value="review"]')
    page.wait_for_load_state()
    assert page.locator("#appeal-status").get_attribute("data-status") == "under_review"
    page.select_option("#id_outcome", "upheld")
    page.fill("#id_reason", "照片齐全，撤销驳回，重新审核。")
    page.click('button[value="decide"]')
    page.wait_for_load_state()
    assert page.locator("#appeal-status").get_attribute("data-status") == "upheld"
    page.goto(second.get_absolute_url())
    assert status(page) == "submitted"
    assert ledger.verify(programme().pk).ok


def test_fund_pages_work_at_phone_width(phone_page, flow_cast):
    cast, signed, device = flow_cast
    request = milestone_request(cast.contractor, signed, 1)
    sign_in(phone_page, cast.finance, device)
    for url in (
        "/funds/",
        request.get_absolute_url(),
        "/funds/lines/",
        "/funds/ledger/",
        f"/funds/public/{programme().code}/",
    ):
        phone_page.goto(url)
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360, url
    phone_page.goto("/funds/")
    phone_page.wait_for_selector('[data-chart="funds-budget-chart"][data-rendered="true"]')
    phone_page.wait_for_selector('[data-chart="funds-progress-chart"][data-rendered="true"]')
