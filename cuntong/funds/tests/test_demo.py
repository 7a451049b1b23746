"""The demo's fund records: contracts with milestones, requests in every state, an appeal and their ledger entries,
marked as demo data, the same every time, and unchanged by a second run."""

from cuntong.accounts.demo import create_users
from cuntong.audit.context import acting_as
from cuntong.core.demo import STEPS, DemoContext
from cuntong.funds import ledger
from cuntong.funds.demo import create_fund_records
from cuntong.funds.models import Appeal, Contract, DisbursementRequest, LedgerEntry
from cuntong.web.testing import programme


def snapshot():
    return {
        "contracts": list(Contract.objects.order_by("number").values_list("number", "status", "amount", "is_demo")),
        "requests": list(DisbursementRequest.objects.order_by("pk").values_list("status", "amount", "is_demo")),
        "appeals": list(Appeal.objects.values_list("status", "is_demo")),
        "events": list(LedgerEntry.objects.order_by("seq").values_list("event", "amount", "actor_name")),
    }


def run():
    context = DemoContext(programme=programme())
    with acting_as(None, via="demo"):
        create_users(context)
        create_fund_records(context)


def test_demo_fund_records(base_data):
    assert [s.order for s in STEPS if s.run is create_fund_records] == [60]  # after the demo users (40)
    run()
    first = snapshot()
    statuses = {status for status, _amount, _demo in first["requests"]}
    assert statuses == {"submitted", "returned", "reviewed", "approved", "paid", "rejected"}
    assert all(demo for *_rest, demo in first["contracts"] + first["requests"] + first["appeals"])
    assert all("演示" in title for title in Contract.objects.values_list("title", flat=True))
    assert {c.milestones.count() for c in Contract.objects.all()} == {4}
    assert first["appeals"] == [("under_review", True)]
    assert {"contract_signed", "request_paid", "appeal_filed", "evidence_attached"} <= {e for e, *_ in first["events"]}
    assert ledger.verify().ok
    run()
    assert snapshot() == first
