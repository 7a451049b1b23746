"""Across apps: a decision on a disbursement request reaches its submitter through ``notify`` (inbox and chosen
channels), sent only once the decision commits."""

from cuntong.funds import services as funds_services
from cuntong.funds.tests.factories import Cast, contract, milestone_request
from cuntong.notify import services as notify_services
from cuntong.notify.models import Delivery, Message
from cuntong.web.testing import login


def test_the_submitter_hears_of_a_decision(base_data, settings, capsys, django_capture_on_commit_callbacks):
    settings.NOTIFY = {**settings.NOTIFY, "channels": ["console"]}
    cast = Cast()
    request = milestone_request(cast.contractor, contract(cast.office, number=1), 1, purpose="通知测试付款")
    with django_capture_on_commit_callbacks(execute=True):
        funds_services.decide(cast.office, request, "return", reason="发票抬头有误")
    message = Message.objects.select_related("notification").get(recipient=cast.contractor)
    notification = message.notification
    assert notification.kind == "funds.request_decided" and notification.programme_id == request.programme_id
    assert request.code in notification.subject and notification.body == "发票抬头有误"
    assert notification.link == request.get_absolute_url() and notification.actor == cast.office
    assert notify_services.unread_count(cast.contractor) == 1
    assert "[notify] funds.request_decided → contractor1" in capsys.readouterr().out
    assert set(Delivery.objects.values_list("channel", "status")) == {("inbox", "sent"), ("console", "sent")}
    # the contractor opens it from the inbox and lands on the request
    client = login(cast.contractor)
    assert request.code in client.get("/notify/").content.decode()
    opened = client.post("/notify/read/", {"message": message.pk, "next": notification.link})
    assert opened["Location"] == request.get_absolute_url()
    assert client.get(opened["Location"]).status_code == 200
    assert not Message.objects.filter(recipient__in=[cast.office, cast.finance]).exists()  # only the submitter
