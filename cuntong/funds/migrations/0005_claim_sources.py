"""Subsidy batches come from any registered claim source (``core.claims``), not only the stations: a batch names its
source (every existing batch is the stations' ``station_subsidy``) and is unique per source and month; a line's
station becomes its subject, its operator its claimant, and the station's level, status, activity score and
benchmark flag move into the line's ``facts`` under the same keys the stations' source now writes. Reversible."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import cuntong.core.money

STATION_FACTS = ("level", "station_status", "activity_score", "is_benchmark")


def facts_from_columns(apps, schema_editor):
    SubsidyLine = apps.get_model("funds", "SubsidyLine")
    for line in SubsidyLine.objects.order_by("pk").iterator():
        line.facts = {
            "level": line.level,
            "status": line.station_status,
            "activity_score": None if line.activity_score is None else str(line.activity_score),
            "is_benchmark": line.is_benchmark,
        }
        line.save(update_fields=["facts"])


def columns_from_facts(apps, schema_editor):
    SubsidyLine = apps.get_model("funds", "SubsidyLine")
    for line in SubsidyLine.objects.order_by("pk").iterator():
        facts = line.facts or {}
        line.level = str(facts.get("level", ""))[:16]
        line.station_status = str(facts.get("status", ""))[:32]
        line.activity_score = facts.get("activity_score")
        line.is_benchmark = bool(facts.get("is_benchmark"))
        line.save(update_fields=list(STATION_FACTS))


class Migration(migrations.Migration):

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("funds", "0004_ledger_events_closed_snapshots_append_only"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="subsidybatch", name="funds_subsidy_batch_month_unique"),
        migrations.RemoveConstraint(model_name="subsidyline", name="funds_subsidy_line_station_unique"),
        migrations.AddField(
            model_name="subsidybatch",
            name="claim_source",
            field=models.CharField(
                default="station_subsidy", help_text="登记申领来源的代码", max_length=64, verbose_name="申领来源"
            ),
            preserve_default=False,
        ),
        migrations.RenameField(model_name="subsidyline", old_name="station_id", new_name="subject_id"),
        migrations.RenameField(model_name="subsidyline", old_name="station_name", new_name="subject_name"),
        migrations.RenameField(model_name="subsidyline", old_name="operator", new_name="claimant"),
        migrations.AddField(
            model_name="subsidyline",
            name="facts",
            field=models.JSONField(blank=True, default=dict, verbose_name="核定依据"),
        ),
        migrations.RunPython(facts_from_columns, columns_from_facts),
        # Defaults first, so that reversing the removals can re-add the columns to existing rows.
        migrations.AlterField(
            model_name="subsidyline", name="level", field=models.CharField(default="", max_length=16, verbose_name="层级")
        ),
        migrations.AlterField(
            model_name="subsidyline",
            name="station_status",
            field=models.CharField(default="", max_length=32, verbose_name="站点状态"),
        ),
        *(migrations.RemoveField(model_name="subsidyline", name=name) for name in STATION_FACTS),

        migrations.AlterModelOptions(
            name="subsidybatch",
            options={"ordering": ["-month", "claim_source"], "verbose_name": "补贴及费用批次", "verbose_name_plural": "补贴及费用批次"},
        ),
        migrations.AlterModelOptions(
            name="subsidyline",
            options={"ordering": ["batch", "-amount", "subject_name"], "verbose_name": "补贴及费用明细", "verbose_name_plural": "补贴及费用明细"},
        ),
        migrations.AlterField(
            model_name="disbursementrequest",
            name="kind",
            field=models.CharField(choices=[("contract", "合同付款"), ("direct", "直接支出"), ("subsidy", "补贴及费用")], max_length=16, verbose_name="类型"),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="event",
            field=models.CharField(choices=[("budget_set", "预算下达"), ("budget_removed", "预算撤销"), ("contract_created", "合同登记"), ("contract_signed", "合同签订"), ("contract_amended", "合同变更"), ("contract_terminated", "合同终止"), ("request_submitted", "提交拨付申请"), ("request_resubmitted", "修改后重新提交"), ("request_reviewed", "项目办审核通过"), ("request_returned", "退回修改"), ("request_rejected", "驳回"), ("request_approved", "财政局批准"), ("request_paid", "拨付"), ("request_reopened", "申诉成立，重新受理"), ("evidence_attached", "上传证据"), ("subsidy_batch_computed", "补贴及费用核定"), ("appeal_filed", "提出申诉"), ("appeal_review_started", "申诉审查"), ("appeal_upheld", "申诉成立"), ("appeal_dismissed", "申诉驳回")], db_index=True, max_length=40, verbose_name="事件"),
        ),
        migrations.AlterField(
            model_name="subsidyline",
            name="amount",
            field=cuntong.core.money.MoneyField(decimal_places=2, max_digits=14, verbose_name="金额（元）"),
        ),
        migrations.AlterField(
            model_name="subsidyline",
            name="claimant",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="申领人"),
        ),
        migrations.AlterField(
            model_name="subsidyline",
            name="subject_id",
            field=models.PositiveBigIntegerField(verbose_name="对象编号"),
        ),
        migrations.AlterField(
            model_name="subsidyline",
            name="subject_name",
            field=models.CharField(max_length=128, verbose_name="申领对象"),
        ),
        migrations.AddConstraint(
            model_name="subsidybatch",
            constraint=models.UniqueConstraint(fields=("programme", "claim_source", "month"), name="funds_subsidy_batch_source_month_unique"),
        ),
        migrations.AddConstraint(
            model_name="subsidyline",
            constraint=models.UniqueConstraint(fields=("batch", "subject_id"), name="funds_subsidy_line_subject_unique"),
        ),
    ]
