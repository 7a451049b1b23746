from cuntong.programme.models import BudgetAllocation, Phase, Programme, Project, SubItem, Target
from cuntong.web.testing import SharedModelTests, programme


class TestProgrammeShared(SharedModelTests):
    model = Programme
    api_url = "/api/v1/programmes/"

    def make_record(self):
        return programme()

    def record_text(self, obj):
        return obj.name


class TestProjectShared(SharedModelTests):
    model = Project

    def make_record(self):
        return Project.objects.get(programme=programme(), number=4)

    def record_text(self, obj):
        return obj.name


class TestPhaseShared(SharedModelTests):
    model = Phase

    def make_record(self):
        return Phase.objects.get(programme=programme(), code="implementation")


class TestAllocationShared(SharedModelTests):
    model = BudgetAllocation

    def make_record(self):
        return BudgetAllocation.objects.get(project__programme=programme(), project__number=4, source="local")


class TestSubItemShared(SharedModelTests):
    model = SubItem

    def make_record(self):
        return SubItem.objects.get(project__programme=programme(), code="village_points")


class TestTargetShared(SharedModelTests):
    model = Target

    def make_record(self):
        return Target.objects.get(programme=programme(), kpi="stations.village_coverage")
