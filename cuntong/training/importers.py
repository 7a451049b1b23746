"""Import a signed attendance roster (签到表) from XLSX/CSV: one row per person and session day.

Every bad row is reported (a session not found or outside the importer's scope, a date that is not one of the
session's days, an ID number failing its check digit, a name that does not match the trainee already registered
under that ID number, the same person twice for the same day in the file) and nothing is written unless the whole
file is valid. Trainees are matched by the ID number's keyed hash (one person, one record) and linked to the
registered-poor roster; a person already signed in for a day (by QR code) counts once. Messages never quote an ID
number in clear.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cuntong.audit import bulk
from cuntong.core import crypto, freshness
from cuntong.core import importer as imp
from cuntong.core.actors import SYSTEM, recorded_user, restrict
from cuntong.core.importer import Column, RowInvalid, register_importer
from cuntong.core.personal import PHONE, RESIDENT_ID
from cuntong.geo.models import Area
from cuntong.people.models import Resident

from . import policies
from .models import Attendance, Category, Enrolment, Session, SessionDay, Trainee


def _optional_phone(value: str) -> str:
    return PHONE.validate(value) if value else ""


@register_importer("training_attendance")
class AttendanceImporter(imp.Importer):
    title = _lazy("培训签到表")
    model = Attendance
    columns = (
        Column("session", ("培训班编号", "session"), required=True, parse=imp.text),
        Column("date", ("日期", "培训日期", "date"), required=True, parse=imp.day),
        Column("name", ("姓名", "name"), required=True, parse=imp.text),
        Column("id_number", ("身份证号", "公民身份号码", "id_number"), required=True, parse=RESIDENT_ID.validate),
        Column("phone", ("手机号", "联系电话", "phone"), parse=_optional_phone),
        Column("village", ("村", "所在村", "village"), parse=imp.text),
        Column(
            "category", ("学员类别", "category"), parse=lambda v: imp.choice(dict(Category.choices))(v) if v else ""
        ),
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.sessions: dict[str, Session] = {}
        self.days: dict[tuple[int, object], SessionDay] = {}
        self.trainees: dict[str, tuple[int, str]] = {}
        self.seen: dict[tuple[int, str], int] = {}
        self.villages_by_code: dict[str, Area] = {}
        self.villages_by_name: dict[str, list[Area]] = {}
        if self.programme is None:
            return
        sessions = restrict(Session.objects.filter(programme=self.programme), self.user, "change")
        for session in sessions:
            if policies.may_record_attendance(self.user, session) if self.user is not SYSTEM else True:
                self.sessions[session.code] = session
        for day in SessionDay.objects.filter(session__in=list(self.sessions.values())):
            self.days[(day.session_id, day.date)] = day
        self.trainees = {
            digest: (pk, "".join(name.split()))
            for digest, pk, name in Trainee.objects.filter(programme=self.programme)
            .exclude(id_number_hash="")
            .values_list("id_number_hash", "pk", "name")
        }
        villages = Area.objects.current().filter(level="village", code__startswith=self.programme.county.code)
        for village in villages:
            self.villages_by_code[village.code] = village
            self.villages_by_name.setdefault(village.name, []).append(village)

    def _village(self, text: str) -> Area | None:
        if not text:
            return None
        if text in self.villages_by_code:
            return self.villages_by_code[text]
        candidates = self.villages_by_name.get(text, [])
        if len(candidates) == 1:
            return candidates[0]
        raise RowInvalid(_("找不到村“%(v)s”，或村名重名（请填写12位区划代码）") % {"v": text}, column=_("村"))

    def clean_row(self, values, row_number):
        if self.programme is None:
            raise RowInvalid(_("未指定示范项目"))
        session = self.sessions.get(values["session"])
        if session is None:
            raise RowInvalid(
                _("找不到培训班“%(c)s”，或您无权登记其考勤") % {"c": values["session"]}, column=_("培训班编号")
            )
        day = self.days.get((session.pk, values["date"]))
        if day is None:
            raise RowInvalid(
                _("%(d)s 不是培训班 %(c)s 的培训日") % {"d": values["date"], "c": session.code}, column=_("日期")
            )
        digest = crypto.blind_index(RESIDENT_ID.name, values["id_number"])
        masked = RESIDENT_ID.mask(values["id_number"])
        name = "".join(values["name"].split())
        known = self.trainees.get(digest)
        if known is not None and known[1] != name:
            raise RowInvalid(
                _("身份证号 %(id)s 已登记的学员姓名与“%(n)s”不符") % {"id": masked, "n": name}, column=_("姓名")
            )
        if (day.pk, digest) in self.seen:
            raise RowInvalid(
                _("身份证号 %(id)s 在同一培训日与第%(row)d行重复") % {"id": masked, "row": self.seen[(day.pk, digest)]},
                column=_("身份证号"),
            )
        self.seen[(day.pk, digest)] = row_number
        if known is None:
            self.trainees[digest] = (0, name)  # a later row for the same new person must carry the same name
        values.update(day=day, digest=digest, name=name, village=self._village(values.get("village", "")))
        return values

    def write(self, cleaned):
        if self.user is not SYSTEM:
            sessions = {row["day"].session for row in cleaned}
            for session in sessions:
                policies.require_record_attendance(self.user, session)
            if not policies.may_add_trainee(self.user):
                raise PermissionDenied(_("您没有登记学员的权限。"))
        residents = dict(
            Resident.objects.filter(programme=self.programme)
            .registered()
            .filter(id_number_hash__in={row["digest"] for row in cleaned})
            .values_list("id_number_hash", "pk")
        )
        resident_villages = dict(Resident.objects.filter(pk__in=residents.values()).values_list("pk", "village_id"))
        by_hash = dict(
            Trainee.objects.filter(
                programme=self.programme, id_number_hash__in={r["digest"] for r in cleaned}
            ).values_list("id_number_hash", "pk")
        )
        for row in cleaned:
            if row["digest"] in by_hash:
                continue
            resident_id = residents.get(row["digest"])
            trainee = Trainee.objects.create(
                programme=self.programme,
                name=row["name"],
                id_number=row["id_number"],
                phone=row.get("phone") or "",
                village_id=row["village"].pk if row["village"] else resident_villages.get(resident_id),
                category=Category.POOR if resident_id else (row.get("category") or Category.OTHER),
                resident_id=resident_id,
            )
            by_hash[row["digest"]] = trainee.pk
        days = {row["day"].pk for row in cleaned}
        present = set(Attendance.objects.filter(day_id__in=days).values_list("day_id", "trainee_id"))
        recorder = recorded_user(self.user)
        rows = []
        for row in cleaned:
            key = (row["day"].pk, by_hash[row["digest"]])
            if key not in present:
                present.add(key)
                rows.append(
                    Attendance(day_id=key[0], trainee_id=key[1], method=Attendance.Method.IMPORT, recorded_by=recorder)
                )
        bulk.bulk_create(Attendance, rows, batch_size=1000)
        enrolled = set(
            Enrolment.objects.filter(session__in={row["day"].session_id for row in cleaned}).values_list(
                "session_id", "trainee_id"
            )
        )
        enrolments = {
            (row["day"].session_id, by_hash[row["digest"]])
            for row in cleaned
            if (row["day"].session_id, by_hash[row["digest"]]) not in enrolled
        }
        bulk.bulk_create(
            Enrolment, [Enrolment(session_id=s, trainee_id=t) for s, t in sorted(enrolments)], batch_size=1000
        )
        freshness.bump(self.programme)
        return len(rows)
