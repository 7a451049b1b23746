"""Every training record is scoped: a township sees its own sessions, trainees, attendance, follow-ups and fairs;
catalogue records (providers, trainers, courses, employers, job posts) are programme-wide and never cross counties."""

import datetime

from django.urls import reverse

from cuntong.programme.tests.test_programme_scope import programme_for
from cuntong.training import services
from cuntong.training.models import (
    Attendance,
    Course,
    Employer,
    Enrolment,
    FairRegistration,
    FollowUp,
    Incubation,
    JobFair,
    JobPost,
    Provider,
    Session,
    SessionDay,
    Trainee,
    Trainer,
)
from cuntong.web.testing import HONGYANG, ScopedModelTests, area

from .factories import make_session, make_trainee


def _serial(township_code: str) -> int:
    return int(township_code[-3:])


def _session(township_code):
    return make_session(township_code, code=f"S{township_code[-3:]}", title=f"范围培训班{township_code[-3:]}")


def _trainee(township_code):
    return make_trainee(township_code, _serial(township_code), name=f"范围学员{township_code[-3:]}")


class TestSessionScope(ScopedModelTests):
    model = Session
    list_url = reverse("training:session_list")
    api_url = "/api/v1/training/sessions/"

    def make_record(self, township_code):
        return _session(township_code)

    def record_text(self, obj):
        return obj.title


class TestSessionDayScope(ScopedModelTests):
    model = SessionDay
    api_url = "/api/v1/training/session-days/"

    def make_record(self, township_code):
        return _session(township_code).days.get()


class TestTraineeScope(ScopedModelTests):
    model = Trainee
    list_url = reverse("training:trainee_list")
    api_url = "/api/v1/training/trainees/"

    def make_record(self, township_code):
        return _trainee(township_code)


class TestEnrolmentScope(ScopedModelTests):
    model = Enrolment
    api_url = "/api/v1/training/enrolments/"

    def make_record(self, township_code):
        return Enrolment.objects.create(session=_session(township_code), trainee=_trainee(township_code))


class TestAttendanceScope(ScopedModelTests):
    model = Attendance
    api_url = "/api/v1/training/attendance/"

    def make_record(self, township_code):
        day = _session(township_code).days.get()
        services.record_attendance(services.SYSTEM, day, _trainee(township_code))
        return Attendance.objects.get(day=day)


class TestFollowUpScope(ScopedModelTests):
    model = FollowUp
    list_url = reverse("training:follow_up_list")
    api_url = "/api/v1/training/follow-ups/"

    def make_record(self, township_code):
        return FollowUp.objects.create(trainee=_trainee(township_code), due_date=datetime.date(2020, 11, 12))

    def detail_url(self, obj):
        return reverse("training:follow_up_edit", args=[obj.pk])

    def record_text(self, obj):
        return obj.trainee.name


class TestIncubationScope(ScopedModelTests):
    model = Incubation
    api_url = "/api/v1/training/incubations/"

    def make_record(self, township_code):
        return Incubation.objects.create(trainee=_trainee(township_code), kind="shop", date=datetime.date(2020, 11, 1))


class TestJobFairScope(ScopedModelTests):
    model = JobFair
    list_url = reverse("training:fair_list")
    api_url = "/api/v1/training/fairs/"

    def make_record(self, township_code):
        return JobFair.objects.create(
            programme=programme_for(HONGYANG),
            title=f"范围对接会{township_code[-3:]}",
            date=datetime.date(2020, 11, 1),
            area=area(township_code),
        )


class TestFairRegistrationScope(ScopedModelTests):
    model = FairRegistration
    api_url = "/api/v1/training/fair-registrations/"

    def make_record(self, township_code):
        fair = JobFair.objects.create(
            programme=programme_for(HONGYANG), title="对接会", date=datetime.date(2020, 11, 1), area=area(township_code)
        )
        return FairRegistration.objects.create(fair=fair, trainee=_trainee(township_code), attended=True)


class ProgrammeWide(ScopedModelTests):
    """Catalogue records: Puning's on 洪阳镇's side, another county's on the other; the viewer sits above both."""

    viewer_scope = "44"
    export = False

    def detail_url(self, obj):  # pages show the current programme's catalogue; the API shows both counties
        return None


class TestProviderScope(ProgrammeWide):
    model = Provider
    api_url = "/api/v1/training/providers/"

    def make_record(self, township_code):
        return Provider.objects.create(programme=programme_for(township_code), name=f"范围机构{township_code[-3:]}")


class TestTrainerScope(ProgrammeWide):
    model = Trainer
    api_url = "/api/v1/training/trainers/"

    def make_record(self, township_code):
        provider = Provider.objects.create(programme=programme_for(township_code), name="机构")
        return Trainer.objects.create(provider=provider, name=f"范围讲师{township_code[-3:]}")


class TestCourseScope(ProgrammeWide):
    model = Course
    api_url = "/api/v1/training/courses/"

    def make_record(self, township_code):
        return Course.objects.create(
            programme=programme_for(township_code), title=f"范围课程{township_code[-3:]}", topic="live"
        )


class TestEmployerScope(ProgrammeWide):
    model = Employer
    api_url = "/api/v1/training/employers/"

    def make_record(self, township_code):
        return Employer.objects.create(programme=programme_for(township_code), name=f"范围单位{township_code[-3:]}")


class TestJobPostScope(ProgrammeWide):
    model = JobPost
    api_url = "/api/v1/training/job-posts/"

    def make_record(self, township_code):
        employer = Employer.objects.create(programme=programme_for(township_code), name="单位")
        return JobPost.objects.create(employer=employer, position=f"岗位{township_code[-3:]}", count=2)
