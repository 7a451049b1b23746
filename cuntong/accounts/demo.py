"""Demo users: one per role of DESIGN §1, scoped as a real county would scope them."""

from django.utils import timezone

from cuntong.core.demo import DEMO_PASSWORD, demo_step
from cuntong.geo.models import Area

from .models import Membership, Organisation, Role, User

DEMO_TOWNSHIP = "445281104"  # 洪阳镇
# username, display name, role, scope ("county" or a township code), note shown by `make run`
DEMO_USERS = (
    ("office", "郑主任（演示）", "office", "county", "项目办：全部业务"),
    ("finance", "财政局审核员（演示）", "finance", "county", "财政局：审批拨付（需双因素认证）"),
    ("poverty", "扶贫办（演示）", "poverty_office", "county", "扶贫办"),
    ("training", "人社局（演示）", "training_bureau", "county", "人社局/团市委/科协"),
    ("postal", "邮政办（演示）", "postal", "county", "邮政办"),
    ("market", "市场监管局（演示）", "market_regulation", "county", "市场监管局"),
    ("agri", "农业农村局（演示）", "agriculture", "county", "农业农村局"),
    ("bank", "农商行（演示）", "bank", "county", "农商行"),
    ("hongyang", "洪阳镇干部（演示）", "township", DEMO_TOWNSHIP, "乡镇：仅洪阳镇"),
    ("zhanzhang", "洪阳镇站长（演示）", "station_operator", DEMO_TOWNSHIP, "站长：仅本站（手机页面）"),
    ("contractor", "承办单位（演示）", "contractor", "county", "承办单位：仅本单位合同"),
    ("trainer", "培训机构（演示）", "training_provider", "county", "培训机构：仅本机构培训"),
    ("evaluator", "第三方评估（演示）", "evaluator", "county", "第三方评估：只读"),
    ("sysadmin", "系统管理员（演示）", "sysadmin", "county", "系统管理员（需双因素认证）"),
    ("secadmin", "安全管理员（演示）", "secadmin", "county", "安全管理员（需双因素认证）"),
    ("auditadmin", "审计管理员（演示）", "auditadmin", "county", "审计管理员（需双因素认证）"),
)
DEMO_ORGANISATIONS = {
    "contractor": ("普宁市村通电商运营有限公司（演示）", Organisation.Kind.CONTRACTOR),
    "training_provider": ("普宁市电商职业培训学校（演示）", Organisation.Kind.TRAINING_PROVIDER),
}


@demo_step(40, "演示账号")
def create_users(context):
    programme = context.programme
    county = programme.county
    township = Area.objects.current().get(code=DEMO_TOWNSHIP)
    roles = {role.code: role for role in Role.objects.all()}
    for username, display_name, role_code, scope, _note in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, display_name=display_name, password_changed_at=timezone.now())
            user.set_password(DEMO_PASSWORD)
            user.save()
        organisation = None
        if role_code in DEMO_ORGANISATIONS:
            name, kind = DEMO_ORGANISATIONS[role_code]
            organisation, _created = Organisation.objects.get_or_create(
                programme=programme, name=name, defaults={"kind": kind, "area": county}
            )
        Membership.objects.get_or_create(
            user=user,
            role=roles[role_code],
            area=county if scope == "county" else township,
            defaults={"organisation": organisation, "note": "演示数据"},
        )
