"""Sending: a reminder through the console and the inbox, retries with back-off recorded attempt by attempt,
preferences, dedupe, the webhook and SMS formats, and phones masked wherever a delivery is recorded or logged."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import urllib.parse

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from cuntong.core.actors import SYSTEM
from cuntong.notify import registry, services
from cuntong.notify.channels import dingtalk_sign
from cuntong.notify.models import Delivery, DeliveryAttempt, Message, Preference
from cuntong.notify.registry import Kind
from cuntong.web.testing import frozen_clock, make_user, puning_time

PHONE = "13812345678"
FLAKY = registry.register(Kind("notify.flaky_test", "flaky test", ("inbox", "flaky")))
ROBOTS = registry.register(Kind("notify.robot_test", "robot test", ("inbox", "wecom", "dingtalk")))
SMS = registry.register(Kind("notify.sms_test", "sms test", ("inbox", "sms")))


@pytest.fixture
def user(base_data):
    return make_user("notified", "township", "445281104", phone=PHONE, email="notified@example.gov.cn")


def remind(user, kind=registry.REMINDER.code, **kwargs):
    return services.notify(
        kind, [user], "请填报五月月报", "截止 6 月 5 日。联系 13812345678", "/stations/", actor=SYSTEM, **kwargs
    )


def test_a_reminder_reaches_the_inbox_and_the_console(
    user, notify_settings, capsys, django_capture_on_commit_callbacks
):
    with frozen_clock("2024-06-01"), django_capture_on_commit_callbacks(execute=True):
        notification = remind(user)
    message = Message.objects.get(recipient=user)
    assert message.notification == notification and message.read_at is None
    assert services.unread_count(user) == 1
    out = capsys.readouterr().out
    assert "[notify] notify.reminder → notified: 请填报五月月报" in out
    assert "https://cuntong.example.gov.cn/stations/" in out  # links made absolute for outbound channels
    assert PHONE not in out and "138****5678" in out  # the console masks what the body carries
    by_channel = {d.channel: d for d in notification.deliveries.all()}
    # the reminder's defaults are inbox, email, sms, console: e-mail is on, SMS is not configured here
    assert set(by_channel) == {"inbox", "console", "email"}
    for delivery in by_channel.values():
        assert delivery.status == Delivery.Status.SENT and delivery.attempts == 1
        assert delivery.sent_at == puning_time("2024-06-01")
    assert [a.outcome for a in by_channel["console"].attempt_log.all()] == ["sent"]
    assert mail.outbox[0].to == ["notified@example.gov.cn"] and "请填报五月月报" in mail.outbox[0].subject
    assert by_channel["email"].address == "n***@example.gov.cn"


def test_nothing_is_sent_for_a_rolled_back_change(user, notify_settings, capsys, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        remind(user)
        transaction.set_rollback(True)
    assert callbacks == [] and not Message.objects.exists() and "[notify]" not in capsys.readouterr().out


def test_a_failing_channel_is_retried_with_back_off_and_every_attempt_recorded(
    user, flaky, django_capture_on_commit_callbacks, caplog
):
    flaky.failures = 99
    with frozen_clock("2024-06-01T10:00"), django_capture_on_commit_callbacks(execute=True):
        remind(user, FLAKY.code)
    delivery = Delivery.objects.get(channel="flaky")
    assert delivery.status == Delivery.Status.RETRYING and delivery.attempts == 1
    assert delivery.next_attempt_at == puning_time("2024-06-01T10:01")  # 60 s after the first failure
    with frozen_clock("2024-06-01T10:00:59"):
        assert services.send_due()["attempted"] == 0  # not yet due
    with frozen_clock("2024-06-01T10:01"):
        assert services.send_due() == {"attempted": 1, "sent": 0, "retrying": 1, "failed": 0}
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.next_attempt_at == puning_time("2024-06-01T10:03")  # then 120 s
    with frozen_clock("2024-06-01T10:03"):
        assert services.send_due()["failed"] == 1  # the third attempt is the last (max_attempts 3)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED and delivery.next_attempt_at is None
    assert delivery.error == "gateway down for 138****5678"  # recorded, masked
    log = list(delivery.attempt_log.values_list("number", "outcome", "at", "retry_at"))
    assert log == [
        (1, "retry", puning_time("2024-06-01T10:00"), puning_time("2024-06-01T10:01")),
        (2, "retry", puning_time("2024-06-01T10:01"), puning_time("2024-06-01T10:03")),
        (3, "failed", puning_time("2024-06-01T10:03"), None),
    ]
    assert all(a.error == "gateway down for 138****5678" for a in delivery.attempt_log.all())
    assert len(flaky.calls) == 3
    with frozen_clock("2024-06-02"):
        assert services.send_due()["attempted"] == 0  # failed stays failed
    assert PHONE not in caplog.text
    inbox = Delivery.objects.get(channel="inbox")
    assert inbox.status == Delivery.Status.SENT  # the inbox got it whatever the other channel did


def test_a_retry_that_succeeds_is_sent(user, flaky, django_capture_on_commit_callbacks):
    flaky.failures = 1
    with frozen_clock("2024-06-01T10:00"), django_capture_on_commit_callbacks(execute=True):
        remind(user, FLAKY.code)
    with frozen_clock("2024-06-01T10:01"):
        services.send_due()
    delivery = Delivery.objects.get(channel="flaky")
    assert (delivery.status, delivery.attempts, delivery.error) == ("sent", 2, "")
    assert delivery.sent_at == puning_time("2024-06-01T10:01")
    assert list(delivery.attempt_log.values_list("outcome", flat=True)) == ["retry", "sent"]


def test_an_abandoned_claim_is_taken_up_again_after_its_lease(user, flaky, django_capture_on_commit_callbacks):
    with frozen_clock("2024-06-01T10:00"):
        remind(user, FLAKY.code)  # not committed: the worker never ran
        delivery = Delivery.objects.get(channel="flaky")
        Delivery.objects.filter(pk=delivery.pk).update(
            status="sending", next_attempt_at=puning_time("2024-06-01T10:00") + services.LEASE
        )
        assert services.send_due()["attempted"] == 0  # another worker holds it
    with frozen_clock("2024-06-01T10:15"):
        assert services.send_due()["sent"] == 1


def test_no_address_fails_at_once_without_retrying(base_data, notify_settings, django_capture_on_commit_callbacks):
    nobody = make_user("no-email", "township", "445281104")
    Preference.objects.create(user=nobody, kind=registry.REMINDER.code, channels=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        remind(nobody)
    delivery = Delivery.objects.get(channel="email")
    assert (delivery.status, delivery.attempts, delivery.address) == ("failed", 1, "")
    assert delivery.error == "接收人在该渠道没有地址。"


def test_preferences_choose_the_channels(user, notify_settings, django_capture_on_commit_callbacks):
    services.save_preferences(user, {registry.REMINDER.code: ["email"]})
    assert services.preferences(user)[registry.REMINDER.code] == ("inbox", "email")
    with django_capture_on_commit_callbacks(execute=True):
        remind(user)
    assert set(Delivery.objects.values_list("channel", flat=True)) == {"inbox", "email"}  # no console
    services.save_preferences(user, {registry.REMINDER.code: []})
    with django_capture_on_commit_callbacks(execute=True):
        remind(user)
    assert (
        Delivery.objects.filter(channel="inbox").count() == 2 and Delivery.objects.filter(channel="email").count() == 1
    )


def test_preferences_refuse_channels_not_offered(user, notify_settings):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.save_preferences(user, {registry.REMINDER.code: ["sms"]})  # no gateway configured
    with pytest.raises(KeyError):
        services.save_preferences(user, {"no.such_kind": []})


def test_one_reminder_per_recipient_key_and_period(user, base_data, notify_settings):
    other = make_user("other-notified", "township", "445281104")
    with frozen_clock("2024-06-03T09:00"):
        first = remind(user, dedupe_key="report:2024-05", dedupe_period="day")
        assert remind(user, dedupe_key="report:2024-05", dedupe_period="day") is None
        both = services.notify(
            registry.REMINDER.code,
            [user, other],
            "again",
            actor=SYSTEM,
            dedupe_key="report:2024-05",
            dedupe_period="day",
        )
    assert first is not None and list(both.messages.values_list("recipient", flat=True)) == [other.pk]
    with frozen_clock("2024-06-04T09:00"):
        assert remind(user, dedupe_key="report:2024-05", dedupe_period="day") is not None  # a new day
    assert Message.objects.filter(recipient=user).count() == 2
    assert remind(user) is not None and remind(user) is not None  # without a key nothing is deduplicated


def test_notify_names_its_actor_and_kind(user):
    with pytest.raises(PermissionDenied):
        services.notify(registry.REMINDER.code, [user], "x", actor=None)
    with pytest.raises(KeyError):
        services.notify("no.such_kind", [user], "x", actor=SYSTEM)
    assert services.notify(registry.REMINDER.code, [], "x", actor=SYSTEM) is None


def test_robots_post_their_documented_formats_once_per_notification(
    base_data, notify_settings, gateway, django_capture_on_commit_callbacks
):
    notify_settings.update(
        channels=["wecom", "dingtalk"],
        wecom_webhook=f"{gateway.url}/cgi-bin/webhook/send?key=abc",
        dingtalk_webhook=f"{gateway.url}/robot/send?access_token=xyz",
        dingtalk_secret="SECtest",
    )
    users = [make_user(f"robot-{n}", "township", "445281104") for n in range(3)]
    with frozen_clock("2024-06-01"), django_capture_on_commit_callbacks(execute=True):
        services.notify(ROBOTS.code, users, "站点告警", "温度过高", "/stations/", actor=SYSTEM)
    wecom, dingtalk = sorted(gateway.requests, key=lambda r: r["path"])  # /cgi-bin/… before /robot/…
    assert wecom["path"] == "/cgi-bin/webhook/send?key=abc"
    assert wecom["json"]["msgtype"] == "markdown"
    assert wecom["json"]["markdown"]["content"].startswith("### 站点告警\n\n温度过高")
    assert "[查看 View](https://cuntong.example.gov.cn/stations/)" in wecom["json"]["markdown"]["content"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(dingtalk["path"]).query)
    assert query["access_token"] == ["xyz"]
    timestamp = query["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(b"SECtest", f"{timestamp}\nSECtest".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected] == [dingtalk_sign("SECtest", timestamp)]
    assert dingtalk["json"]["markdown"]["title"] == "站点告警"
    robots = Delivery.objects.filter(channel__in=["wecom", "dingtalk"])
    assert robots.count() == 2 and {d.recipient_id for d in robots} == {None}
    assert {d.status for d in robots} == {"sent"}


def test_a_robot_error_code_is_a_failure(base_data, notify_settings, gateway, django_capture_on_commit_callbacks):
    notify_settings.update(channels=["wecom"], wecom_webhook=f"{gateway.url}/send?key=abc")
    gateway.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(ROBOTS.code, [make_user("r", "township", "445281104")], "x", actor=SYSTEM)
    delivery = Delivery.objects.get(channel="wecom")
    assert delivery.status == "retrying" and delivery.error == "wecom: errcode 93000 invalid webhook url"


def test_sms_goes_to_the_gateway_signed_and_is_logged_masked(
    user, notify_settings, gateway, django_capture_on_commit_callbacks, caplog
):
    notify_settings.update(
        channels=["sms"],
        sms_url=f"{gateway.url}/sms",
        sms_template="SMS_001",
        sms_sign="村通",
        sms_key="k1",
        sms_secret="s3cret",
    )
    gateway.answer = {"code": "OK"}
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(SMS.code, [user], "请填报月报", actor=SYSTEM, link="/stations/")
    (sent,) = gateway.requests
    assert sent["json"]["phone"] == PHONE  # the gateway needs it plain …
    assert sent["json"]["template"] == "SMS_001" and sent["json"]["params"]["subject"] == "请填报月报"
    headers = {k.lower(): v for k, v in sent["headers"].items()}
    assert headers["x-api-key"] == "k1"
    delivery = Delivery.objects.get(channel="sms")
    assert delivery.status == "sent" and delivery.address == "138****5678"  # … the record never has it
    gateway.status, gateway.answer = 500, {"message": f"bad number {PHONE}"}
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(SMS.code, [user], "again", actor=SYSTEM)
    failed = Delivery.objects.filter(channel="sms").order_by("-pk").first()
    assert failed.status == "retrying" and failed.error.startswith("HTTP 500 from 127.0.0.1")
    assert PHONE not in caplog.text
    stored = list(Delivery.objects.values_list("address", "error")) + list(DeliveryAttempt.objects.values_list("error"))
    assert PHONE not in repr(stored)


def test_the_sms_signature(notify_settings, gateway, base_data, django_capture_on_commit_callbacks):
    notify_settings.update(channels=["sms"], sms_url=f"{gateway.url}/sms", sms_secret="s3cret")
    gateway.answer = {"code": 0}
    user = make_user("signed", "township", "445281104", phone=PHONE)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(SMS.code, [user], "x", actor=SYSTEM)
    import json

    (sent,) = gateway.requests
    headers = {k.lower(): v for k, v in sent["headers"].items()}
    body = json.dumps(sent["json"], ensure_ascii=False).encode()
    expected = hmac.new(b"s3cret", headers["x-timestamp"].encode() + b"\n" + body, hashlib.sha256).hexdigest()
    assert headers["x-signature"] == expected


def test_the_file_backend_writes_one_json_line(user, notify_settings, tmp_path, django_capture_on_commit_callbacks):
    import json

    notify_settings.update(channels=["file"], file_path=str(tmp_path / "outbox.jsonl"))
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(registry.TEST.code, [user], "文件测试", "电话 13812345678", actor=SYSTEM)
    (line,) = (tmp_path / "outbox.jsonl").read_text().splitlines()
    assert json.loads(line)["subject"] == "文件测试" and json.loads(line)["body"] == "电话 138****5678"


def test_the_command_sends_what_is_due(user, flaky, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    flaky.failures = 1
    with frozen_clock("2024-06-01T10:00"), django_capture_on_commit_callbacks(execute=True):
        remind(user, FLAKY.code)
    out = StringIO()
    with frozen_clock("2024-06-01T10:05"):
        call_command("notify", "send", stdout=out)
    assert out.getvalue().strip() == "attempted 1, sent 1, retrying 0, failed 0"
    assert datetime.timedelta(0) < Delivery.objects.get(channel="flaky").sent_at - puning_time("2024-06-01T10:00")
