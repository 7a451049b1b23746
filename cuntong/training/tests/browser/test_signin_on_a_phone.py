"""A trainee scans the session day's QR code on a 360 px phone, types name and ID number, and is signed in; the
session's attendance and the person-time KPI move, and signing again counts once."""

import pytest
from django.utils import timezone

from cuntong.accounts.tests.browser.steps import fits_the_screen, sign_in
from cuntong.people.tests.factories import id_number
from cuntong.programme.kpi import AreaScope, registry
from cuntong.training import services
from cuntong.training.models import Attendance
from cuntong.training.tests.factories import make_session
from cuntong.web.testing import HONGYANG, make_user, programme

pytestmark = pytest.mark.browser


def _person_times():
    return registry.evaluate(AreaScope(programme()), ["training.inclusive_person_times"])[0].value


def test_a_trainee_signs_in_by_the_qr_page_on_a_phone(phone_page):
    page = phone_page
    session = make_session(HONGYANG, code="PH1", days=[timezone.localdate()], title="手机签到培训班")
    day = session.days.get()
    number = id_number(77, born="19950505")
    assert _person_times() == 0

    page.goto(f"/training/signin/{services.signin_code(day)}/")
    assert page.get_by_text("手机签到培训班").is_visible() and fits_the_screen(page)
    page.fill("input[name=name]", "蔡嘉欣")
    page.fill("input[name=id_number]", number)
    page.get_by_role("button", name="签到").click()
    page.wait_for_selector("[data-signed-in]")
    assert "签到成功" in page.locator("[data-signed-in]").inner_text() and number not in page.content()
    assert Attendance.objects.filter(day=day).count() == 1 and _person_times() == 1

    page.goto(f"/training/signin/{services.signin_code(day)}/")  # the same person again: counted once
    page.fill("input[name=name]", "蔡嘉欣")
    page.fill("input[name=id_number]", number)
    page.get_by_role("button", name="签到").click()
    page.wait_for_selector("[data-signed-in]")
    assert "已签到" in page.locator("[data-signed-in]").inner_text()
    assert Attendance.objects.filter(day=day).count() == 1 and _person_times() == 1

    make_user("clerk", "township", HONGYANG)
    sign_in(page, "clerk")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"/training/sessions/{session.pk}/")
    assert page.locator("[data-person-times]").first.inner_text() == "1" and fits_the_screen(page)
