"""Demo fund records: contracts with milestones, requests in every state, an appeal, and their ledger entries.

Everything here is generated and says so (``is_demo``, "（演示）" in titles); amounts and dates are fixed, so the
same database results every time, and a second run changes nothing.
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from cuntong.accounts.demo import DEMO_ORGANISATIONS
from cuntong.accounts.models import Organisation, User
from cuntong.core.demo import demo_step
from cuntong.core.money import wan_to_yuan
from cuntong.programme.models import BudgetAllocation, Project, SubItem

from . import services
from .models import Contract, LedgerEntry

# number, title, project, source, sub-item code, 万元, signed
CONTRACTS = (
    ("HT-DEMO-01", "本地农产品供应链展厅及管理系统建设运营（演示）", 1, "national", None, "200", True),
    ("HT-DEMO-02", "镇级电子商务服务站点升级（演示）", 4, "national", "town_stations", "50", True),
    ("HT-DEMO-03", "电子商务服务站点维护（演示）", 4, "local", "station_maintenance", "12", True),
    ("HT-DEMO-04", "普及型电子商务培训（演示）", 5, "national", "inclusive_training", "45", False),
)
# contract, milestone sequence, amount in 万元 (None: the milestone's amount), the state it is brought to, reason
REQUESTS = (
    ("HT-DEMO-01", 1, None, "paid", ""),
    ("HT-DEMO-01", 2, "40", "approved", ""),
    ("HT-DEMO-02", 1, None, "reviewed", ""),
    ("HT-DEMO-02", 2, "10", "submitted", ""),
    ("HT-DEMO-03", 1, None, "returned", "发票抬头与合同签约单位不一致，请更正后重新提交。"),
    ("HT-DEMO-02", 3, None, "rejected", "中期评估报告尚未公示，暂不具备支付条件。"),
)
PDF = "%PDF-1.4\n% 演示证据（生成数据）\n%%EOF\n".encode()


def _evidence(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + name.encode(), content_type="application/pdf")


def _bring_to(request, state: str, reason: str, office: User, finance: User) -> None:
    steps = {
        "submitted": [],
        "returned": [("return", office, {"reason": reason})],
        "reviewed": [("review", office, {})],
        "rejected": [("review", office, {}), ("reject", finance, {"reason": reason})],
        "approved": [("review", office, {}), ("approve", finance, {})],
        "paid": [
            ("review", office, {}),
            ("approve", finance, {}),
            ("pay", finance, {"voucher_number": "PN-2020-0318", "paid_on": datetime.date(2020, 7, 15)}),
        ],
    }[state]
    for action, user, extra in steps:
        request = services.decide(user, request, action, **extra)


@demo_step(60, "资金：合同、拨付、申诉与台账（演示）")
def create_fund_records(context):
    programme = context.programme
    if Contract.objects.filter(programme=programme, is_demo=True).exists():
        return
    office, finance, contractor = (User.objects.get(username=name) for name in ("office", "finance", "contractor"))
    organisation = Organisation.objects.get(programme=programme, name=DEMO_ORGANISATIONS["contractor"][0])
    # The demo programme is under way: projects 1–5 in implementation; project 6 (all local funds) not yet started,
    # so the rule that local matching funds wait for implementation can be seen refusing a request.
    for project in Project.objects.filter(programme=programme, number__lte=5, status="planned"):
        project.status = Project.Status.IN_IMPLEMENTATION
        project.save()
    contracts = {}
    for number, title, project, source, item, wan, signed in CONTRACTS:
        contract = services.save_contract(
            office,
            programme,
            Contract(
                number=number,
                title=title,
                contractor=organisation,
                allocation=BudgetAllocation.objects.get(
                    project__programme=programme, project__number=project, source=source
                ),
                sub_item=SubItem.objects.get(project__programme=programme, code=item) if item else None,
                amount=wan_to_yuan(wan),
                start_date=datetime.date(2020, 3, 1),
                end_date=datetime.date(2022, 12, 31),
                deliverables=f"{title}：按实施方案交付并运营",
            ),
            is_demo=True,
        )
        if signed:
            contract = services.sign_contract(office, contract, datetime.date(2020, 3, 10))
            services.add_evidence(office, contract, [_evidence(f"{number}-合同文本.pdf")], "contract")
        contracts[number] = contract
    rejected = None
    for index, (number, sequence, wan, state, reason) in enumerate(REQUESTS, start=1):
        milestone = contracts[number].milestones.get(sequence=sequence)
        amount = wan_to_yuan(wan) if wan else milestone.amount
        request = services.submit_request(
            contractor,
            programme,
            services.RequestInput(
                amount=amount, purpose=f"{milestone.name}：{contracts[number].title}", milestone=milestone
            ),
            [_evidence(f"演示发票-{index:02d}.pdf")],
            is_demo=True,
        )
        _bring_to(request, state, reason, office, finance)
        if state == "rejected":
            rejected = request
    entry = LedgerEntry.objects.get(request=rejected, event="request_rejected")
    appeal = services.file_appeal(
        contractor,
        entry,
        "中期评估已于2020年9月完成，公示材料已补充上传，请求撤销驳回决定。",
        files=[_evidence("中期评估公示截图（演示）.pdf")],
        is_demo=True,
    )
    services.start_appeal_review(office, appeal)
