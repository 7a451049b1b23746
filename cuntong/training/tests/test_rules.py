"""The pure training rules, with the plan's own numbers (项目5 and 二(三))."""

import datetime

from cuntong.training import rules
from cuntong.training.rules import Coverage, Presence, RosterFacts
from cuntong.web.testing import puning_plan


def test_a_person_on_three_session_days_is_three_person_times_and_one_person():
    days = [Presence(person=7, day=d) for d in (1, 2, 3)]
    assert rules.person_times(days) == 3
    assert rules.persons(days) == 1


def test_the_same_person_twice_on_one_day_counts_once():
    signed = [Presence(person=7, day=1), Presence(person=7, day=1), Presence(person=8, day=1)]
    assert rules.person_times(signed) == 2


def test_person_times_by_level():
    signed = [Presence(1, 1, rules.INCLUSIVE), Presence(1, 2, rules.ADVANCED), Presence(2, 2, rules.ADVANCED)]
    assert rules.person_times(signed, level=rules.INCLUSIVE) == 1
    assert rules.person_times(signed, level=rules.ADVANCED) == 2


def test_the_coverage_denominator_excludes_migrants_and_non_poverty_villages():
    roster = [
        RosterFacts(1, in_provincial_poverty_village=True, labour_capable=True, migrant_worker=False),
        RosterFacts(2, in_provincial_poverty_village=True, labour_capable=True, migrant_worker=True),  # 外出务工
        RosterFacts(3, in_provincial_poverty_village=False, labour_capable=True, migrant_worker=False),
        RosterFacts(4, in_provincial_poverty_village=True, labour_capable=False, migrant_worker=False),
        RosterFacts(5, in_provincial_poverty_village=True, labour_capable=True, migrant_worker=False),
    ]
    result = rules.coverage(roster, trained_people=[1, 2, 3])
    assert result == Coverage(trained=1, population=2)  # only 1 and 5 are in the population; 2 and 3 do not count


def test_the_plans_fifty_percent_is_met_at_exactly_half():
    plan = puning_plan()
    target = next(t for t in plan.data["targets"] if t["kpi"] == "training.poverty_coverage")
    assert target["value"] == rules.PLAN_TARGETS["training.poverty_coverage"] == 50
    assert Coverage(trained=50, population=100).meets(target["value"])
    assert not Coverage(trained=49, population=100).meets(target["value"])
    assert not Coverage(trained=0, population=0).meets(target["value"])


def test_the_plans_person_time_and_fair_targets():
    targets = {t["kpi"]: t["value"] for t in puning_plan().data["targets"] if t["kpi"].startswith("training.")}
    assert targets == rules.PLAN_TARGETS
    assert targets["training.inclusive_person_times"] == 5000 and targets["training.advanced_person_times"] == 1000
    assert targets["training.job_fairs"] == 5 and targets["training.job_fair_attendees"] == 300


def test_the_plan_counts_offline_training_for_coverage_by_default():
    plan_rules = rules.TrainingRules.from_plan(puning_plan().data["rules"]["training"])
    assert plan_rules.coverage_modes == (rules.OFFLINE,)
    assert plan_rules.follow_up_months == (1, 3, 6)
    assert rules.TrainingRules.from_plan({}).coverage_modes == (rules.OFFLINE,)
    both = rules.TrainingRules.from_plan({"coverage_modes": ["offline", "online"]})
    assert both.coverage_modes == ("offline", "online")
    online = [Presence(1, 1, mode=rules.ONLINE), Presence(2, 2, mode=rules.OFFLINE)]
    assert rules.persons(online, modes=plan_rules.coverage_modes) == 1
    assert rules.persons(online, modes=both.coverage_modes) == 2


def test_a_code_works_on_its_day_only():
    day = datetime.date(2020, 10, 12)
    assert rules.code_works_on(day, day)
    assert not rules.code_works_on(day, day + datetime.timedelta(days=1))
    assert not rules.code_works_on(day, day - datetime.timedelta(days=1))


def test_follow_ups_fall_due_at_the_intervals():
    assert rules.follow_up_due_dates(datetime.date(2020, 8, 31), [1, 3, 6]) == [
        datetime.date(2020, 9, 30),
        datetime.date(2020, 11, 30),
        datetime.date(2021, 2, 28),
    ]
    assert rules.is_overdue(datetime.date(2020, 9, 30), None, datetime.date(2020, 10, 1))
    assert not rules.is_overdue(datetime.date(2020, 9, 30), datetime.date(2020, 9, 29), datetime.date(2020, 10, 1))


def test_sex_and_age_from_the_id_number():
    number = "44528119900101123X"
    assert rules.sex_from_id(number) == "m"
    assert rules.sex_from_id("445281199001011244") == "f"
    born = rules.birth_date_from_id(number)
    assert born == datetime.date(1990, 1, 1)
    assert rules.age_on(born, datetime.date(2020, 12, 31)) == 30
    assert rules.age_on(born, datetime.date(2019, 12, 31)) == 29


def test_session_days_and_seats():
    assert rules.days_between(datetime.date(2020, 10, 12), datetime.date(2020, 10, 14)) == [
        datetime.date(2020, 10, 12),
        datetime.date(2020, 10, 13),
        datetime.date(2020, 10, 14),
    ]
    assert rules.seats_left(50, 48) == 2 and rules.seats_left(None, 3) is None
