"""Programme-wide records (plan, phases, projects, budget, targets) are shared inside a programme but never cross
counties: a township member of Puning reads Puning's plan, not another county's. The two records of each test sit in
Puning (洪阳镇's side) and in a second county (南溪镇's side stands for "elsewhere"); the viewer sits above both."""

import datetime
from decimal import Decimal

from django.urls import reverse

from cuntong.geo.models import Area
from cuntong.programme.models import BudgetAllocation, Phase, Programme, Project, SubItem, Target
from cuntong.web.testing import HONGYANG, ScopedModelTests, programme

OTHER_COUNTY = "445222"  # 揭西县, a neighbour of Puning


def programme_for(township_code: str) -> Programme:
    """Puning's programme for the first township, a second county's for the other."""
    if township_code == HONGYANG:
        return programme()
    county, _created = Area.objects.get_or_create(
        code=OTHER_COUNTY,
        defaults={"name": "揭西县", "level": "county", "kind": "county", "parent": Area.objects.get(code="4452")},
    )
    other, _created = Programme.objects.get_or_create(
        code="jiexi-2020",
        defaults={
            "name": "揭西县电子商务进农村综合示范项目",
            "short_name": "揭西示范",
            "county": county,
            "batch_year": 2020,
            "start_date": datetime.date(2020, 5, 1),
            "end_date": datetime.date(2021, 12, 31),
        },
    )
    return other


def project_for(township_code: str) -> Project:
    project, _created = Project.objects.get_or_create(
        programme=programme_for(township_code),
        number=90,
        defaults={"category": "测试", "name": "范围测试项目", "content": "—", "due_date": datetime.date(2020, 12, 31)},
    )
    return project


class ProgrammeWide(ScopedModelTests):
    viewer_scope = "44"  # the province: both counties
    export = False

    def detail_url(self, obj):
        return reverse("programme:overview", args=[obj.programme.code])


class TestProgrammeScope(ProgrammeWide):
    model = Programme
    api_url = "/api/v1/programmes/"

    def make_record(self, township_code):
        return programme_for(township_code)

    def detail_url(self, obj):
        return obj.get_absolute_url()

    def api_detail_url(self, obj):
        return f"{self.api_url}{obj.code}/"


class TestPhaseScope(ProgrammeWide):
    model = Phase

    def make_record(self, township_code):
        return Phase.objects.create(
            programme=programme_for(township_code),
            code="scope-test",
            name="范围测试阶段",
            start_date=datetime.date(2020, 1, 1),
            end_date=datetime.date(2020, 2, 1),
        )


class TestTargetScope(ProgrammeWide):
    model = Target

    def make_record(self, township_code):
        return Target.objects.create(
            programme=programme_for(township_code), kpi="scope.test", name="范围测试", value=Decimal(1), year=2099
        )


class TestProjectScope(ProgrammeWide):
    model = Project

    def make_record(self, township_code):
        return project_for(township_code)

    def detail_url(self, obj):
        return obj.get_absolute_url()


class TestBudgetAllocationScope(ProgrammeWide):
    model = BudgetAllocation

    def make_record(self, township_code):
        return BudgetAllocation.objects.create(project=project_for(township_code), source="local", amount=Decimal(1))

    def detail_url(self, obj):
        return obj.project.get_absolute_url()


class TestSubItemScope(ProgrammeWide):
    model = SubItem

    def make_record(self, township_code):
        return SubItem.objects.create(
            project=project_for(township_code), code="scope-test", name="范围测试", amount=Decimal(1), source="local"
        )

    def detail_url(self, obj):
        return obj.project.get_absolute_url()
