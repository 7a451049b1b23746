"""``cuntong audit purge``: removes audit rows only past the retention period (never fewer than 180 days), and the
purge itself is a security event."""

import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from cuntong.audit.models import ChangeRecord, SecurityEvent
from cuntong.audit.services import log_event
from cuntong.web.testing import backdate

pytestmark = pytest.mark.usefixtures("base_data")


@pytest.mark.parametrize(("configured", "effective"), [("30", 180), ("400", 400)])
def test_retention_is_at_least_180_days_whatever_is_configured(configured, effective):
    probe = "import django; django.setup(); from django.conf import settings; print(settings.AUDIT_RETENTION_DAYS)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cuntong.settings", "CUNTONG_AUDIT_RETENTION_DAYS": configured}
    result = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert int(result.stdout) == effective, result.stderr


def test_purge_removes_only_what_is_past_retention(db, settings, capsys):
    settings.AUDIT_RETENTION_DAYS = 180
    old_event, young_event = log_event("login", username="a"), log_event("login", username="b")
    backdate(SecurityEvent, old_event.pk, 181)
    backdate(SecurityEvent, young_event.pk, 179)
    old_change, young_change = ChangeRecord.objects.order_by("pk")[:2]
    backdate(ChangeRecord, old_change.pk, 200)
    backdate(ChangeRecord, young_change.pk, 170)

    call_command("audit", "purge", "--dry-run")
    assert SecurityEvent.objects.filter(pk=old_event.pk).exists()
    call_command("audit", "purge")
    assert "removed 1 change records and 1 security events" in capsys.readouterr().out
    assert not SecurityEvent.objects.filter(pk=old_event.pk).exists()
    assert not ChangeRecord.objects.filter(pk=old_change.pk).exists()
    assert SecurityEvent.objects.filter(pk=young_event.pk).exists()
    assert ChangeRecord.objects.filter(pk=young_change.pk).exists()
    purge = SecurityEvent.objects.get(kind="purge")
    assert purge.detail["change_records"] == 1 and purge.detail["security_events"] == 1 and purge.detail["days"] == 180


def test_purge_refuses_a_shorter_period(db, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    event = log_event("login", username="a")
    backdate(SecurityEvent, event.pk, 300)
    with pytest.raises(CommandError, match="at least 365 days"):
        call_command("audit", "purge", "--days", "200")
    call_command("audit", "purge")
    assert SecurityEvent.objects.filter(pk=event.pk).exists()
    call_command("audit", "purge", "--days", "400")
    assert SecurityEvent.objects.filter(pk=event.pk).exists()
