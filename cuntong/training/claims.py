"""Training's claims on the funds (``core.claims``): a provider's contract is paid per session (the session is its
milestone), the session's attendance record and photos its evidence. Each month, every session that ended that month
claims its payment, priced by ``rules.session_payment`` at the plan's rate per person-time of its level. The plan pays
the two levels from two sub-items of 项目5 (普及型培训, 提升型培训), and a batch is paid from one sub-item, so there is
one source per level, bound by ``rules.funds.training_session.<level>``. The facts of a claim are the session's level,
days, person-times, persons and whether photos are attached to it; a session without attendance or photos is paid
nothing and told why. Funds builds, shows and approves the batches; training never imports funds."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from cuntong.attachments.models import Attachment
from cuntong.core import claims

from . import rules
from .models import Attendance, Level, Session, SessionDay


def _month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def session_claim(
    session_id: int,
    name: str,
    level: str,
    days: int,
    person_times: int,
    persons: int,
    has_photos: bool,
    area_code: str = "",
) -> claims.Claim:
    """One session as a claim: what ``rules.session_payment`` prices."""
    facts = {"level": level, "days": days, "person_times": person_times, "persons": persons, "has_photos": has_photos}
    return claims.Claim(session_id, name, facts, area_code=area_code)


def sessions_of_month(programme, month: datetime.date, level: str):
    """The sessions of ``level`` that ended in ``month``, with their attendance figures and photo evidence."""
    first, last = _month_bounds(month)
    sessions = list(
        Session.objects.filter(
            programme=programme, course__level=level, end_date__gte=first, end_date__lte=last
        ).select_related("area")
    )
    ids = [s.pk for s in sessions]
    days = dict(
        SessionDay.objects.filter(session_id__in=ids)
        .values("session_id")
        .annotate(n=Count("pk"))
        .values_list("session_id", "n")
    )
    present = Attendance.objects.filter(day__session_id__in=ids).values("day__session_id")
    # One Attendance is one person-time (unique per session day and trainee).
    times = dict(present.annotate(n=Count("pk")).values_list("day__session_id", "n"))
    people = dict(present.annotate(n=Count("trainee_id", distinct=True)).values_list("day__session_id", "n"))
    photographed = {
        int(a.object_id)
        for a in Attachment.objects.filter(
            content_type=ContentType.objects.get_for_model(Session, for_concrete_model=False),
            object_id__in=[str(pk) for pk in ids],
        ).only("object_id", "mime_type")
        if a.is_image
    }
    for session in sessions:
        yield session_claim(
            session.pk,
            str(session),
            level,
            days.get(session.pk, 0),
            times.get(session.pk, 0),
            people.get(session.pk, 0),
            session.pk in photographed,
            session.area.code,
        )


def _source(level: str, label) -> claims.ClaimSource:
    return claims.register(
        claims.ClaimSource(
            code=f"training_session_{level}",
            kind=claims.COST,
            label=label,
            plan_rule=f"funds.training_session.{level}",
            subject_model="training.session",
            collect=lambda programme, month: sessions_of_month(programme, month, level),
            price=rules.session_payment,
            facts=(
                claims.Fact("level", _("层级"), choices=dict(Level.choices)),
                claims.Fact("days", _("培训天数"), "number"),
                claims.Fact("person_times", _("培训人次"), "number"),
                claims.Fact("persons", _("培训人数"), "number"),
                claims.Fact("has_photos", _("现场照片"), "bool"),
            ),
            subject_label=_("培训班"),
            unit=_("个培训班"),
            payee=_("各培训机构（见费用明细）"),
            reasons={
                "paid": _("按人次支付"),
                "no_attendance": _("无考勤记录"),
                "no_photos": _("无现场照片"),
                "no_rate": _("计划未规定单价"),
            },
        )
    )


INCLUSIVE_SESSIONS = _source(rules.INCLUSIVE, _("普及型培训费用"))
ADVANCED_SESSIONS = _source(rules.ADVANCED, _("提升型培训费用"))
