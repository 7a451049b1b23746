"""The security administrator's role pages: custom roles, their permissions and switches; built-in roles read-only;
permissions reserved for the three administrators never granted to another role; every change logged."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from cuntong.accounts import services
from cuntong.accounts.models import Role
from cuntong.audit.models import SecurityEvent
from cuntong.web.testing import HONGYANG, login, make_user

pytestmark = pytest.mark.usefixtures("base_data")


def perm(name: str) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@pytest.fixture
def secadmin(db):
    return make_user("secadmin", "secadmin")


def test_creating_and_editing_a_custom_role(secadmin):
    client = login(secadmin)
    response = client.post(
        reverse("accounts:role_add"),
        {
            "code": "supervisor",
            "name": "督查员",
            "permissions": [perm("geo.view_area").pk, perm("people.view_resident").pk],
        },
    )
    role = Role.objects.get(code="supervisor")
    assert response["Location"] == reverse("accounts:role_detail", args=[role.pk]) and not role.is_builtin
    response = client.post(
        reverse("accounts:role_edit", args=[role.pk]),
        {"code": "ignored", "name": "督查员", "requires_otp": "on", "permissions": [perm("geo.view_area").pk]},
    )
    role.refresh_from_db()
    assert role.code == "supervisor" and role.requires_otp
    assert [p.codename for p in role.permissions.all()] == ["view_area"]
    events = SecurityEvent.objects.filter(kind="permission_changed", object_id=str(role.pk)).order_by("pk")
    changes = [e.detail.get("change") for e in events]
    assert changes == ["role_created", "role_permissions", "role_settings", "role_permissions"]
    assert events.last().detail["removed"] == ["people.view_resident"]
    detail = client.get(reverse("accounts:role_detail", args=[role.pk])).content.decode()
    assert "geo.view_area" in detail and reverse("accounts:role_edit", args=[role.pk]) in detail


def test_a_custom_role_is_granted_and_scopes_like_any_role(secadmin):
    services.save_role(
        None,
        {
            "code": "reader",
            "name": "只读",
            "description": "",
            "own_records_only": False,
            "requires_otp": False,
            "permissions": [perm("people.view_resident")],
        },
        by=secadmin,
    )
    clerk = make_user("clerk", "reader", HONGYANG)
    assert clerk.has_perm("people.view_resident") and not clerk.has_perm("geo.view_area")


def test_reserved_permissions_are_not_offered_and_refused(secadmin):
    client = login(secadmin)
    offered = set(client.get(reverse("accounts:role_add")).context["form"].fields["permissions"].queryset)
    for name in ("accounts.change_user", "accounts.unlock_user", "audit.view_securityevent", "auth.add_group"):
        assert perm(name) not in offered
    assert perm("people.reveal_resident") in offered
    role = Role.objects.create(code="custom", name="自定义")
    with pytest.raises(ValidationError, match="保留给三员"):
        services.set_role_permissions(role, [perm("audit.view_securityevent")], by=secadmin)
    assert not role.permissions.exists()


def test_builtin_roles_are_read_only(secadmin):
    office = Role.objects.get(code="office")
    client = login(secadmin)
    assert client.get(reverse("accounts:role_edit", args=[office.pk])).status_code == 403
    page = client.get(reverse("accounts:role_detail", args=[office.pk])).content.decode()
    assert reverse("accounts:role_edit", args=[office.pk]) not in page
    with pytest.raises(ValidationError):
        services.set_role_permissions(office, [], by=secadmin)


def test_who_reads_roles(db):
    assert login(make_user("auditadmin", "auditadmin")).get(reverse("accounts:role_list")).status_code == 200
    assert login(make_user("office", "office")).get(reverse("accounts:role_list")).status_code == 403
    api = login(make_user("sysadmin", "sysadmin")).get("/api/v1/roles/township/").json()
    assert "people.view_resident" in api["permissions"] and api["duty"] == ""
