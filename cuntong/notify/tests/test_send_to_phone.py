"""A text to a phone number that is no user (notify.send_to_phone): one delivery over the first enabled channel the
kind names that can carry it, the number masked in the log, a failure recorded (masked) and not retried."""

import pytest
from django.core.exceptions import PermissionDenied

from cuntong.core.actors import SYSTEM
from cuntong.notify import channels, registry, services
from cuntong.notify.models import Delivery, DeliveryAttempt
from cuntong.notify.registry import Kind

PHONE_KIND = registry.register(Kind("notify.phone_test", "phone test", ("sms", "console"), listed=False))


def test_the_console_backend_carries_it_masked(notify_settings, db, capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.send_to_phone(
            PHONE_KIND.code, "13912345678", "秘密 1234", "正文", recorded_subject="秘密 ****", actor=SYSTEM
        )
    out = capsys.readouterr().out
    assert "139****5678: 秘密 1234" in out and "13912345678" not in out
    delivery.refresh_from_db()
    assert delivery.channel == "console" and delivery.status == Delivery.Status.SENT
    assert delivery.address == "139****5678" and delivery.notification.subject == "秘密 ****"


def test_the_sms_gateway_gets_the_plain_number(notify_settings, db, gateway, django_capture_on_commit_callbacks):
    notify_settings.update(channels=["sms", "console"], sms_url=f"{gateway.url}/sms", sms_secret="s", sms_key="k")
    gateway.answer = {"code": "OK"}
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.send_to_phone(PHONE_KIND.code, "13912345678", "取件码 ABCD-2345", actor=SYSTEM)
    (sent,) = gateway.requests
    assert sent["json"]["phone"] == "13912345678" and sent["json"]["params"]["subject"] == "取件码 ABCD-2345"
    delivery.refresh_from_db()
    assert delivery.channel == "sms" and delivery.status == Delivery.Status.SENT


def test_a_failed_send_is_recorded_masked_and_not_retried(
    notify_settings, db, gateway, django_capture_on_commit_callbacks
):
    notify_settings.update(channels=["sms"], sms_url=f"{gateway.url}/sms", sms_secret="s", sms_key="k")
    gateway.answer = {"code": "isv.BUSINESS_LIMIT", "message": "limit for 13912345678"}
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.send_to_phone(PHONE_KIND.code, "13912345678", "x", actor=SYSTEM)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED and delivery.next_attempt_at is None
    assert "13912345678" not in delivery.error and "139****5678" in delivery.error
    assert DeliveryAttempt.objects.get(delivery=delivery).outcome == DeliveryAttempt.Outcome.FAILED
    assert services.send_due()["attempted"] == 0


def test_nothing_without_a_number_or_a_channel(notify_settings, db):
    assert services.send_to_phone(PHONE_KIND.code, "", "x", actor=SYSTEM) is None
    notify_settings.update(channels=["email"])
    assert services.send_to_phone(PHONE_KIND.code, "13912345678", "x", actor=SYSTEM) is None
    with pytest.raises(PermissionDenied):  # an actor is required
        services.send_to_phone(PHONE_KIND.code, "13912345678", "x", actor=None)
    assert not Delivery.objects.exists() and channels.enabled() == ["inbox", "email"]
