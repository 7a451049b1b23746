"""The scoping mechanism: grants become filters; townships narrow by NBS code prefix; own-records roles by owner."""

import pytest

from cuntong.accounts.models import Grant
from cuntong.core.scoping import Scope, grant_filter, scope_filter
from cuntong.geo.models import Area
from cuntong.programme.models import Phase, Programme, Target
from cuntong.web.testing import HONGYANG, NANXI, PUNING, make_user


class FakeModel:
    """Stands in for a model: grant_filter reads only ``scope`` and ``_meta``."""

    class _meta:
        app_label = "demo"
        model_name = "thing"

    scope = Scope(programme="programme", area="area", owner_user="operator", owner_organisation="contractor")


def grant(code, *perms, own=False, organisation=None):
    return Grant(code, organisation, own, frozenset(perms or ["demo.view_thing"]))


def test_no_permission_opens_nothing():
    assert grant_filter(FakeModel, grant(PUNING, "demo.change_thing"), 1, "view") is None


def test_county_grant_filters_by_programme_county_only():
    condition = grant_filter(FakeModel, grant(PUNING), 1, "view")
    assert dict(condition.children) == {"programme__county__code__startswith": PUNING}


def test_province_grant_reaches_every_county_of_the_province():
    condition = grant_filter(FakeModel, grant("44"), 1, "view")
    assert dict(condition.children) == {"programme__county__code__startswith": "44"}


def test_township_grant_adds_the_area_prefix():
    condition = grant_filter(FakeModel, grant(HONGYANG), 1, "view")
    assert dict(condition.children) == {
        "programme__county__code__startswith": PUNING,
        "area__code__startswith": HONGYANG,
    }


def test_own_records_role_narrows_to_the_owner_user():
    condition = grant_filter(FakeModel, grant(HONGYANG, own=True), 7, "view")
    assert dict(condition.children)["operator"] == 7


def test_own_records_by_organisation_when_no_owner_user():
    class Contracts(FakeModel):
        scope = Scope(programme="programme", owner_organisation="contractor")

    condition = grant_filter(Contracts, grant(PUNING, own=True, organisation=3), 7, "view")
    assert dict(condition.children)["contractor"] == 3
    assert grant_filter(Contracts, grant(PUNING, own=True), 7, "view") is None


def test_township_grant_sees_no_programme_wide_records_unless_shared():
    class Wide(FakeModel):
        scope = Scope(programme="programme")

    class SharedWide(FakeModel):
        scope = Scope(programme="programme", shared=True)

    assert grant_filter(Wide, grant(HONGYANG), 1, "view") is None
    assert grant_filter(SharedWide, grant(HONGYANG), 1, "view") is not None
    assert grant_filter(SharedWide, grant(HONGYANG, "demo.change_thing"), 1, "change") is None


def test_anonymous_gets_nothing(base_data):
    from django.contrib.auth.models import AnonymousUser

    assert scope_filter(Area, AnonymousUser(), "view") is None
    assert not Area.objects.restrict(AnonymousUser()).exists()


def test_township_user_sees_own_township_areas_only(base_data):
    user = make_user("hy", "township", HONGYANG)
    codes = set(Area.objects.restrict(user).values_list("code", flat=True))
    assert HONGYANG in codes and "445281104201" in codes
    assert not any(code.startswith(NANXI) for code in codes)
    assert PUNING not in codes


def test_township_user_reads_the_shared_plan_but_cannot_change_it(base_data):
    user = make_user("hy", "township", HONGYANG)
    assert Target.objects.restrict(user).count() == Target.objects.count() > 0
    assert not Phase.objects.restrict(user, "change").exists()


def test_two_memberships_union(base_data):
    from cuntong.accounts.models import Membership, Role

    user = make_user("two", "township", HONGYANG)
    Membership.objects.create(user=user, role=Role.objects.get(code="township"), area=Area.objects.get(code=NANXI))
    user = type(user).objects.get(pk=user.pk)
    codes = set(Area.objects.restrict(user).values_list("code", flat=True))
    assert HONGYANG in codes and NANXI in codes


def test_superuser_sees_everything(base_data):
    from cuntong.accounts.models import User

    admin = User.objects.create_superuser("root", password="x")
    assert Area.objects.restrict(admin).count() == Area.objects.count()


def test_other_county_programme_is_invisible(base_data):
    """One deployment, many counties: a Puning member never sees another county's programme."""
    other_county = Area.objects.create(code="445202", name="揭东区", level="county", kind="county")
    other = Programme.objects.create(
        code="jiedong-2020",
        name="揭东区示范",
        short_name="揭东",
        county=other_county,
        batch_year=2020,
        start_date="2020-01-01",
        end_date="2021-12-31",
    )
    puning_office = make_user("pn", "office", PUNING)
    province_office = make_user("gd", "office", "44") if Area.objects.filter(code="44").exists() else None
    assert other not in Programme.objects.restrict(puning_office)
    assert Programme.objects.restrict(puning_office).filter(code="puning-2019").exists()
    if province_office:
        assert {"puning-2019", "jiedong-2020"} <= set(
            Programme.objects.restrict(province_office).values_list("code", flat=True)
        )


@pytest.mark.parametrize("action", ["view", "add", "change", "delete"])
def test_office_may_act_on_geo(base_data, action):
    user = make_user("off", "office", PUNING)
    assert user.has_perm(f"geo.{action}_area")


def test_default_database_is_sqlite_in_wal_mode(tmp_path):
    """Without DATABASE_URL the platform runs on var/cuntong.sqlite3 in WAL mode (checked in a fresh process)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {
        "CUNTONG_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "cuntong.settings",
    }
    script = "import django; django.setup(); from django.db import connection; c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0], connection.settings_dict['NAME'])"
    output = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert output == ["wal", str(tmp_path / "cuntong.sqlite3")]
