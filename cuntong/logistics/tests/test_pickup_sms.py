"""The pickup code reaches the recipient by SMS (短信) when the parcel reaches its station (notify.send_to_phone):
sent once the step commits, through the configured channel (here the file backend, standing in for the gateway),
recorded with the number masked and without the code; nothing for a parcel without a phone number."""

import json

import pytest

from cuntong.core.actors import SYSTEM
from cuntong.logistics import pickup, services
from cuntong.notify import channels
from cuntong.notify.models import Delivery, Notification
from cuntong.stations.tests.factories import make_station
from cuntong.web.testing import HONGYANG, frozen_clock, programme

from .factories import at_station, outlet

VILLAGE = f"{HONGYANG}201"


@pytest.fixture
def outbox(base_data, settings, tmp_path):
    path = tmp_path / "outbox.jsonl"
    settings.NOTIFY = {**channels.DEFAULTS, "channels": ["file"], "file_path": str(path)}
    make_station(VILLAGE, name="短信测试服务点")
    return path


@frozen_clock("2020-05-05T09:00")
def test_the_recipient_gets_the_code_by_sms_and_the_log_keeps_neither(outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        parcel, code = at_station("ZT7001", HONGYANG, VILLAGE)
    (line,) = [json.loads(row) for row in outbox.read_text().splitlines()]
    assert line["kind"] == "logistics.pickup_code" and line["to"] == "138****1234"
    assert line["subject"].startswith(f"取件码 {pickup.display(code)}：") and "短信测试服务点" in line["subject"]
    assert "尾号 7001" in line["subject"] and "2020-05-12 前" in line["subject"]
    delivery = Delivery.objects.get(notification__kind="logistics.pickup_code")
    assert delivery.status == Delivery.Status.SENT and delivery.channel == "file"
    assert delivery.address == "138****1234" and delivery.recipient is None and delivery.attempts == 1
    subject = delivery.notification.subject
    assert code not in subject and pickup.display(code) not in subject and "********" in subject
    assert delivery.notification.programme == programme() and delivery.notification.area.code == HONGYANG
    assert "13800001234" not in json.dumps(list(Notification.objects.values()), default=str)
    # The code texted is the one the station accepts.
    assert services.hand_over(parcel.station, code, user=SYSTEM).waybill == "ZT7001"


def test_nothing_is_sent_without_a_phone_number(outbox, django_capture_on_commit_callbacks):
    rows = [services.ManifestRow("ZT7002", HONGYANG, VILLAGE, 500, "")]
    services.announce(outlet(), rows, user=SYSTEM)
    with django_capture_on_commit_callbacks(execute=True):
        for step in ("arrive", "sort", "deliver"):
            services.run_step(programme(), ["ZT7002"], step, user=SYSTEM)
    assert not outbox.exists() and not Delivery.objects.filter(notification__kind="logistics.pickup_code").exists()


def test_nothing_is_sent_before_the_step_commits(outbox):
    at_station("ZT7003", HONGYANG, VILLAGE)  # the test's transaction never commits
    assert not outbox.exists()
    assert Delivery.objects.get(notification__kind="logistics.pickup_code").status == Delivery.Status.SENDING
