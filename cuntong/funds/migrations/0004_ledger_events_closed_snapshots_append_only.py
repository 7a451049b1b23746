"""Ledger event kinds become a closed set (choices and a check constraint), and the daily head snapshots are
protected like the entries. The hand-written triggers of 0002 give way to the same triggers declared on both models
(django-pgtrigger), so entries and snapshots share one declaration; reversing reinstalls 0002's.
"""

import importlib

import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models


HAND_WRITTEN = importlib.import_module("cuntong.funds.migrations.0002_ledger_append_only_triggers")


class Migration(migrations.Migration):

    dependencies = [
        ('funds', '0003_contract_termination'),
        ('programme', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(HAND_WRITTEN.remove, HAND_WRITTEN.install, elidable=False),
        migrations.AlterField(
            model_name='ledgerentry',
            name='event',
            field=models.CharField(choices=[('budget_set', '预算下达'), ('budget_removed', '预算撤销'), ('contract_created', '合同登记'), ('contract_signed', '合同签订'), ('contract_amended', '合同变更'), ('contract_terminated', '合同终止'), ('request_submitted', '提交拨付申请'), ('request_resubmitted', '修改后重新提交'), ('request_reviewed', '项目办审核通过'), ('request_returned', '退回修改'), ('request_rejected', '驳回'), ('request_approved', '财政局批准'), ('request_paid', '拨付'), ('request_reopened', '申诉成立，重新受理'), ('evidence_attached', '上传证据'), ('subsidy_batch_computed', '站点运营补贴核定'), ('appeal_filed', '提出申诉'), ('appeal_review_started', '申诉审查'), ('appeal_upheld', '申诉成立'), ('appeal_dismissed', '申诉驳回')], db_index=True, max_length=40, verbose_name='事件'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='ledgerentry',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'funds ledger is append-only: % refused on %', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';", hash='b36c6fc1ce79332403c61ee38caead966da02fdf', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_2c9cd', table='funds_ledgerentry', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='ledgerentry',
            trigger=pgtrigger.compiler.Trigger(name='no_truncate', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'funds ledger is append-only: % refused on %', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';", hash='91d3e1f182022fd36fc9f0c578bcc4dd66dc1d39', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_no_truncate_043d0', table='funds_ledgerentry', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='ledgersnapshot',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'funds ledger is append-only: % refused on %', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';", hash='832ff40fe8404030d81807754f95a1775ebbe0ec', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_5629c', table='funds_ledgersnapshot', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='ledgersnapshot',
            trigger=pgtrigger.compiler.Trigger(name='no_truncate', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'funds ledger is append-only: % refused on %', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';", hash='5d787c8aafa30eaad3e31414193ed4f4f2380e47', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_no_truncate_92ef5', table='funds_ledgersnapshot', when='BEFORE')),
        ),
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.CheckConstraint(condition=models.Q(('event__in', ['budget_set', 'budget_removed', 'contract_created', 'contract_signed', 'contract_amended', 'contract_terminated', 'request_submitted', 'request_resubmitted', 'request_reviewed', 'request_returned', 'request_rejected', 'request_approved', 'request_paid', 'request_reopened', 'evidence_attached', 'subsidy_batch_computed', 'appeal_filed', 'appeal_review_started', 'appeal_upheld', 'appeal_dismissed'])), name='funds_ledger_event_known'),
        ),
    ]
