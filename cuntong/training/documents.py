"""A session's documents: the sign-in sheet (DOCX, for printing and signing by hand), the attendance roster (XLSX)
and the per-session summary that backs a disbursement request (figures, days, photos).

The sign-in sheet is a title, the session's facts and one table row per enrolled trainee with the masked ID number
(``core.docx``). Nothing here ever reveals a personal value: names and ``str()`` of the masked fields only.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from cuntong.core.docx import docx_bytes

from .models import Attendance, Session, Trainee


def session_trainees(session: Session):
    """Everyone enrolled in or present at the session, in name order."""
    return (
        Trainee.objects.filter(
            Q(pk__in=session.enrolments.values("trainee_id"))
            | Q(pk__in=Attendance.objects.filter(day__session=session).values("trainee_id"))
        )
        .select_related("village")
        .order_by("name", "pk")
    )


def _facts(session: Session) -> list[str]:
    days = "、".join(f"{d:%Y-%m-%d}" for d in session.days.values_list("date", flat=True))
    return [
        _("培训班编号：%(v)s") % {"v": session.code},
        _("课程：%(c)s（%(l)s）") % {"c": session.course.title, "l": session.course.get_level_display()},
        _("培训机构：%(v)s") % {"v": session.provider.name},
        _("培训日期：%(v)s") % {"v": days},
        _("地点：%(v)s") % {"v": session.venue or session.area.name},
    ]


def signin_sheet_docx(session: Session) -> bytes:
    """The printable sign-in sheet: one row per trainee (masked ID number), a signature column per session day."""
    dates = list(session.days.values_list("date", flat=True))
    headers = [_("序号"), _("姓名"), _("身份证号"), _("村"), *[f"{d:%m-%d} " + _("签名") for d in dates]]
    sign_width = max(900, 5200 // max(len(dates), 1))
    widths = [700, 1400, 2600, 1500, *[sign_width] * len(dates)]
    rows = [
        [str(n), t.name, str(t.id_number or ""), t.village.name if t.village else "", *[""] * len(dates)]
        for n, t in enumerate(session_trainees(session), start=1)
    ]
    title = _("%(t)s 签到表") % {"t": session.title}
    return docx_bytes(title, _facts(session), headers, rows, widths)


def roster_sheets(session: Session):
    """The attendance roster workbook's one sheet: a row per trainee, 1/blank per day, the trainee's person-times."""
    days = list(session.days.order_by("date"))
    present = set(Attendance.objects.filter(day__session=session).values_list("trainee_id", "day_id"))
    headers = [_("姓名"), _("身份证号"), _("村"), _("学员类别"), *[f"{d.date:%Y-%m-%d}" for d in days], _("人次")]
    rows = []
    for trainee in session_trainees(session):
        marks = [1 if (trainee.pk, d.pk) in present else "" for d in days]
        rows.append(
            [
                trainee.name,
                trainee.id_number,
                trainee.village.name if trainee.village else "",
                trainee.get_category_display(),
                *marks,
                sum(1 for m in marks if m),
            ]
        )
    return [(_("考勤名册"), headers, rows)]
