"""The seed's definitions on records: person-times, persons and the poverty coverage, as the KPI registry computes
them for the board and the wall."""

import datetime

import pytest

from cuntong.people.tests.factories import id_number, make_resident
from cuntong.programme.kpi import AreaScope, registry
from cuntong.training import services
from cuntong.training.models import Attendance, Trainee
from cuntong.web.testing import HONGYANG, NANXI, make_user, programme

from .factories import make_session, make_trainee

pytestmark = pytest.mark.usefixtures("base_data")
DAYS = [datetime.date(2020, 10, 12), datetime.date(2020, 10, 13), datetime.date(2020, 10, 14)]


def _kpi(key: str, user=None):
    (result,) = [r for r in registry.evaluate(AreaScope(programme(), user), [key])]
    return result


def test_a_person_at_a_three_day_session_counts_three_person_times_and_one_person():
    session = make_session(HONGYANG, code="T3", days=DAYS)
    trainee = make_trainee(HONGYANG, 1)
    for day in session.days.all():
        assert services.record_attendance(services.SYSTEM, day, trainee)
    assert not services.record_attendance(services.SYSTEM, session.days.first(), trainee)  # twice: once
    figures = services.session_figures(session)
    assert (figures["person_times"], figures["persons"], figures["days"]) == (3, 1, 3)
    assert _kpi("training.inclusive_person_times").value == 3
    assert _kpi("training.advanced_person_times").value == 0


def test_the_database_refuses_a_second_attendance_for_the_same_day():
    from django.db import IntegrityError, transaction

    session = make_session(HONGYANG, code="T1")
    trainee = make_trainee(HONGYANG, 2)
    day = session.days.get()
    Attendance.objects.create(day=day, trainee=trainee)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(day=day, trainee=trainee)


def test_coverage_counts_only_the_seeds_population():
    poverty_village = "445281104201"  # 测试甲村委会, a provincial poverty village
    other_village = "445281104202"  # not one
    counted = make_resident(HONGYANG, 31, village_code=poverty_village, is_labour_capable=True)
    untrained = make_resident(HONGYANG, 32, village_code=poverty_village, is_labour_capable=True)
    migrant = make_resident(HONGYANG, 33, village_code=poverty_village, is_labour_capable=True, is_migrant_worker=True)
    elsewhere = make_resident(HONGYANG, 34, village_code=other_village, is_labour_capable=True)
    session = make_session(HONGYANG, code="TC", days=DAYS[:1])
    day = session.days.get()
    for resident in (counted, migrant, elsewhere):
        trainee, _new = services.match_or_create_trainee(
            programme(), name=resident.name, id_number=resident.id_number.reveal(), user=services.SYSTEM
        )
        assert trainee.resident == resident and trainee.category == "poor"  # linked, not copied
        services.record_attendance(services.SYSTEM, day, trainee)
    result = _kpi("training.poverty_coverage")
    assert (result.measurement.numerator, result.measurement.denominator) == (1, 2)
    assert str(result.value) == "50.0" and result.status == "met"
    untrained_list = list(registry.drilldown(AreaScope(programme()), "training.poverty_coverage"))
    assert untrained_list == [untrained]


def test_online_training_counts_for_coverage_only_when_the_plan_says_so():
    resident = make_resident(HONGYANG, 41, village_code="445281104201", is_labour_capable=True)
    session = make_session(HONGYANG, code="TO", mode="online")
    trainee, _new = services.match_or_create_trainee(
        programme(), name=resident.name, id_number=resident.id_number.reveal(), user=services.SYSTEM
    )
    services.record_attendance(services.SYSTEM, session.days.get(), trainee)
    assert _kpi("training.poverty_coverage").measurement.numerator == 0
    plan = programme()
    plan.rules["training"] = {"coverage_modes": ["offline", "online"]}
    plan.save()
    assert _kpi("training.poverty_coverage").measurement.numerator == 1


def test_one_person_one_record_matched_by_the_id_numbers_keyed_hash():
    first, created = services.match_or_create_trainee(
        programme(), name="林小红", id_number=id_number(51, born="19900101"), user=services.SYSTEM
    )
    again, created_again = services.match_or_create_trainee(
        programme(), name="林 小红", id_number=id_number(51, born="19900101").lower(), user=services.SYSTEM
    )
    assert created and not created_again and first == again
    assert Trainee.objects.count() == 1
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):  # someone else's ID number under another name
        services.match_or_create_trainee(
            programme(), name="王冒名", id_number=id_number(51, born="19900101"), user=services.SYSTEM
        )


def test_a_township_sees_its_own_figures():
    hongyang, nanxi = make_session(HONGYANG, code="TH"), make_session(NANXI, code="TN", level="advanced")
    for session, serial in ((hongyang, 61), (nanxi, 62)):
        services.record_attendance(services.SYSTEM, session.days.get(), make_trainee(HONGYANG, serial))
    clerk = make_user("hy", "township", HONGYANG)
    assert _kpi("training.inclusive_person_times", clerk).value == 1
    assert _kpi("training.advanced_person_times", clerk).value == 0
    assert _kpi("training.advanced_person_times").value == 1


def test_fair_kpis_and_follow_up_coverage():
    from cuntong.training.models import FairRegistration, FollowUp, JobFair
    from cuntong.web.testing import area, frozen_clock

    with frozen_clock("2020-12-01"):
        fair = JobFair.objects.create(
            programme=programme(), title="对接会", date=datetime.date(2020, 11, 1), area=area(HONGYANG)
        )
        JobFair.objects.create(
            programme=programme(), title="未来的对接会", date=datetime.date(2021, 1, 1), area=area(HONGYANG)
        )
        trainee = make_trainee(HONGYANG, 71)
        FairRegistration.objects.create(fair=fair, trainee=trainee, attended=True)
        FairRegistration.objects.create(fair=fair, trainee=make_trainee(HONGYANG, 72), attended=False)
        assert _kpi("training.job_fairs").value == 1
        assert _kpi("training.job_fair_attendees").value == 1
        session = make_session(HONGYANG, code="TF", days=[datetime.date(2020, 9, 1)])
        services.record_attendance(services.SYSTEM, session.days.get(), trainee)
        assert services.schedule_follow_ups(session, services.SYSTEM) == 3
        assert services.schedule_follow_ups(session, services.SYSTEM) == 0
        assert _kpi("training.follow_up_coverage").measurement.denominator == 1
        assert _kpi("training.follow_up_coverage").value == 0
        first = FollowUp.objects.order_by("due_date").first()
        services.record_follow_up(services.SYSTEM, first, opened_shop=True)
        assert _kpi("training.follow_up_coverage").value == 100
