from cuntong.core.demo import demo_step

from .models import Programme
from .services import load_plan_file


@demo_step(20, "实施方案（普宁 2019）")
def load_puning_plan(context):
    context.programme = Programme.objects.filter(code="puning-2019").first() or load_plan_file()
