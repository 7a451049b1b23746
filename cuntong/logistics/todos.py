"""Logistics' to-dos: the postal administration's monthly volumes falling due, and parcels past their holding
period (for the keeper of the station, and for county-centre staff)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cuntong.core.todo import Todo, todo_provider

from . import policies, rules, services
from .models import Parcel


@todo_provider("logistics.volumes")
def volumes_due(user, programme):
    """Last month's volumes not yet in, for those who enter them county-wide."""
    county = programme.county.code
    if not any(county.startswith(code) for code in policies.volume_areas(user)):
        return []
    due = services.volume_due(programme, timezone.localdate())
    if not due.missing:
        return []
    title = _("%(month)s 快递业务量未报送（乡镇）") % {"month": rules.month_label(due.month)}
    url = reverse("logistics:volume_list") + f"?month={rules.month_label(due.month)}"
    return [Todo(title, len(due.missing), url, due=due.due_on)]


@todo_provider("logistics.overdue_parcels")
def overdue_parcels(user, programme):
    today = timezone.localdate()
    if policies.may_run_steps(user):  # county-centre staff: every overdue parcel in their scope
        staff = services.overdue_parcels(Parcel.objects.restrict(user, "change").in_programme(programme), today)
        count = staff.count()
        url = reverse("logistics:parcel_list") + f"?status={rules.AT_STATION}"
        return [Todo(_("超过保管期未取的包裹"), count, url, urgent=True)] if count else []
    if not user.has_perm(policies.HAND_OVER):
        return []
    count = services.overdue_parcels(policies.keeper_parcels(user).filter(programme=programme), today).count()
    return (
        [Todo(_("超过保管期的包裹（退回快递公司）"), count, reverse("logistics:keeper"), urgent=True)] if count else []
    )
