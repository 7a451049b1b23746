"""Stations' to-dos: the monthly reports that fall due this month and are not in yet (for those who may file them),
and dynamic-management proposals waiting for the user's decision."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cuntong.core.todo import Todo, todo_provider

from . import rules, services
from .models import ManagementProposal, ProposalStatus, Station


@todo_provider("stations.reports")
def reports_due(user, programme):
    """Last month's reports, due this month, of the stations whose report page the user may fill in."""
    if not user.has_perm("stations.add_monthlyreport"):
        return []
    month = rules.add_months(rules.month_start(timezone.localdate()), -1)
    stations = Station.objects.restrict(user, "view").in_programme(programme)
    detail = services.month_completeness(programme, month, stations)
    if not detail.missing:
        return []
    if len(detail.missing) == 1:
        url = reverse("stations:report_form", args=[detail.missing[0], f"{month:%Y-%m}"])
    else:
        url = f"{reverse('stations:completeness')}?month={month:%Y-%m}"
    title = _("%(month)s 月报未报送") % {"month": f"{month:%Y-%m}"}
    return [Todo(title, len(detail.missing), url, due=detail.due)]


@todo_provider("stations.proposals")
def proposals_waiting(user, programme):
    proposals = services.proposals_to_decide(user, ManagementProposal.objects.filter(station__programme=programme))
    count = proposals.count()
    if not count:
        return []
    url = f"{reverse('stations:proposal_list')}?status={ProposalStatus.PENDING}"
    return [Todo(_("待审定的动态管理建议"), count, url)]
