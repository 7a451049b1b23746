"""Deleting a record others still point at is refused with a reason (400 from the API), never a server error, and
the record stays."""

from cuntong.training.models import Course
from cuntong.training.tests.factories import make_session
from cuntong.web.testing import HONGYANG, login, make_user


def test_the_api_refuses_to_delete_a_course_with_sessions(base_data):
    session = make_session(HONGYANG, code="DEL1")
    office = login(make_user("office", "office"))
    response = office.delete(f"/api/v1/training/courses/{session.course_id}/")
    assert response.status_code == 400, response.content[:300]
    assert "仍被 1 条记录引用" in response.json()["detail"]
    assert Course.objects.filter(pk=session.course_id).exists()


def test_an_unreferenced_course_is_deleted(base_data):
    course = Course.objects.create(programme_id=make_session(HONGYANG, code="DEL2").programme_id, title="无人选的课")
    office = login(make_user("office", "office"))
    assert office.delete(f"/api/v1/training/courses/{course.pk}/").status_code == 204
    assert not Course.objects.filter(pk=course.pk).exists()
