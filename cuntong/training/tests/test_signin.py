"""The QR sign-in: a public form declared with core.public (rate-limited, CSRF-checked), opened by a code that is
per session day, unguessable and works on that day only (Asia/Shanghai); the same person twice counts once."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from cuntong.core.public import declaration_of
from cuntong.people.tests.factories import id_number, make_resident
from cuntong.training import services
from cuntong.training.models import Attendance, Trainee
from cuntong.training.views import signin
from cuntong.web.testing import HONGYANG, frozen_clock

from .factories import make_session

pytestmark = pytest.mark.usefixtures("base_data")
DAY = datetime.date(2020, 10, 12)
NUMBER = id_number(81, born="19920304")


def _url(day) -> str:
    return reverse("training:signin", args=[services.signin_code(day)])


def _sign(client, day, name="黄志明", number=NUMBER):
    return client.post(_url(day), {"name": name, "id_number": number, "phone": "", "village": ""})


@pytest.fixture
def day():
    return make_session(HONGYANG, code="QR1", days=[DAY, DAY + datetime.timedelta(days=1)]).days.order_by("date")[0]


def test_the_page_is_declared_public_as_a_form():
    declared = declaration_of(signin)
    assert declared is not None and declared.is_form and declared.by_token and declared.rate == "20/minute"
    assert declared.cache_seconds == 0 and "training_attendance" in declared.form_tables


@pytest.mark.parametrize(
    ("moment", "opens"),
    [
        ("2020-10-11T23:59", False),  # the evening before
        ("2020-10-12T00:00", True),  # the first minute of the day in Puning
        ("2020-10-12T23:59", True),  # the last minute
        ("2020-10-13T00:00", False),  # the next day: that day's own code, not this one
    ],
)
def test_a_days_code_works_on_that_day_only(day, moment, opens):
    with frozen_clock(moment):
        response = Client().get(_url(day))
        assert response.status_code == (200 if opens else 404)
        assert (services.day_for_code(services.signin_code(day)) == day) is opens


def test_the_last_second_of_the_day_and_the_first_of_the_next(day):
    with frozen_clock("2020-10-12T23:59"):
        import time_machine

        with time_machine.travel(datetime.datetime(2020, 10, 12, 15, 59, 59, tzinfo=datetime.UTC), tick=False):
            assert Client().get(_url(day)).status_code == 200  # 23:59:59 in Puning
        with time_machine.travel(datetime.datetime(2020, 10, 12, 16, 0, 0, tzinfo=datetime.UTC), tick=False):
            assert Client().get(_url(day)).status_code == 404  # 00:00:00 the next day in Puning


def test_a_wrong_or_forged_code_opens_nothing(day):
    code = services.signin_code(day)
    with frozen_clock("2020-10-12"):
        for forged in (
            code[:-1] + ("0" if code[-1] != "0" else "1"),
            f"{day.pk}-",
            "abc",
            f"{day.pk + 1}-{code.split('-')[1]}",
        ):
            assert Client().get(reverse("training:signin", args=[forged])).status_code == 404
    assert len(code.split("-")[1]) == 32  # 128 bits of HMAC


@frozen_clock("2020-10-12T09:00")
def test_signing_twice_on_one_day_counts_once(day):
    phone = Client()
    first = _sign(phone, day)
    assert first.status_code == 200 and "签到成功" in first.content.decode()
    again = _sign(phone, day, name="黄 志明")
    assert again.status_code == 200 and "已签到" in again.content.decode()
    assert Attendance.objects.filter(day=day).count() == 1
    assert Trainee.objects.count() == 1
    body = first.content.decode() + again.content.decode()
    assert NUMBER not in body and "黄志明" not in body  # the answer names nobody in full


@frozen_clock("2020-10-12T09:00")
def test_a_registered_poor_person_signing_in_is_linked_to_the_roster(day):
    resident = make_resident(HONGYANG, 82, name="郑阿妹", village_code="445281104201", is_labour_capable=True)
    _sign(Client(), day, name="郑阿妹", number=resident.id_number.reveal())
    trainee = Trainee.objects.get()
    assert trainee.resident == resident and trainee.category == "poor" and trainee.village == resident.village


@frozen_clock("2020-10-12T09:00")
def test_bad_input_is_refused_and_writes_nothing(day):
    wrong = NUMBER[:-1] + ("0" if NUMBER[-1] != "0" else "1")
    response = _sign(Client(), day, number=wrong)
    assert response.status_code == 400 and "校验码" in response.content.decode()
    assert wrong not in response.content.decode()
    _sign(Client(), day)
    impostor = _sign(Client(), day, name="王冒名")
    assert impostor.status_code == 400 and Attendance.objects.count() == 1


@frozen_clock("2020-10-12T09:00")
def test_the_post_needs_its_csrf_token(day):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(_url(day), {"name": "黄志明", "id_number": NUMBER}).status_code == 403
    page = strict.get(_url(day))
    token = page.cookies["csrftoken"].value
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    response = strict.post(_url(day), {"name": "黄志明", "id_number": NUMBER}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200 and Attendance.objects.count() == 1
    assert "no-store" in response["Cache-Control"]


@frozen_clock("2020-10-12T09:00")
def test_the_page_is_rate_limited_per_address(day, settings):
    client = Client()
    statuses = [client.get(_url(day)).status_code for _n in range(21)]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429


def test_the_signin_sheet_and_kpi_move_with_a_sign_in(day):
    from cuntong.programme.kpi import AreaScope, registry
    from cuntong.web.testing import programme

    def person_times():
        return registry.evaluate(AreaScope(programme()), ["training.inclusive_person_times"])[0].value

    before = person_times()
    with frozen_clock("2020-10-12T09:00"):
        _sign(Client(), day)
    assert person_times() == before + 1
