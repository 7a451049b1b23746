"""三员分立: the system, security and audit administrators are distinct roles, none can do the others' work, and no
account can hold two of them — refused by the membership service, the model, every path that creates memberships
(pages, API, import) and, for anything else, by a database trigger."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from cuntong.accounts import services
from cuntong.accounts.models import Membership, Organisation, Role, User
from cuntong.audit.context import acting_as
from cuntong.audit.models import ChangeRecord, SecurityEvent
from cuntong.audit.services import log_event
from cuntong.core.actors import SYSTEM
from cuntong.core.importer import IMPORTERS
from cuntong.web.testing import PUNING, area, login, make_user, programme, xlsx_upload

pytestmark = pytest.mark.usefixtures("base_data")


def role(code: str) -> Role:
    return Role.objects.get(code=code)


@pytest.fixture
def admins(db):
    return {code: make_user(code, code) for code in ("sysadmin", "secadmin", "auditadmin")}


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", password="Root#Pass2026", password_changed_at=timezone.now())


# --- no one holds two ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [("sysadmin", "secadmin"), ("secadmin", "auditadmin"), ("auditadmin", "sysadmin"), ("auditadmin", "office")],
)
def test_the_model_refuses_a_second_duty_whoever_writes_it(admins, first, second):
    user = make_user(f"{first}-{second}", first)
    with pytest.raises(ValidationError):
        Membership.objects.create(user=user, role=role(second), area=area(PUNING))
    assert list(user.memberships.values_list("role__code", flat=True)) == [first]


def test_the_same_duty_in_two_areas_is_allowed(admins):
    services.grant(admins["auditadmin"], role("auditadmin"), area("445281104"))
    assert admins["auditadmin"].memberships.count() == 2


def test_an_inactive_membership_does_not_count(admins):
    membership = admins["sysadmin"].memberships.get()
    membership.is_active = False
    membership.save()
    services.grant(admins["sysadmin"], role("secadmin"), area(PUNING))
    membership.is_active = True
    with pytest.raises(ValidationError):
        membership.save()


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO accounts_membership (user_id, role_id, area_id, is_active, note) VALUES (%s, %s, %s, %s, '')",
        "UPDATE accounts_membership SET role_id = %s WHERE user_id = %s",
    ],
    ids=["insert", "update"],
)
def test_the_database_refuses_it_even_for_raw_sql(admins, statement):
    sysadmin = admins["sysadmin"]
    if statement.startswith("INSERT"):
        services.grant(sysadmin, role("sysadmin"), area("445281104"))  # a second row to update later
        params = [sysadmin.pk, role("auditadmin").pk, area(PUNING).pk, True]
    else:
        services.grant(sysadmin, role("sysadmin"), area("445281104"))
        first = sysadmin.memberships.order_by("pk").first()
        statement = "UPDATE accounts_membership SET role_id = %s WHERE id = %s"
        params = [role("auditadmin").pk, first.pk]
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
    assert set(sysadmin.memberships.values_list("role__code", flat=True)) == {"sysadmin"}


def test_a_bulk_update_cannot_slip_past_the_model(admins):
    services.grant(admins["secadmin"], role("secadmin"), area("445281104"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(user=admins["secadmin"], area__code="445281104").update(role=role("auditadmin"))


# --- every path that creates memberships ------------------------------------------------------------------------


def test_membership_page_refuses_the_combination(admins, root):
    client = login(root)
    response = client.post(
        reverse("accounts:membership_add"),
        {"user": admins["sysadmin"].pk, "role": role("secadmin").pk, "area": area(PUNING).pk, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "三者不能由同一账号兼任" in response.content.decode()
    assert admins["sysadmin"].memberships.count() == 1


def test_membership_page_offers_administrator_roles_to_the_superuser_only(admins, root):
    clerk = make_user("clerk", "township", "445281104")
    client = login(admins["sysadmin"])
    offered = set(client.get(reverse("accounts:membership_add")).context["form"].fields["role"].queryset)
    assert role("office") in offered and not {role("sysadmin"), role("secadmin"), role("auditadmin")} & offered
    response = client.post(
        reverse("accounts:membership_add"),
        {"user": clerk.pk, "role": role("auditadmin").pk, "area": area(PUNING).pk, "is_active": "on"},
    )
    assert response.status_code == 200 and clerk.memberships.count() == 1
    assert (
        role("auditadmin")
        in login(root).get(reverse("accounts:membership_add")).context["form"].fields["role"].queryset
    )


def test_nobody_changes_their_own_roles(admins):
    client = login(admins["sysadmin"])
    response = client.post(
        reverse("accounts:membership_add"),
        {"user": admins["sysadmin"].pk, "role": role("office").pk, "area": area(PUNING).pk, "is_active": "on"},
    )
    assert response.status_code == 200 and admins["sysadmin"].memberships.count() == 1
    own = admins["sysadmin"].memberships.get()
    response = client.post(
        reverse("accounts:membership_edit", args=[own.pk]),
        {"user": own.user_id, "role": own.role_id, "area": area("445281104").pk, "is_active": "on"},
    )
    assert response.status_code == 200
    response = client.patch(
        f"/api/v1/memberships/{own.pk}/", {"area": area("445281104").pk}, content_type="application/json"
    )
    assert response.status_code == 400 and "不能修改自己的角色" in response.content.decode()
    own.refresh_from_db()
    assert own.area.code == PUNING


def test_api_refuses_the_combination(admins, root):
    client = login(root)
    response = client.post(
        "/api/v1/memberships/",
        {"user": admins["auditadmin"].pk, "role": role("sysadmin").pk, "area": area(PUNING).pk},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    clerk = make_user("api-clerk", "township", "445281104")
    response = login(admins["sysadmin"]).post(
        "/api/v1/memberships/",
        {"user": clerk.pk, "role": role("secadmin").pk, "area": area(PUNING).pk},
        content_type="application/json",
    )
    assert response.status_code == 400 and "超级管理员" in response.content.decode()
    assert admins["auditadmin"].memberships.count() == 1 and clerk.memberships.count() == 1


def _xlsx(rows):
    return xlsx_upload(["用户名", "姓名", "角色代码", "管辖范围代码"], rows)


def test_import_refuses_administrator_roles_from_an_administrator(admins):
    report = IMPORTERS["users"](user=admins["sysadmin"]).run(
        _xlsx([["newsec", "新安全员", "secadmin", PUNING], ["newclerk", "新干部", "township", "445281104"]]),
        "users.xlsx",
    )
    assert not report.committed and [(e.row, e.column) for e in report.errors] == [(2, "角色代码")]
    assert not User.objects.filter(username__in=["newsec", "newclerk"]).exists()


def test_import_from_the_command_line_may_create_administrators(db):
    report = IMPORTERS["users"](user=SYSTEM).run(_xlsx([["newaudit", "新审计员", "auditadmin", PUNING]]), "users.xlsx")
    assert report.committed, report.errors
    assert User.objects.get(username="newaudit").duties == {"audit"}


# --- none can do the others' work --------------------------------------------------------------------------------


def _work(admins) -> dict[str, list[tuple[str, str, dict]]]:
    """Each administrator's pages and actions: (method, url, data)."""
    clerk = make_user("work-clerk", "township", "445281104")
    with acting_as(None, via="test"):
        custom = Role.objects.create(code="custom", name="自定义")
        organisation = Organisation.objects.create(
            name="测试承办单位", kind="contractor", area=area(PUNING), programme=programme()
        )
    event = log_event("login", user=clerk)
    change = ChangeRecord.objects.filter(object_id=str(organisation.pk)).first()
    return {
        "system": [
            ("get", reverse("accounts:user_add"), {}),
            ("get", reverse("accounts:user_edit", args=[clerk.pk]), {}),
            ("post", reverse("accounts:user_reset_password", args=[clerk.pk]), {}),
            ("get", reverse("accounts:membership_add"), {}),
            ("get", reverse("accounts:organisation_edit", args=[organisation.pk]), {}),
            ("get", reverse("web:import", args=["users"]), {}),
        ],
        "security": [
            ("get", reverse("accounts:role_add"), {}),
            ("get", reverse("accounts:role_edit", args=[custom.pk]), {}),
            ("get", reverse("accounts:lockouts"), {}),
            ("post", reverse("accounts:lockouts"), {"username": "someone"}),
        ],
        "audit": [
            ("get", reverse("audit:event_list"), {}),
            ("get", reverse("audit:event_detail", args=[event.pk]), {}),
            ("get", reverse("audit:change_list"), {}),
            ("get", reverse("audit:change_detail", args=[change.pk]), {}),
            ("get", "/api/v1/audit/events/", {}),
            ("get", "/api/v1/audit/changes/", {}),
        ],
    }


def test_each_administrator_does_only_their_own_work(admins):
    work = _work(admins)
    for code, user in admins.items():
        duty = role(code).duty
        client = login(user)
        for owner, actions in work.items():
            for method, url, data in actions:
                status = getattr(client, method)(url, data).status_code
                if owner == duty:
                    assert status in (200, 302), (code, url, status)
                else:
                    assert status in (403, 404), (code, url, status)
    assert SecurityEvent.objects.filter(kind="unlock", username="secadmin").count() == 1
    assert SecurityEvent.objects.filter(kind="password_reset", username="sysadmin").count() == 1


def test_no_administrator_maintains_another_administrators_account(admins):
    client = login(admins["sysadmin"])
    for other in ("secadmin", "auditadmin"):
        target = admins[other]
        assert client.get(reverse("accounts:user_edit", args=[target.pk])).status_code == 403
        assert client.post(reverse("accounts:user_reset_password", args=[target.pk])).status_code == 403
    assert client.post(reverse("accounts:user_reset_password", args=[admins["sysadmin"].pk])).status_code == 403


def test_an_administrators_membership_cannot_be_turned_into_something_else(admins):
    membership = admins["secadmin"].memberships.get()
    client = login(admins["sysadmin"])
    response = client.post(
        reverse("accounts:membership_edit", args=[membership.pk]),
        {"user": membership.user_id, "role": role("office").pk, "area": area(PUNING).pk, "is_active": "on"},
    )
    assert response.status_code == 200 and "三员角色只能由平台超级管理员授予" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role.code == "secadmin"
