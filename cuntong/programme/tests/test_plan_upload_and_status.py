import pytest
import yaml
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from cuntong.audit.models import ChangeRecord
from cuntong.programme.models import Programme, Project
from cuntong.web.testing import HONGYANG, login, make_user, programme


def plan_text(mutate=None) -> bytes:
    data = yaml.safe_load(settings.CUNTONG_DEFAULT_PLAN.read_text(encoding="utf-8"))
    if mutate:
        mutate(data)
    return yaml.safe_dump(data, allow_unicode=True).encode()


@pytest.fixture
def office(base_data):
    return login(make_user("office-plan", "office"))


def test_a_broken_plan_lists_its_problems_and_changes_nothing(office):
    def break_it(data):
        data["projects"][3]["sub_items"][0]["amount"] = 60
        data["budget"]["local"] = 151

    before = Project.objects.get(programme=programme(), number=4).sub_items.get(code="town_stations").amount
    html = office.post(
        "/programme/plan/upload/", {"file": SimpleUploadedFile("plan.yaml", plan_text(break_it))}
    ).content.decode()
    assert 'id="plan-errors"' in html and "projects[3].sub_items" in html and "budget.local" in html
    assert Project.objects.get(programme=programme(), number=4).sub_items.get(code="town_stations").amount == before


def test_check_only_loads_nothing(office):
    def rename(data):
        data["programme"]["name"] = "改名的示范项目"

    html = office.post(
        "/programme/plan/upload/", {"file": SimpleUploadedFile("plan.yaml", plan_text(rename)), "check_only": "on"}
    ).content.decode()
    assert 'id="plan-ok"' in html
    assert programme().name != "改名的示范项目"


def test_a_corrected_plan_is_loaded(office):
    def rename(data):
        data["programme"]["summary"] = "修订后的总体思路"

    response = office.post("/programme/plan/upload/", {"file": SimpleUploadedFile("plan.yaml", plan_text(rename))})
    assert response.status_code == 302
    assert programme().summary == "修订后的总体思路"


def test_a_plan_for_a_county_outside_scope_is_refused(office):
    def elsewhere(data):
        data["programme"]["code"] = "jiedong-2020"
        data["programme"]["county"] = {"code": "445203", "name": "揭东区"}

    response = office.post("/programme/plan/upload/", {"file": SimpleUploadedFile("plan.yaml", plan_text(elsewhere))})
    assert response.status_code == 403
    assert not Programme.objects.filter(code="jiedong-2020").exists()


def test_township_staff_cannot_upload(base_data):
    client = login(make_user("hy-plan", "township", HONGYANG))
    assert client.get("/programme/plan/upload/").status_code == 403


def test_office_records_project_status_with_history(office):
    project = Project.objects.get(programme=programme(), number=4)
    response = office.post(f"/programme/projects/{project.pk}/status/", {"status": "in_implementation"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == "in_implementation"
    change = ChangeRecord.objects.filter(object_id=str(project.pk), action="update").latest("time")
    assert change.before["status"] == "planned" and change.after["status"] == "in_implementation"
    assert change.user.username == "office-plan"
    assert "实施中" in office.get(f"/programme/projects/{project.pk}/").content.decode()


def test_township_staff_cannot_change_project_status(base_data):
    project = Project.objects.get(programme=programme(), number=4)
    client = login(make_user("hy-status", "township", HONGYANG))
    assert client.post(f"/programme/projects/{project.pk}/status/", {"status": "completed"}).status_code == 403
