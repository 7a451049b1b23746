"""Training to-dos: session days gone by with no attendance recorded, and follow-ups due."""

import datetime

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cuntong.core.todo import Todo, todo_provider

from . import services
from .models import FollowUp, Session, SessionDay


@todo_provider("training.attendance")
def attendance_missing(user, programme):
    if not user.has_perm("training.add_attendance"):
        return []
    today = timezone.localdate()
    sessions = Session.objects.restrict(user, "change").filter(programme=programme)
    waiting = (
        SessionDay.objects.filter(session__in=sessions, date__lte=today)
        .annotate(present=Count("attendances"))
        .filter(present=0)
        .order_by("date")
    )
    days = list(waiting.values("pk", "session_id", "date")[:50])
    if not days:
        return []
    first = days[0]
    url = f"{reverse('training:session_attendance', args=[first['session_id']])}?day={first['pk']}"
    return [Todo(_("培训日未登记考勤"), len(days), url, due=first["date"])]


@todo_provider("training.follow_ups")
def follow_ups_due(user, programme):
    if not user.has_perm("training.change_followup"):
        return []
    rows = FollowUp.objects.restrict(user, "change").filter(trainee__programme=programme, done_on__isnull=True)
    due = rows.filter(due_date__lte=timezone.localdate() + datetime.timedelta(days=7))
    count = due.count()
    if not count:
        return []
    first = due.order_by("due_date").first()
    overdue = services.overdue_follow_ups(rows).exists()
    return [Todo(_("待跟踪回访的学员"), count, reverse("training:follow_up_list"), due=first.due_date, urgent=overdue)]
