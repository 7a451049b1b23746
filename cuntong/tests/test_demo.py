"""`cuntong demo` on an empty database, built once for every app's checks (a build is the suite's most expensive
step): it makes a realistic, rule-abiding station network, marks everything it generates, is deterministic, and a
second run changes no row of any table."""

from collections import Counter

from django.apps import apps
from django.core.management import call_command
from django.db import models

from cuntong.geo.models import Area
from cuntong.programme.models import Programme
from cuntong.stations import rules, services
from cuntong.stations.demo import as_of
from cuntong.stations.models import CandidateSite, CheckIn, ManagementProposal, MonthlyReport, Station, StationEvent
from cuntong.web.testing import empty_database, frozen_clock


def snapshot() -> dict[str, list[str]]:
    """Every row of every app's tables, without keys and timestamps: a second run must leave each one as it was
    (no row added, removed or changed, history included)."""
    tables = {}
    for model in apps.get_models():
        if model._meta.app_label in ("contenttypes", "sessions", "admin", "auth"):
            continue
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if not field.primary_key and not isinstance(field, models.DateTimeField)
        ]
        tables[model._meta.label] = sorted(map(repr, model._default_manager.values_list(*fields)))
    return tables


def check_villages() -> None:
    villages = Area.objects.filter(level="village", code__startswith="445281")
    assert villages.count() > 400
    assert not villages.filter(is_generated=False).exists(), "every demo village says it is generated"
    assert villages.filter(is_provincial_poverty_village=True).count() == 19
    assert Area.objects.filter(level="township", code__startswith="445281", is_generated=False).count() == 33


def check_network(programme: Programme) -> None:
    stations = Station.objects.filter(programme=programme)
    assert not stations.filter(is_generated=False).exists(), "every demo station says it is generated"
    assert not CandidateSite.objects.filter(is_generated=False).exists()

    coverage = services.coverage_for(programme).coverage
    # a township station in every township-level unit, about half the villages, every poverty village
    assert coverage.township_covered == coverage.township_total == 33
    assert 0.45 <= coverage.village_covered / coverage.village_total <= 0.6
    assert coverage.poverty_covered == coverage.poverty_total == 19
    assert services.coverage_for(programme).benchmark_count == 10

    # the network keeps the rules, except where the office approved an exception with a reason
    check = services.network_check(programme)
    overridden = {e.station_id for e in StationEvent.objects.filter(override=True)}
    assert overridden and all(e.reason for e in StationEvent.objects.filter(override=True))
    assert all({v.a.key, v.b.key} & overridden for v in check.spacing) and not check.quota

    # a few weak stations flagged: some on probation, proposals pending for the office
    statuses = Counter(stations.values_list("status", flat=True))
    assert 1 <= statuses[rules.PROBATION] <= 5
    proposals = Counter(ManagementProposal.objects.values_list("kind", flat=True))
    assert 3 <= sum(proposals.values()) <= 15 and proposals["eliminate"] >= 1
    assert all(p.replacement_options is not None for p in ManagementProposal.objects.filter(kind="eliminate"))
    assert statuses[rules.REPLACED] == 1 and stations.filter(replaces__status=rules.REPLACED).exists()

    # the demo operator runs a point in 洪阳镇 with a report for every month it has been open
    own = stations.get(operator_user__username="zhanzhang")
    assert own.area.code.startswith("445281104") and own.status == rules.OPERATING
    months = rules.months_between(own.opened_on, rules.add_months(rules.month_start(as_of(programme)), -1))
    assert own.reports.count() >= len(months) - 1

    # the history ends where the programme does, whatever today's date (frozen at 2 December 2026)
    assert as_of(programme) == programme.end_date
    assert max(MonthlyReport.objects.values_list("month", flat=True)) == rules.add_months(
        rules.month_start(programme.end_date), -1
    )
    assert set(CheckIn.objects.values_list("day", flat=True)) == {programme.end_date}


def check_training(programme: Programme) -> None:
    """Sessions with attendance, trainees linked to the generated roster, figures on the KPIs."""
    from cuntong.programme.kpi import AreaScope, registry
    from cuntong.training.models import Attendance, Provider, Session, Trainee

    assert not Provider.objects.filter(is_generated=False).exists() and not Session.objects.filter(is_generated=False)
    assert not Trainee.objects.filter(is_generated=False).exists()
    assert Session.objects.filter(programme=programme).count() == 10 and Attendance.objects.count() > 200
    assert Trainee.objects.filter(resident__isnull=False).exists()
    results = {r.key: r for r in registry.evaluate(AreaScope(programme), None) if r.key.startswith("training.")}
    assert results["training.inclusive_person_times"].value > 0 and results["training.advanced_person_times"].value > 0
    assert 0 < results["training.poverty_coverage"].value <= 100
    assert results["training.job_fairs"].value == 2 and results["training.job_fair_attendees"].value > 0


def check_logistics(programme: Programme) -> None:
    """Carriers' outlets, three years of volumes growing, parcels at every stage, prices with a flagged jump."""
    from cuntong.logistics import kpis, services
    from cuntong.logistics.models import ExpressVolume, Outlet, Parcel, PriceSample
    from cuntong.programme.kpi import AreaScope

    assert Outlet.objects.filter(programme=programme).count() == Outlet.objects.filter(is_generated=True).count() >= 8
    assert not ExpressVolume.objects.exclude(source="demo").exists()
    growth = kpis.growth_in(AreaScope(programme))
    assert growth.through == rules.add_months(rules.month_start(programme.end_date), -1) and not growth.missing
    assert growth.ytd_growth > 20
    assert not Parcel.objects.filter(is_generated=False).exists()
    assert set(Parcel.objects.values_list("status", flat=True)) >= {"at_station", "picked_up", "returned"}
    samples = PriceSample.objects.filter(programme=programme)
    assert samples.exists() and not samples.filter(is_generated=False).exists()
    assert services.price_alerts(programme, samples)


# 2 December: before the reports' due day, when a demo dated from today found no station to eliminate.
@frozen_clock("2026-12-02")
def test_demo_is_realistic_marked_deterministic_and_idempotent(db, capsys):
    empty_database()
    call_command("demo", no_progress=True)
    output = capsys.readouterr().out
    assert "office" in output and "Cuntong#2026" in output
    check_villages()
    check_network(Programme.objects.get(code="puning-2019"))
    check_training(Programme.objects.get(code="puning-2019"))
    check_logistics(Programme.objects.get(code="puning-2019"))

    first = snapshot()
    call_command("demo", no_progress=True, quiet_logins=True)
    second = snapshot()
    assert {label: len(rows) for label, rows in second.items()} == {label: len(rows) for label, rows in first.items()}
    assert second == first
