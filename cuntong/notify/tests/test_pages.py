"""The pages and the API: the bell's count, one's own inbox only, marking read, channel choices, and the office's
delivery log (scoped, phones masked, its query count pinned)."""

from __future__ import annotations

import pytest
from django.test import Client

from cuntong.core.actors import SYSTEM
from cuntong.notify import registry, services
from cuntong.notify.models import Delivery, Message, Preference
from cuntong.web.testing import HONGYANG, NANXI, ScopedModelTests, area, login, make_user, programme

PHONE = "13812345678"


def tell(users, subject, *, township=HONGYANG, link="/stations/"):
    return services.notify(
        registry.REMINDER.code, users, subject, "正文", link, actor=SYSTEM, programme=programme(), area=area(township)
    )


@pytest.fixture
def two(base_data):
    return make_user("inbox-a", "township", HONGYANG), make_user("inbox-b", "township", NANXI)


def test_the_bell_counts_unread_messages(two):
    a, b = two
    tell([a], "第一条")
    tell([a, b], "第二条")
    client = login(a)
    page = client.get("/notify/bell/").content.decode()
    assert 'data-unread="2"' in page
    services.mark_read(a)
    assert "data-unread" not in client.get("/notify/bell/").content.decode()
    home = client.get("/notify/").content.decode()
    assert 'id="notify-bell"' in home and 'hx-get="/notify/bell/"' in home  # in the top bar, loaded after the page
    assert 'id="notify-bell-count"' in client.get("/notify/bell/").content.decode()


def test_the_bell_is_not_shown_to_strangers(db):
    assert Client().get("/notify/bell/").status_code == 302
    assert 'id="notify-bell"' not in Client().get("/accounts/login/").content.decode()


def test_a_user_sees_only_their_own_inbox(two):
    a, b = two
    tell([a], "给A的消息")
    tell([b], "给B的消息")
    page = login(a).get("/notify/").content.decode()
    assert "给A的消息" in page and "给B的消息" not in page
    rows = login(a).get("/api/v1/notify/inbox/").json()["results"]
    assert [r["subject"] for r in rows] == ["给A的消息"] and rows[0]["unread"] is True


def test_nobody_marks_another_users_messages(two):
    a, b = two
    tell([b], "给B的消息")
    theirs = Message.objects.get(recipient=b)
    client = login(a)
    client.post("/notify/read/", {"message": theirs.pk})
    assert client.post("/api/v1/notify/inbox/read/", {"ids": [theirs.pk]}, content_type="application/json").json() == {
        "marked": 0,
        "unread": 0,
    }
    client.post("/notify/read/", {"all": "1"})
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_a_message_marks_it_read_and_goes_to_its_record(two):
    a, _b = two
    tell([a], "去看看", link="/stations/")
    tell([a], "另一条")
    message = Message.objects.get(notification__subject="去看看")
    client = login(a)
    response = client.post("/notify/read/", {"message": message.pk, "next": "/stations/"})
    assert response.status_code == 302 and response["Location"] == "/stations/"
    message.refresh_from_db()
    assert message.read_at is not None and services.unread_count(a) == 1
    # a link elsewhere is not followed
    assert client.post("/notify/read/", {"next": "https://evil.example/"})["Location"] == "/notify/"
    client.post("/notify/read/", {"all": "1"})
    assert services.unread_count(a) == 0
    assert "没有未读消息" in client.get("/notify/", {"unread": "1"}).content.decode()


def test_the_api_marks_read(two):
    a, _b = two
    tell([a], "一")
    tell([a], "二")
    first = Message.objects.filter(recipient=a).order_by("pk").first()
    client = login(a)
    answer = client.post("/api/v1/notify/inbox/read/", {"ids": [first.pk]}, content_type="application/json")
    assert answer.json() == {"marked": 1, "unread": 1}
    assert [r["subject"] for r in client.get("/api/v1/notify/inbox/", {"unread": "1"}).json()["results"]] == ["二"]
    assert client.post("/api/v1/notify/inbox/read/", {}, content_type="application/json").status_code == 400
    assert client.post("/api/v1/notify/inbox/read/", {"all": True}, content_type="application/json").json() == {
        "marked": 1,
        "unread": 0,
    }
    assert Client().get("/api/v1/notify/inbox/").status_code in (401, 403)


def test_the_inbox_costs_the_same_queries_however_many_messages(two, django_assert_max_num_queries):
    a, _b = two
    for n in range(25):
        tell([a], f"消息{n}")
    client = login(a)
    with django_assert_max_num_queries(12):  # session, user, roles, programme ×2, page: count, unread, rows
        page = client.get("/notify/")
    assert page.content.decode().count("data-message=") == 25


def test_preferences_page_saves_the_choice(two, settings):
    a, _b = two
    settings.NOTIFY = {**settings.NOTIFY, "channels": ["console", "email"]}
    client = login(a)
    page = client.get("/notify/preferences/").content.decode()
    assert str(registry.REMINDER.label) in page and 'value="email"' in page and 'value="sms"' not in page
    response = client.post("/notify/preferences/", {registry.REMINDER.code: ["email", "inbox"]})
    assert response.status_code == 302
    assert Preference.objects.get(user=a, kind=registry.REMINDER.code).channels == ["email"]
    assert services.preferences(a)[registry.REMINDER.code] == ("inbox", "email")
    # another user's choice is untouched by this one's
    assert not Preference.objects.exclude(user=a).exists()


# --- the delivery log ----------------------------------------------------------------------------------------------


class TestDeliveryScope(ScopedModelTests):
    """The office sees every township's deliveries, an office member scoped to one township only that township's."""

    model = Delivery
    list_url = "/notify/deliveries/"
    township_role = "office"  # the log is the office's (notify.audit_delivery), here scoped to 洪阳镇

    def make_record(self, township_code):
        user = make_user(f"recipient-{township_code}", "township", township_code)
        notification = tell([user], f"通知{township_code}", township=township_code)
        return notification.deliveries.get(channel="inbox")

    def record_text(self, obj):
        return obj.notification.subject


def test_read_everything_roles_do_not_read_the_log(base_data):
    tell([make_user("x", "township", HONGYANG)], "给X的通知")
    for role in ("finance", "evaluator", "township"):
        assert login(make_user(f"log-{role}", role)).get("/notify/deliveries/").status_code == 403, role
    assert login(make_user("log-sysadmin", "sysadmin")).get("/notify/deliveries/").status_code == 200


def test_the_log_shows_phones_masked_and_pins_its_queries(base_data, settings, django_assert_max_num_queries):
    settings.NOTIFY = {**settings.NOTIFY, "channels": ["sms"], "sms_url": "http://127.0.0.1:9/"}
    users = [make_user(f"p{n}", "township", HONGYANG, phone=f"1381234{n:04d}") for n in range(12)]
    tell(users, "请填报")
    client = login(make_user("log-office", "office"))
    with django_assert_max_num_queries(12):
        page = client.get("/notify/deliveries/").content.decode()
    assert "138****0003" in page and "13812340003" not in page
    assert page.count("请填报") >= 24  # inbox and SMS for each of twelve
    export = client.get("/notify/deliveries/", {"export": "xlsx"})
    assert export.status_code == 200
