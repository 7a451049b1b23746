"""The system administrator's pages: accounts (created with their first membership, temporary password shown
once, changed at first login), memberships, and password resets — each logged."""

import pytest
from django.test import Client
from django.urls import reverse

from cuntong.accounts.models import Membership, Role, User
from cuntong.audit.models import SecurityEvent
from cuntong.web.testing import HONGYANG, NANXI, PUNING, area, login, make_user

pytestmark = pytest.mark.usefixtures("base_data")


@pytest.fixture
def sysadmin(db):
    return make_user("sysadmin", "sysadmin")


def test_creating_an_account_with_its_first_membership(sysadmin):
    client = login(sysadmin)
    data = {
        "username": "zhang.san",
        "display_name": "张三",
        "phone": "13812345678",
        "role": Role.objects.get(code="township").pk,
        "area": area(HONGYANG).pk,
    }
    response = client.post(reverse("accounts:user_add"), data)
    assert response.status_code == 200
    account = User.objects.get(username="zhang.san")
    password = response.context["password"]
    assert password in response.content.decode() and account.check_password(password)
    assert account.must_change_password and account.roles == {"township"}
    assert str(account.phone) == "138****5678"
    event = SecurityEvent.objects.get(kind="permission_changed", object_id=str(account.memberships.get().pk))
    assert event.user == sysadmin and event.detail["after"]["role"] == "township"

    newcomer = Client()
    newcomer.post(reverse("accounts:login"), {"username": "zhang.san", "password": password})
    assert newcomer.get(reverse("home"))["Location"] == reverse("accounts:password_change")


def test_a_township_administrator_creates_accounts_in_the_township_only(db):
    client = login(make_user("hongyang-sysadmin", "sysadmin", HONGYANG))
    form = client.get(reverse("accounts:user_add")).context["form"]
    assert {a.code for a in form.fields["area"].queryset} == {HONGYANG}
    response = client.post(
        reverse("accounts:user_add"),
        {
            "username": "outsider",
            "display_name": "越界",
            "role": Role.objects.get(code="township").pk,
            "area": area(NANXI).pk,
        },
    )
    assert response.status_code == 200 and not User.objects.filter(username="outsider").exists()


def test_editing_keeps_the_phone_unless_replaced(sysadmin):
    clerk = make_user("clerk", "township", HONGYANG, phone="13912345678", display_name="老王")
    client = login(sysadmin)
    page = client.get(reverse("accounts:user_edit", args=[clerk.pk])).content.decode()
    assert "13912345678" not in page and "139****5678" in page
    client.post(
        reverse("accounts:user_edit", args=[clerk.pk]), {"display_name": "王二", "phone": "", "is_active": "on"}
    )
    clerk.refresh_from_db()
    assert clerk.display_name == "王二" and clerk.phone.reveal() == "13912345678"
    client.post(reverse("accounts:user_edit", args=[clerk.pk]), {"display_name": "王二", "phone": "13700000001"})
    clerk.refresh_from_db()
    assert clerk.phone.reveal() == "13700000001" and not clerk.is_active


def test_resetting_a_password(sysadmin):
    clerk = make_user("clerk", "township", HONGYANG)
    response = login(sysadmin).post(reverse("accounts:user_reset_password", args=[clerk.pk]))
    clerk.refresh_from_db()
    assert clerk.check_password(response.context["password"]) and clerk.must_change_password
    assert "no-store" in response["Cache-Control"]
    assert SecurityEvent.objects.get(kind="password_reset").detail == {"target": "clerk"}


def test_the_user_page_lists_memberships_and_audit_links(sysadmin):
    clerk = make_user("clerk", "township", HONGYANG)
    page = login(sysadmin).get(clerk.get_absolute_url()).content.decode()
    assert "乡镇街道" in page and reverse("accounts:membership_add") + f"?user={clerk.pk}" in page
    assert reverse("audit:event_list") not in page  # the system administrator does not read the audit trail
    auditor_page = login(make_user("auditadmin", "auditadmin")).get(clerk.get_absolute_url()).content.decode()
    assert f"{reverse('audit:event_list')}?username=clerk" in auditor_page


def test_granting_a_second_membership(sysadmin):
    clerk = make_user("clerk", "township", HONGYANG)
    client = login(sysadmin)
    assert client.get(reverse("accounts:membership_add"), {"user": clerk.pk}).context["form"].initial["user"] == str(
        clerk.pk
    )
    response = client.post(
        reverse("accounts:membership_add"),
        {
            "user": clerk.pk,
            "role": Role.objects.get(code="poverty_office").pk,
            "area": area(HONGYANG).pk,
            "is_active": "on",
        },
    )
    membership = Membership.objects.get(user=clerk, role__code="poverty_office")
    assert response["Location"] == membership.get_absolute_url()
    response = client.post(
        reverse("accounts:membership_add"),
        {
            "user": clerk.pk,
            "role": Role.objects.get(code="office").pk,
            "area": area("445281104201").pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 200 and clerk.memberships.count() == 2  # villages are not offered
    response = client.post(
        "/api/v1/memberships/",
        {"user": clerk.pk, "role": Role.objects.get(code="office").pk, "area": area("445281104201").pk},
        content_type="application/json",
    )
    assert response.status_code == 400 and "只能是省、市、县或乡镇" in response.content.decode()


@pytest.mark.parametrize("url_name", ["accounts:user_list", "accounts:membership_list"])
def test_list_pages_pin_their_query_counts(sysadmin, url_name, django_assert_max_num_queries):
    for n in range(3):
        make_user(f"clerk{n}", "township", HONGYANG)
    client = login(sysadmin)
    client.get(reverse(url_name))
    with django_assert_max_num_queries(11):
        client.get(reverse(url_name))
    for n in range(3, 25):
        make_user(f"clerk{n}", "township", NANXI if n % 2 else HONGYANG)
    with django_assert_max_num_queries(11):
        page = client.get(reverse(url_name))
    assert len(page.context["object_list"]) >= 25


def test_filtering_users_by_role(sysadmin):
    make_user("clerk", "township", HONGYANG)
    make_user("poverty", "poverty_office", PUNING)
    response = login(sysadmin).get(reverse("accounts:user_list"), {"role": Role.objects.get(code="township").pk})
    assert [u.username for u in response.context["object_list"]] == ["clerk"]
