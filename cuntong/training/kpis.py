"""Training KPIs (plan targets training.*), each computed over the viewer's scope from the raw records.

* ``training.inclusive_person_times`` / ``training.advanced_person_times``: attendance rows (one per person and
  session day, a database constraint) of sessions of each level — 人次.
* ``training.poverty_coverage``: trained persons ÷ the registered poor of the seed's denominator (labour-capable, in
  provincial poverty villages, not migrant workers: ``Resident.objects.poverty_training_population()``); trained =
  linked to a trainee present at least once at training of the plan's ``coverage_modes``. The drill-down lists who
  is still untrained. The seed's wording is "培训人次 … 达到 … 贫困人口的50%"; counting persons keeps the figure a
  coverage (at most 100 %) and is what the drill-down can name.
* ``training.job_fairs`` (fairs held, date reached) and ``training.job_fair_attendees`` (distinct trainees attending).
* ``training.follow_up_coverage``: trainees followed up ÷ trainees with a follow-up due (no plan target).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cuntong.people.models import Resident
from cuntong.programme.kpi import AreaScope, Measurement, registry, shared

from . import services
from .models import Attendance, Category, FairRegistration, FollowUp, JobFair, Level


def _attendance(scope: AreaScope, level: str):
    return scope.records(Attendance.objects.filter(day__session__course__level=level))


def _register_level(key: str, name, level: str, description) -> None:
    def calculate(scope):
        return Measurement(services.person_times(_attendance(scope, level)))

    def drilldown(scope):
        return _attendance(scope, level).select_related("day__session", "trainee").order_by("-day__date", "pk")

    registry.register(key, name, model=Attendance, unit="人次", description=description, drilldown=drilldown)(calculate)


_register_level(
    "training.inclusive_person_times",
    _("普及型培训"),
    Level.INCLUSIVE,
    _("普及型培训班的签到人次：一人在一个培训日签到计1人次，同一人同一日只计一次。"),
)
_register_level(
    "training.advanced_person_times",
    _("提升型培训"),
    Level.ADVANCED,
    _("提升型培训班的签到人次：一人在一个培训日签到计1人次，同一人同一日只计一次。"),
)


@shared
def _coverage_sets(scope: AreaScope) -> tuple[list[int], set[int]]:
    population = list(scope.records(Resident.objects.poverty_training_population()).values_list("pk", flat=True))
    modes = services.training_rules(scope.programme).coverage_modes
    return population, services.trained_resident_ids(scope.programme, modes)


def poverty_coverage(scope: AreaScope) -> Measurement:
    population, trained = _coverage_sets(scope)
    return Measurement.ratio(len(trained.intersection(population)), len(population))


def _untrained(scope: AreaScope):
    population, trained = _coverage_sets(scope)
    rows = Resident.objects.filter(pk__in=set(population) - trained)
    return rows.select_related("village__parent").order_by("village__code", "household_number", "pk")


registry.register(
    "training.poverty_coverage",
    _("贫困人口培训覆盖率"),
    model=Resident,
    unit="%",
    description=_(
        "已参加培训的建档立卡人员占省定贫困村有劳动能力建档立卡贫困人口（外出务工者除外）的比例；"
        "明细为尚未参加培训的人员。计入的培训形式由规划文件 rules.training.coverage_modes 规定。"
    ),
    drilldown=_untrained,
)(poverty_coverage)


def _fairs_held(scope: AreaScope):
    return scope.records(JobFair.objects.filter(date__lte=timezone.localdate()))


@registry.register(
    "training.job_fairs",
    _("电子商务用工对接会"),
    model=JobFair,
    unit="场",
    description=_("已举办（日期已到）的用工对接会场数。"),
    drilldown=lambda scope: _fairs_held(scope).select_related("area").order_by("-date"),
)
def job_fairs(scope):
    return Measurement(_fairs_held(scope).count())


def _fair_attendance(scope: AreaScope):
    return scope.records(FairRegistration.objects.filter(attended=True))


@registry.register(
    "training.job_fair_attendees",
    _("参加用工对接学员"),
    model=FairRegistration,
    unit="人",
    description=_("到场参加用工对接会的学员人数（同一学员参加多场计一人）。"),
    drilldown=lambda scope: _fair_attendance(scope).select_related("fair", "trainee").order_by("fair", "pk"),
)
def job_fair_attendees(scope):
    return Measurement(_fair_attendance(scope).values("trainee_id").distinct().count())


@registry.register(
    "training.follow_up_coverage",
    _("培训后跟踪回访率"),
    model=FollowUp,
    unit="%",
    description=_("已到回访日期的学员中完成至少一次回访的比例；明细为逾期未回访的记录。"),
    drilldown=lambda scope: services.overdue_follow_ups(scope.records(FollowUp.objects.all())).select_related(
        "trainee"
    ),
)
def follow_up_coverage(scope):
    done, total = services.follow_up_coverage(scope.records(FollowUp.objects.all()))
    return Measurement.ratio(done, total)


# --- the person-time report ------------------------------------------------------------------------------------------


def person_time_breakdown(scope: AreaScope) -> dict:
    """Person-times per level by year, by township (of the session's venue) and by trainee category."""
    rows = scope.records(Attendance.objects.all())
    level = "day__session__course__level"
    by_year = rows.annotate(year=ExtractYear("day__date")).values("year", level).annotate(n=Count("pk"))
    by_township = rows.values("day__session__area__code", "day__session__area__parent__code", level).annotate(
        n=Count("pk")
    )
    by_category = rows.values("trainee__category", level).annotate(n=Count("pk"))
    from cuntong.geo.models import Area

    def table(items, key):
        grouped: dict = defaultdict(lambda: {Level.INCLUSIVE: 0, Level.ADVANCED: 0})
        for item in items:
            grouped[key(item)][item[level]] += item["n"]
        return grouped

    townships = table(
        by_township,
        lambda i: i["day__session__area__code"][:9] if i["day__session__area__code"] else "",
    )
    names = dict(Area.objects.current().filter(code__in=list(townships)).values_list("code", "name"))
    categories = dict(Category.choices)
    return {
        "years": sorted(table(by_year, lambda i: i["year"]).items()),
        "townships": sorted(((names.get(c, c), v) for c, v in townships.items()), key=lambda kv: str(kv[0])),
        "categories": [
            (categories.get(c, c), v) for c, v in table(by_category, lambda i: i["trainee__category"]).items()
        ],
        "total": {lv: rows.filter(**{level: lv}).count() for lv in (Level.INCLUSIVE, Level.ADVANCED)},
    }


def breakdown_sheets(breakdown: dict):
    headers = ["", str(Level.INCLUSIVE.label), str(Level.ADVANCED.label)]

    def rows(items):
        return [[str(k), v[Level.INCLUSIVE], v[Level.ADVANCED]] for k, v in items]

    return [
        (str(_("按年度")), [str(_("年度")), *headers[1:]], rows(breakdown["years"])),
        (str(_("按乡镇")), [str(_("乡镇")), *headers[1:]], rows(breakdown["townships"])),
        (str(_("按学员类别")), [str(_("学员类别")), *headers[1:]], rows(breakdown["categories"])),
    ]
