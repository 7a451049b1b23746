"""Applying the training rules to the database: pages, the API, the importer, the sign-in page and the demo call
these. Every change takes the acting user (``SYSTEM`` for the public sign-in and the demo) and checks it first."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from cuntong.core import freshness
from cuntong.core.actors import SYSTEM, recorded_user, require_actor
from cuntong.core.personal import RESIDENT_ID
from cuntong.people.models import Resident

from . import policies, rules
from .models import Attendance, Category, Enrolment, FollowUp, Session, SessionDay, Trainee

SIGNIN_SALT = "cuntong.training.signin"


def training_rules(programme) -> rules.TrainingRules:
    return rules.TrainingRules.from_plan(programme.rule("training"))


# --- sessions ------------------------------------------------------------------------------------------------------


def set_days(session: Session, dates: Iterable[datetime.date]) -> None:
    """The session's days become exactly ``dates``; a day that already has attendance is kept."""
    wanted = sorted(set(dates))
    if not wanted:
        raise ValidationError(_("培训班至少要有一个培训日。"), code="days")
    for day in session.days.exclude(date__in=wanted):
        if day.attendances.exists():
            raise ValidationError(
                _("%(d)s 已有签到记录，不能删除该培训日。") % {"d": f"{day.date:%Y-%m-%d}"}, code="days"
            )
        day.delete()
    existing = set(session.days.values_list("date", flat=True))
    for date in wanted:
        if date not in existing:
            SessionDay.objects.create(session=session, date=date)
    session.start_date, session.end_date = wanted[0], wanted[-1]
    session.save(update_fields=["start_date", "end_date", "updated_at"])


def save_session(user, session: Session, dates: Iterable[datetime.date]) -> Session:
    """Create or change a session and its days, inside the user's scope."""
    require_actor(user)
    creating = session.pk is None
    if session.station_id and not session.area_id:
        session.area = session.station.area
    with transaction.atomic():
        session.save()
        set_days(session, dates)
        policies.require(user, "add" if creating else "change", session)
        freshness.bump(session.programme_id)
    return session


# --- trainees ------------------------------------------------------------------------------------------------------


def resident_for(programme, id_number: str) -> Resident | None:
    """The registered-poor roster entry holding this ID number (by blind index), if any."""
    return Resident.objects.filter(programme=programme).registered().with_id_number(id_number).first()


def find_trainee(programme, id_number: str) -> Trainee | None:
    return Trainee.objects.filter(programme=programme).with_id_number(id_number).first()


def match_or_create_trainee(
    programme, *, name: str, id_number: str, phone: str = "", village=None, category: str = "", user
) -> tuple[Trainee, bool]:
    """One person, one record: the trainee with this ID number's keyed hash, else a new one, linked to the roster
    when the person is on it. A different name for a known ID number is refused (no signing in for another)."""
    require_actor(user)
    number = RESIDENT_ID.validate(id_number)
    name = "".join(name.split())
    found = find_trainee(programme, number)
    if found is not None:
        if "".join(found.name.split()) != name:
            raise ValidationError(_("姓名与身份证号不符。"), code="name")
        if found.resident_id is None and (resident := resident_for(programme, number)) is not None:
            found.resident = resident
            found.category = Category.POOR
            found.save(update_fields=["resident", "category", "updated_at"])
            freshness.bump(programme)
        return found, False
    resident = resident_for(programme, number)
    trainee = Trainee(
        programme=programme,
        name=name,
        id_number=number,
        phone=phone or "",
        village=village or (resident.village if resident else None),
        category=Category.POOR if resident else (category or Category.OTHER),
        resident=resident,
    )
    trainee.full_clean(exclude=["id_number_hash", "phone_hash"])
    if user is not SYSTEM and not policies.may_add_trainee(user):
        raise PermissionDenied(_("您没有登记学员的权限。"))
    trainee.save()
    freshness.bump(programme)
    return trainee, True


# --- attendance ----------------------------------------------------------------------------------------------------


def record_attendance(user, day: SessionDay, trainee: Trainee, method: str = Attendance.Method.LIST) -> bool:
    """The trainee was present on ``day``: True when newly recorded, False when already (one person-time per day)."""
    policies.require_record_attendance(user, day.session)
    if Attendance.objects.filter(day=day, trainee=trainee).exists():
        return False
    try:
        with transaction.atomic():
            Attendance.objects.create(day=day, trainee=trainee, method=method, recorded_by=recorded_user(user))
            Enrolment.objects.get_or_create(session=day.session, trainee=trainee)
            freshness.bump(day.session.programme_id)
    except IntegrityError:  # signed at the same moment twice: the constraint keeps it once
        return False
    return True


def tick_attendance(user, day: SessionDay, present_ids: Iterable[int]) -> tuple[int, int]:
    """The list as ticked: the enrolled trainees ticked are present, those unticked are not (added, removed)."""
    policies.require_record_attendance(user, day.session)
    present = {int(pk) for pk in present_ids}
    enrolled = set(day.session.enrolments.values_list("trainee_id", flat=True))
    present &= enrolled | set(day.attendances.values_list("trainee_id", flat=True))
    with transaction.atomic():
        removed = 0
        for attendance in day.attendances.exclude(trainee_id__in=present):
            attendance.delete()
            removed += 1
        if removed:
            freshness.bump(day.session.programme_id)
        added = sum(
            record_attendance(user, day, trainee) for trainee in Trainee.objects.filter(pk__in=present).order_by("pk")
        )
    return added, removed


def enrol(user, session: Session, trainee: Trainee) -> Enrolment:
    policies.require_record_attendance(user, session)
    enrolment, created = Enrolment.objects.get_or_create(session=session, trainee=trainee)
    if created:
        freshness.bump(session.programme_id)
    return enrolment


# --- the daily sign-in code ----------------------------------------------------------------------------------------


def signin_code(day: SessionDay) -> str:
    """The day's code for the QR sign-in: unguessable (keyed by the deployment's secret), one per session day."""
    digest = salted_hmac(SIGNIN_SALT, f"{day.pk}:{day.session_id}:{day.date:%Y%m%d}", algorithm="sha256").hexdigest()
    return f"{day.pk}-{digest[:32]}"


def day_for_code(code: str, *, today: datetime.date | None = None) -> SessionDay | None:
    """The session day a code opens today, or None (wrong code, or not that day in Asia/Shanghai)."""
    pk, _sep, _digest = (code or "").partition("-")
    if not pk.isdigit():
        return None
    day = SessionDay.objects.select_related("session__programme", "session__area").filter(pk=int(pk)).first()
    if day is None or not constant_time_compare(signin_code(day), code):
        return None
    return day if rules.code_works_on(day.date, today or timezone.localdate()) else None


def public_sign_in(
    day: SessionDay, *, name: str, id_number: str, phone: str = "", village=None
) -> tuple[Trainee, bool]:
    """A trainee signs in on a phone by the day's code: matched (or registered) by ID number; the same person twice
    the same day counts once. Returns (trainee, newly present)."""
    from cuntong.audit.context import acting_as

    if not rules.code_works_on(day.date, timezone.localdate()):
        raise ValidationError(_("签到码已过期。"), code="expired")
    with acting_as(None, via="training sign-in"), transaction.atomic():
        trainee, _created = match_or_create_trainee(
            day.session.programme, name=name, id_number=id_number, phone=phone, village=village, user=SYSTEM
        )
        added = record_attendance(SYSTEM, day, trainee, Attendance.Method.QR)
    return trainee, added


# --- figures -------------------------------------------------------------------------------------------------------


def person_times(attendances) -> int:
    """人次 of an attendance queryset (unique per day and trainee by the database: a count is the rule)."""
    return attendances.count()


def persons(attendances) -> int:
    return attendances.values("trainee_id").distinct().count()


def session_figures(session: Session) -> dict:
    attendances = Attendance.objects.filter(day__session=session)
    return {
        "days": session.days.count(),
        "enrolled": session.enrolments.count(),
        "person_times": person_times(attendances),
        "persons": persons(attendances),
        "by_day": list(session.days.annotate(present=Count("attendances")).order_by("date").values("date", "present")),
    }


def trained_resident_ids(programme, modes: Iterable[str]) -> set[int]:
    """Roster entries linked to a trainee present at least once at training of the counted modes."""
    return set(
        Trainee.objects.filter(
            programme=programme, resident__isnull=False, attendances__day__session__course__mode__in=list(modes)
        )
        .values_list("resident_id", flat=True)
        .distinct()
    )


# --- follow-up -----------------------------------------------------------------------------------------------------


def schedule_follow_ups(session: Session, user) -> int:
    """Follow-ups at the plan's intervals after the session's end for every trainee present; idempotent."""
    policies.require_record_attendance(user, session)
    if session.end_date is None:
        return 0
    dates = rules.follow_up_due_dates(session.end_date, training_rules(session.programme).follow_up_months)
    trainees = Trainee.objects.filter(attendances__day__session=session).distinct()
    created = 0
    for trainee in trainees:
        for due in dates:
            _row, made = FollowUp.objects.get_or_create(trainee=trainee, session=session, due_date=due)
            created += made
    if created:
        freshness.bump(session.programme_id)
    return created


def record_follow_up(user, follow_up: FollowUp, **outcome) -> FollowUp:
    policies.require(user, "change", follow_up)
    for name, value in outcome.items():
        setattr(follow_up, name, value)
    follow_up.done_on = follow_up.done_on or timezone.localdate()
    with transaction.atomic():
        follow_up.save()
        freshness.bump(follow_up.trainee.programme_id)
    return follow_up


def overdue_follow_ups(queryset, today: datetime.date | None = None):
    return queryset.filter(done_on__isnull=True, due_date__lt=today or timezone.localdate())


def follow_up_coverage(queryset, today: datetime.date | None = None) -> tuple[int, int]:
    """(trainees followed up, trainees with a follow-up due by today)."""
    due = queryset.filter(due_date__lte=today or timezone.localdate())
    total = due.values("trainee_id").distinct().count()
    done = due.filter(done_on__isnull=False).values("trainee_id").distinct().count()
    return done, total
