"""Organisations, accounts and memberships are scoped records: a township's administrator manages that township."""

from django.urls import reverse

from cuntong.accounts.models import Membership, Organisation, Role, User
from cuntong.audit.context import acting_as
from cuntong.web.testing import ScopedModelTests, area, make_user, programme


class TestOrganisationScope(ScopedModelTests):
    model = Organisation
    list_url = reverse("accounts:organisation_list")
    api_url = "/api/v1/organisations/"

    def make_record(self, township_code):
        with acting_as(None, via="test"):
            return Organisation.objects.create(
                name=f"测试合作社{township_code[-3:]}",
                kind=Organisation.Kind.COOPERATIVE,
                area=area(township_code),
                programme=programme(),
            )


def _member(township_code: str):
    return make_user(f"member{township_code[-3:]}", "township", township_code)


class TestUserScope(ScopedModelTests):
    model = User
    viewer_role = "sysadmin"
    township_role = "office"  # a township-level membership of a role that reads accounts
    list_url = reverse("accounts:user_list")
    api_url = "/api/v1/users/"

    def make_record(self, township_code):
        return _member(township_code)

    def record_text(self, obj):
        return obj.username


class TestMembershipScope(ScopedModelTests):
    model = Membership
    viewer_role = "sysadmin"
    township_role = "secadmin"
    list_url = reverse("accounts:membership_list")
    api_url = "/api/v1/memberships/"

    def make_record(self, township_code):
        return _member(township_code).memberships.get()

    def record_text(self, obj):
        return obj.user.username


def test_roles_are_not_scoped_records():
    """Roles are deployment-wide permission sets: no scope, so no ScopedModelTests (guarded by permission alone)."""
    assert getattr(Role, "scope", None) is None
