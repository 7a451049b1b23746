"""Area imports write only inside the importing user's scope (geo.services.upsert_areas is the gate): a township's
area editor adds and corrects its own villages; a file touching another township writes nothing at all."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from cuntong.accounts.models import Role
from cuntong.geo import rules
from cuntong.geo.importers import AreaImporter
from cuntong.geo.models import Area
from cuntong.geo.services import upsert_areas
from cuntong.web.testing import HONGYANG, NANXI, make_user

pytestmark = pytest.mark.usefixtures("base_data")


@pytest.fixture
def editor():
    """A custom role holding the area permissions, granted for 洪阳镇 only."""
    role = Role.objects.create(code="area_editor", name="区划维护")
    role.permissions.set(
        Permission.objects.filter(content_type__app_label="geo", codename__in=["view_area", "add_area", "change_area"])
    )
    return make_user("area-editor", "area_editor", HONGYANG)


def run(user, *rows: str):
    text = "区划代码,名称,常住人口\n" + "\n".join(rows) + "\n"
    return AreaImporter(user=user).run(io.BytesIO(text.encode()), "areas.csv")


def test_an_editor_adds_and_corrects_villages_of_their_township(editor):
    existing = Area.objects.filter(code__startswith=HONGYANG, level="village").first()
    report = run(editor, f"{HONGYANG}299,洪阳新村委会,1200", f"{existing.code},{existing.name},4321")
    assert report.committed and report.written == 2
    assert Area.objects.get(code=f"{HONGYANG}299").parent.code == HONGYANG
    existing.refresh_from_db()
    assert existing.population == 4321


def test_a_file_touching_another_township_writes_nothing(editor):
    before = Area.objects.count()
    with pytest.raises(PermissionDenied):
        run(editor, f"{HONGYANG}298,洪阳另一村委会,900", f"{NANXI}298,南溪新村委会,800")
    assert Area.objects.count() == before


def test_correcting_another_townships_area_is_refused(editor):
    other = Area.objects.filter(code__startswith=NANXI, level="village").first()
    with pytest.raises(PermissionDenied):
        run(editor, f"{other.code},{other.name},1")
    other.refresh_from_db()
    assert other.population != 1


def test_the_service_refuses_work_that_names_no_actor():
    with pytest.raises(PermissionDenied):
        upsert_areas([rules.AreaRow(code=f"{HONGYANG}297", name="无人村委会", kind="village")], user=None)
    assert not Area.objects.filter(code=f"{HONGYANG}297").exists()
