"""The training rules of the plan (二(三) 加强农村电子商务培训), pure: facts in, figures out, no ORM.

* A person present on one session day is one person-time (人次); the same person counts once per session day however
  often they sign. Persons (人) are distinct people.
* Poverty training coverage: trained persons of the registered poor who are labour-capable, live in a provincial
  poverty village and are not migrant workers (外出务工者除外), over all such persons. Which training counts
  (offline sessions, the online platform, or both) is the plan's ``rules.training.coverage_modes``; offline by
  default until the cloud platform's records exist.
* A sign-in code works on its session day only (Asia/Shanghai dates).
* Follow-ups fall due at the plan's intervals after a trainee's session ends.
* A provider is paid per session (the session is the contract's milestone) at the plan's rate per person-time of the
  session's level, from that level's sub-item; a session with no attendance record or no photos is paid nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from cuntong.core.claims import Claim, Priced
from cuntong.core.money import yuan

OFFLINE, ONLINE = "offline", "online"
MODES = (OFFLINE, ONLINE)
INCLUSIVE, ADVANCED = "inclusive", "advanced"
DEFAULT_FOLLOW_UP_MONTHS = (1, 3, 6)
# Plan targets (项目5): 普及型 5000 人次, 提升型 1000 人次, coverage 50 %, fairs 5, fair attendees 300.
PLAN_TARGETS = {
    "training.inclusive_person_times": 5000,
    "training.advanced_person_times": 1000,
    "training.poverty_coverage": 50,
    "training.job_fairs": 5,
    "training.job_fair_attendees": 300,
}


@dataclass(frozen=True)
class TrainingRules:
    coverage_modes: tuple[str, ...] = (OFFLINE,)
    follow_up_months: tuple[int, ...] = DEFAULT_FOLLOW_UP_MONTHS

    @classmethod
    def from_plan(cls, section: dict | None) -> TrainingRules:
        section = section or {}
        modes = tuple(m for m in section.get("coverage_modes", (OFFLINE,)) if m in MODES) or (OFFLINE,)
        months = tuple(sorted({int(m) for m in section.get("follow_up_months", DEFAULT_FOLLOW_UP_MONTHS)}))
        return cls(coverage_modes=modes, follow_up_months=months or DEFAULT_FOLLOW_UP_MONTHS)


@dataclass(frozen=True)
class Presence:
    """One sign-in: a person on one session day (of a session of ``level`` and ``mode``)."""

    person: int
    day: int
    level: str = INCLUSIVE
    mode: str = OFFLINE


def person_times(presences: Iterable[Presence], *, level: str | None = None) -> int:
    """人次: distinct (person, session day) pairs, of one level when given."""
    return len({(p.person, p.day) for p in presences if level is None or p.level == level})


def persons(presences: Iterable[Presence], *, modes: Iterable[str] | None = None) -> int:
    """人: distinct people present at least once (in the given modes)."""
    wanted = set(modes) if modes is not None else None
    return len({p.person for p in presences if wanted is None or p.mode in wanted})


@dataclass(frozen=True)
class RosterFacts:
    """What the coverage rule reads of a registered-poor person."""

    person: int
    in_provincial_poverty_village: bool
    labour_capable: bool
    migrant_worker: bool
    erased: bool = False


def in_coverage_population(facts: RosterFacts) -> bool:
    """The denominator: labour-capable registered poor of provincial poverty villages, migrant workers excluded."""
    return (
        facts.in_provincial_poverty_village and facts.labour_capable and not facts.migrant_worker and not facts.erased
    )


@dataclass(frozen=True)
class Coverage:
    trained: int
    population: int

    @property
    def untrained(self) -> int:
        return self.population - self.trained

    def meets(self, target_percent) -> bool:
        """At least ``target_percent`` % (compared exactly: trained × 100 ≥ target × population)."""
        return self.population > 0 and self.trained * 100 >= target_percent * self.population


def coverage(roster: Iterable[RosterFacts], trained_people: Iterable[int]) -> Coverage:
    """Trained persons of the population over the population (a trained person outside it counts for nothing)."""
    population = {f.person for f in roster if in_coverage_population(f)}
    return Coverage(len(population & set(trained_people)), len(population))


def code_works_on(session_day: datetime.date, today: datetime.date) -> bool:
    """A day's sign-in code opens on that day only."""
    return session_day == today


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise ValueError(day)


def follow_up_due_dates(session_end: datetime.date, months: Iterable[int]) -> list[datetime.date]:
    return [add_months(session_end, m) for m in sorted(set(months))]


def is_overdue(due: datetime.date, done: datetime.date | None, today: datetime.date) -> bool:
    return done is None and due < today


# --- people from their ID number (GB 11643) ------------------------------------------------------------------------


def birth_date_from_id(number: str) -> datetime.date | None:
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except (ValueError, IndexError):
        return None


def sex_from_id(number: str) -> str:
    """``m`` or ``f`` from the 17th digit (odd: male)."""
    try:
        return "m" if int(number[16]) % 2 else "f"
    except (ValueError, IndexError):
        return ""


def age_on(birth: datetime.date | None, day: datetime.date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def days_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """Every day from ``start`` to ``end`` inclusive (a session's days when it runs on consecutive days)."""
    if end < start:
        return []
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]


def seats_left(capacity: int | None, enrolled: int) -> int | None:
    return None if not capacity else max(capacity - enrolled, 0)


# --- paying the providers (core.claims) ----------------------------------------------------------------------------


def session_payment(claim: Claim, rule: Mapping) -> Priced:
    """A provider's payment for one session under the level's plan rule (``{sub_item, per_person_time_yuan}``):
    the rate times the session's person-times, nothing without an attendance record, photos or a rate."""
    facts = claim.facts
    person_times_ = int(facts.get("person_times") or 0)
    rate = rule.get("per_person_time_yuan")
    if facts.get("level") not in (INCLUSIVE, ADVANCED) or rate is None:
        return Priced(Decimal(0), "no_rate", _("计划未规定该层级培训的人次单价"))
    if not person_times_:
        return Priced(Decimal(0), "no_attendance", _("无考勤记录，不予支付"))
    if not facts.get("has_photos"):
        return Priced(Decimal(0), "no_photos", _("无培训现场照片佐证，不予支付"))
    rate = yuan(rate)
    return Priced(
        yuan(rate * person_times_),
        "paid",
        _("%(n)s 人次 × %(rate)s 元") % {"n": person_times_, "rate": rate},
    )
