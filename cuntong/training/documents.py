"""A session's documents: the sign-in sheet (DOCX, for printing and signing by hand), the attendance roster (XLSX)
and the per-session summary that backs a disbursement request (figures, days, photos).

python-docx is not installed in this deployment, so the DOCX is written directly as WordprocessingML (a zip of a
few XML parts): a title, the session's facts and one table row per enrolled trainee with the masked ID number.
Nothing here ever reveals a personal value: names and ``str()`` of the masked fields only.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from django.db.models import Q
from django.utils.translation import gettext as _

from .models import Attendance, Session, Trainee

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"""
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _run(text: str, *, bold: bool = False, size: int | None = None) -> str:
    props = ("<w:b/>" if bold else "") + (f'<w:sz w:val="{size}"/>' if size else "")
    props += '<w:rFonts w:eastAsia="SimSun"/>'
    return f'<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _paragraph(text: str, *, bold: bool = False, size: int | None = None, center: bool = False) -> str:
    align = '<w:pPr><w:jc w:val="center"/></w:pPr>' if center else ""
    return f"<w:p>{align}{_run(text, bold=bold, size=size)}</w:p>"


def _cell(text: str, width: int, *, bold: bool = False) -> str:
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{_paragraph(text, bold=bold)}</w:tc>'


def _table(headers: list[str], rows: list[list[str]], widths: list[int]) -> str:
    border = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    head = "<w:tr>" + "".join(_cell(h, w, bold=True) for h, w in zip(headers, widths, strict=True)) + "</w:tr>"
    body = "".join(
        '<w:tr><w:trPr><w:trHeight w:val="560"/></w:trPr>'
        + "".join(_cell(c, w) for c, w in zip(row, widths, strict=True))
        + "</w:tr>"
        for row in rows
    )
    return (
        f'<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblBorders>{border}</w:tblBorders></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{head}{body}</w:tbl>"
    )


def docx_bytes(title: str, lines: list[str], headers: list[str], rows: list[list[str]], widths: list[int]) -> bytes:
    body = _paragraph(title, bold=True, size=32, center=True)
    body += "".join(_paragraph(line) for line in lines)
    body += _table(headers, rows, widths)
    body += '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1200" w:right="1000" w:bottom="1200" w:left="1000" w:header="0" w:footer="0" w:gutter="0"/></w:sectPr>'
    document = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}"><w:body>{body}</w:body></w:document>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


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
