"""Migration 0005 keeps existing station subsidy batches: a line's station columns move into its facts under the keys
the stations' claim source writes, every existing batch becomes the ``station_subsidy`` source's, and reversing it
restores the columns."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cuntong.core import claims
from cuntong.funds import services
from cuntong.funds.models import SubsidyBatch, SubsidyLine
from cuntong.web.testing import HONGYANG, load_base_data, make_user, programme

from .stand_ins import pay_as_claimed, stand_in

BEFORE = ("funds", "0004_ledger_events_closed_snapshots_append_only")
AFTER = ("funds", "0005_claim_sources")
FACTS = {"level": "village", "status": "probation", "activity_score": "88.50", "is_benchmark": True, "amount": "500"}


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
def test_station_lines_keep_their_facts_both_ways():
    load_base_data()
    found = [claims.Claim(7, "测试甲村服务点", {**FACTS, "amount": Decimal(500)}, area_code=HONGYANG)]
    with claims.registered(stand_in(found, price=pay_as_claimed)) as source:
        batch = services.create_subsidy_batch(
            make_user("office-m", "office"), programme(), datetime.date(2020, 10, 1), claim_source=source.code
        )
    try:
        old = migrate(BEFORE).get_model("funds", "SubsidyLine")
        line = old.objects.get(batch_id=batch.pk)
        assert (line.station_id, line.station_name, line.level, line.station_status) == (
            7,
            "测试甲村服务点",
            "village",
            "probation",
        )
        assert (line.activity_score, line.is_benchmark, line.amount) == (Decimal("88.50"), True, Decimal("500.00"))
    finally:
        migrate(AFTER)
    line = SubsidyLine.objects.get(batch_id=batch.pk)
    assert (line.subject_id, line.subject_name, line.amount) == (7, "测试甲村服务点", Decimal("500.00"))
    assert line.facts == {"level": "village", "status": "probation", "activity_score": "88.50", "is_benchmark": True}
    assert SubsidyBatch.objects.get(pk=batch.pk).claim_source == "station_subsidy"
