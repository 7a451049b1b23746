"""Training's notifications. Trainees hold no user account, so reminders reach the staff who look after a session
(its township's and provider's people who may record its attendance), who pass them on to the trainees named in
the message; follow-ups that fall due reach the staff of the trainee's township."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cuntong.accounts.models import User
from cuntong.notify import services as notify
from cuntong.notify.registry import Kind, register
from cuntong.notify.rules import INBOX

from . import policies

SESSION_REMINDER = register(
    Kind(
        "training.session_reminder",
        _lazy("培训开班提醒"),
        (INBOX, "sms", "console"),
        _lazy("培训班所在乡镇和培训机构的工作人员（转告报名学员）"),
        order=40,
    )
)
FOLLOW_UP_DUE = register(
    Kind(
        "training.follow_up_due",
        _lazy("培训跟踪回访到期提醒"),
        (INBOX, "console"),
        _lazy("学员所在乡镇的工作人员"),
        order=41,
    )
)


def session_staff(session) -> list[User]:
    """Active users who may record the session's attendance: members whose area holds the venue, or members of the
    provider's organisation."""
    code = session.area.code
    prefixes = {code[:n] for n in (6, 9, 12) if len(code) >= n}
    near = Q(memberships__area__code__in=prefixes)
    if session.provider.organisation_id:
        near |= Q(memberships__organisation_id=session.provider.organisation_id)
    candidates = User.objects.filter(near, is_active=True, memberships__is_active=True).distinct().order_by("pk")
    return [user for user in candidates if policies.may_record_attendance(user, session)]


def remind_session(user, session, *, note: str = "") -> int:
    """Remind the session's staff (and through them its trainees) of the session's days; once a day."""
    policies.require_record_attendance(user, session)
    staff = session_staff(session)
    days = "、".join(f"{d:%m-%d}" for d in session.days.values_list("date", flat=True))
    subject = _("培训提醒：%(t)s（%(d)s）") % {"t": session.title, "d": days}
    body = _("请通知报名学员按时参加，地点：%(v)s。%(n)s") % {"v": session.venue or session.area.name, "n": note}
    sent = notify.notify(
        SESSION_REMINDER.code,
        staff,
        subject,
        body,
        reverse("training:session_detail", args=[session.pk]),
        actor=user,
        programme=session.programme,
        area=session.area,
        dedupe_key=f"session:{session.pk}",
        dedupe_period="day",
    )
    return len(staff) if sent else 0


def remind_follow_ups(actor, programme, follow_ups) -> int:
    """Tell each township's staff how many follow-ups of its trainees are due (the daily reminder run)."""
    by_area: dict = {}
    for follow_up in follow_ups.select_related("trainee__village__parent"):
        village = follow_up.trainee.village
        if village is not None:
            by_area.setdefault(village.parent, []).append(follow_up)
    told = 0
    for township, rows in by_area.items():
        staff = User.objects.filter(
            is_active=True, memberships__is_active=True, memberships__area__code=township.code
        ).distinct()
        staff = [u for u in staff if u.has_perm("training.change_followup")]
        subject = _("%(n)d 名学员的跟踪回访已到期") % {"n": len(rows)}
        if notify.notify(
            FOLLOW_UP_DUE.code,
            staff,
            subject,
            "",
            reverse("training:follow_up_list") + "?overdue=true",
            actor=actor,
            programme=programme,
            area=township,
            dedupe_key=f"follow-ups:{township.code}",
            dedupe_period="week",
        ):
            told += len(staff)
    return told
