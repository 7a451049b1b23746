"""Funds' to-dos: disbursement requests waiting for the user's review, approval or payment, and appeals the user
may decide, by their deadline. Who may act is ``policies``' decision, the same the request and appeal pages use."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cuntong.core.todo import Todo, todo_provider

from . import policies
from .models import Appeal, DisbursementRequest

QUEUE_TITLES = {
    "review": _("待审核的拨付申请"),
    "approve": _("待批准的拨付申请"),
    "pay": _("待拨付的拨付申请"),
}


def _list_or_record(records, list_name: str, **query) -> str:
    """One record's own page, or the list of its kind (filtered by ``query``) when there are several."""
    if len(records) == 1:
        return records[0].get_absolute_url()
    return f"{reverse(list_name)}?{urlencode(query)}" if query else reverse(list_name)


@todo_provider("funds.requests")
def requests_awaiting(user, programme):
    waiting = policies.requests_awaiting(user, DisbursementRequest.objects.filter(programme=programme))
    items = []
    for action, requests in waiting.items():
        if requests:  # each step starts from one status: the list filtered by it shows the step's queue
            url = _list_or_record(requests, "funds:request_list", status=requests[0].status)
            items.append(Todo(QUEUE_TITLES[action], len(requests), url))
    return items


@todo_provider("funds.appeals")
def appeals_to_decide(user, programme):
    appeals = policies.appeals_to_decide(user, Appeal.objects.filter(programme=programme))
    if not appeals:
        return []
    return [
        Todo(_("待处理的申诉"), len(appeals), _list_or_record(appeals, "funds:appeal_list"), due=appeals[0].deadline)
    ]
