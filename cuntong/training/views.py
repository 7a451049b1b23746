"""Training pages: thin views over the services; lists from ``tables.py``; the one public page is the trainee's
sign-in by the session day's QR code."""

from __future__ import annotations

from urllib.parse import quote

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cuntong.audit.models import ChangeRecord
from cuntong.audit.services import log_event
from cuntong.core.docx import DOCX_TYPE
from cuntong.core.export import xlsx_response
from cuntong.core.public import public_form
from cuntong.geo.models import Area
from cuntong.people.models import Resident
from cuntong.programme.kpi import AreaScope
from cuntong.programme.models import DataVersion
from cuntong.web.views import ObjectDetailView, ObjectEditView, ObjectListView

from . import documents, kpis, policies, services, tables
from .filters import FollowUpFilter, SessionFilter, TraineeFilter, UntrainedFilter
from .forms import CourseForm, FollowUpForm, JobFairForm, ReminderForm, SessionForm, SignInForm, TraineeForm
from .models import Attendance, Course, Enrolment, FollowUp, JobFair, Provider, Session, SessionDay, Trainee
from .notifications import remind_session

# --- sessions ------------------------------------------------------------------------------------------------------


class SessionListView(ObjectListView):
    table = tables.SessionTable
    filterset_class = SessionFilter
    add_url_name = "training:session_add"
    import_name = "training_attendance"


class SessionDetailView(ObjectDetailView):
    model = Session
    template_name = "training/session_detail.html"
    edit_url_name = "training:session_edit"
    fields = tables.SESSION_DETAIL

    def optimise(self, queryset):
        return queryset.select_related("course", "provider", "trainer", "area", "station", "programme")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session = self.object
        figures = services.session_figures(session)
        counts = {row["date"]: row["present"] for row in figures["by_day"]}
        context["figures"] = figures
        context["days"] = [(day, counts.get(day.date, 0)) for day in session.days.order_by("date")]
        context["today"] = timezone.localdate()
        context["may_record"] = policies.may_record_attendance(self.request.user, session)
        context["reminder_form"] = ReminderForm()
        return context


class SessionEditView(ObjectEditView):
    model = Session
    form_class = SessionForm

    def save(self, form):
        session = form.save(commit=False)
        if not session.programme_id:
            session.programme = self.request.programme
        return services.save_session(self.request.user, session, form.cleaned_data["days"])

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)


def _session_for(request, pk: int, action: str = "view") -> Session:
    return get_object_or_404(
        Session.objects.restrict(request.user, action)
        .in_programme(request.programme)
        .select_related("course", "provider", "area", "programme"),
        pk=pk,
    )


def _day_of(session: Session, request) -> SessionDay:
    day_id = request.GET.get("day") or request.POST.get("day")
    days = session.days.order_by("date")
    if day_id and str(day_id).isdigit():
        return get_object_or_404(days, pk=int(day_id))
    day = days.filter(date=timezone.localdate()).first() or days.first()
    if day is None:
        raise Http404
    return day


@login_required
def session_qr(request, pk: int):
    """A day's sign-in QR code, to show on a screen or print: the code opens the public sign-in on that day only."""
    session = _session_for(request, pk)
    if not policies.may_record_attendance(request.user, session):
        raise PermissionDenied
    day = _day_of(session, request)
    url = request.build_absolute_uri(reverse("training:signin", args=[services.signin_code(day)]))
    svg = segno.make(url, error="m").svg_inline(scale=6)  # segno's own markup: the URL is ours, hex and digits
    context = {"session": session, "day": day, "svg": mark_safe(svg), "url": url}
    return render(request, "training/session_qr.html", context)


@login_required
def session_attendance(request, pk: int):
    """Tick who was present on one day from the session's list (enrolled and present trainees)."""
    session = _session_for(request, pk)
    if not policies.may_record_attendance(request.user, session):
        raise PermissionDenied
    day = _day_of(session, request)
    if request.method == "POST":
        added, removed = services.tick_attendance(request.user, day, request.POST.getlist("present"))
        messages.success(request, _("已保存考勤：新增 %(a)d 人，取消 %(r)d 人。") % {"a": added, "r": removed})
        return redirect(f"{reverse('training:session_attendance', args=[session.pk])}?day={day.pk}")
    present = set(day.attendances.values_list("trainee_id", flat=True))
    people = documents.session_trainees(session)
    context = {
        "session": session,
        "day": day,
        "days": session.days.order_by("date"),
        "rows": [(t, t.pk in present) for t in people],
        "present_count": len(present),
    }
    return render(request, "training/session_attendance.html", context)


@login_required
def signin_sheet(request, pk: int):
    session = _session_for(request, pk)
    log_event("export", obj=session, model="training.Session", document="signin_sheet")
    response = HttpResponse(documents.signin_sheet_docx(session), content_type=DOCX_TYPE)
    name = _("%(c)s 签到表.docx") % {"c": session.code}
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def roster(request, pk: int):
    session = _session_for(request, pk)
    log_event("export", obj=session, model="training.Session", document="roster")
    return xlsx_response(_("%(c)s 考勤名册.xlsx") % {"c": session.code}, documents.roster_sheets(session))


@login_required
def session_summary(request, pk: int):
    """The per-session summary behind a disbursement request: days, person-times, persons and the photos."""
    from cuntong.attachments.services import attachments_of

    session = _session_for(request, pk)
    figures = services.session_figures(session)
    photos = [a for a in attachments_of(session).restrict(request.user, "view") if a.is_image]
    return render(request, "training/session_summary.html", {"session": session, "figures": figures, "photos": photos})


@require_POST
@login_required
def session_remind(request, pk: int):
    session = _session_for(request, pk)
    form = ReminderForm(request.POST)
    form.is_valid()
    try:
        told = remind_session(request.user, session, note=form.cleaned_data.get("note", ""))
    except PermissionDenied:
        raise
    messages.success(request, _("已向 %(n)d 名工作人员发送提醒。") % {"n": told})
    return redirect(session)


@require_POST
@login_required
def session_follow_ups(request, pk: int):
    session = _session_for(request, pk)
    created = services.schedule_follow_ups(session, request.user)
    messages.success(request, _("已安排 %(n)d 次跟踪回访。") % {"n": created})
    return redirect(session)


# --- the public sign-in --------------------------------------------------------------------------------------------


def _open_day(request, token: str) -> SessionDay:
    day = services.day_for_code(token)
    if day is None:
        raise Http404
    return day


def _villages(day: SessionDay) -> list[tuple[int, str]]:
    area = day.session.area
    township = area if area.level == "township" else area.parent
    return list(
        Area.objects.current().filter(parent=township, level="village").order_by("code").values_list("pk", "name")
    )


@public_form(
    reason="a trainee signs in on a phone by the session day's QR code: name and ID number, nothing shown back but "
    "the trainee's own first name character",
    token=_open_day,
    writes=(Trainee, Attendance, Enrolment, ChangeRecord, DataVersion),  # DataVersion: the bump (core.freshness)
    rate="20/minute",
)
def signin(request, token: str):
    day: SessionDay = request.public_grant
    session = day.session
    villages = _villages(day)
    form = SignInForm(request.POST or None, villages=villages)
    context = {"title": session.title, "date": day.date, "venue": session.venue or session.area.name, "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        village = Area.objects.filter(pk=data["village"]).first() if data.get("village") else None
        try:
            trainee, added = services.public_sign_in(
                day, name=data["name"], id_number=data["id_number"], phone=data["phone"], village=village
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            context.update(done=True, added=added, initial=trainee.name[:1])
            return render(request, "training/signin.html", context)
    return render(request, "training/signin.html", context, status=400 if form.errors else 200)


# --- trainees ------------------------------------------------------------------------------------------------------


class TraineeListView(ObjectListView):
    table = tables.TraineeTable
    filterset_class = TraineeFilter
    add_url_name = "training:trainee_add"


class TraineeDetailView(ObjectDetailView):
    model = Trainee
    template_name = "training/trainee_detail.html"
    edit_url_name = "training:trainee_edit"
    fields = tables.TRAINEE_DETAIL

    def optimise(self, queryset):
        return queryset.select_related("village__parent", "programme")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        trainee = self.object
        attendances = Attendance.objects.restrict(self.request.user, "view").filter(trainee=trainee)
        context["attendances"] = attendances.select_related("day__session__course").order_by("-day__date")[:50]
        context["follow_ups"] = FollowUp.objects.restrict(self.request.user, "view").filter(trainee=trainee)
        return context


class TraineeEditView(ObjectEditView):
    model = Trainee
    form_class = TraineeForm

    def save(self, form):
        trainee = form.save(commit=False)
        if not trainee.programme_id:
            trainee.programme = self.request.programme
        number = trainee.id_number
        plain = number.reveal() if hasattr(number, "reveal") else number
        if trainee.resident_id is None and plain:
            resident = services.resident_for(trainee.programme, plain)
            if resident is not None:
                trainee.resident, trainee.category = resident, "poor"
        trainee.save()
        return trainee


# --- catalogue, follow-up, fairs -------------------------------------------------------------------------------------


class CourseListView(ObjectListView):
    table = tables.CourseTable
    add_url_name = "training:course_add"


class CourseDetailView(ObjectDetailView):
    model = Course
    fields = tables.COURSE_DETAIL
    edit_url_name = "training:course_edit"


class CourseEditView(ObjectEditView):
    model = Course
    form_class = CourseForm


class ProviderListView(ObjectListView):
    table = tables.ProviderTable


class ProviderDetailView(ObjectDetailView):
    model = Provider
    fields = tables.PROVIDER_DETAIL


class FollowUpListView(ObjectListView):
    table = tables.FollowUpTable
    filterset_class = FollowUpFilter


class FollowUpEditView(ObjectEditView):
    model = FollowUp
    form_class = FollowUpForm

    def dispatch(self, request, *args, **kwargs):
        if "pk" not in kwargs:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def save(self, form):
        follow_up = form.save(commit=False)
        return services.record_follow_up(self.request.user, follow_up)

    def get_success_url(self):
        return reverse("training:follow_up_list")


class JobFairListView(ObjectListView):
    table = tables.JobFairTable
    add_url_name = "training:fair_add"


class JobFairDetailView(ObjectDetailView):
    model = JobFair
    fields = tables.FAIR_DETAIL
    template_name = "training/fair_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        registrations = self.object.registrations.restrict(self.request.user, "view")
        context["registrations"] = registrations.select_related("trainee", "employer")
        context["posts"] = self.object.posts.select_related("employer")
        return context


class JobFairEditView(ObjectEditView):
    model = JobFair
    form_class = JobFairForm


# --- coverage and the person-time report -----------------------------------------------------------------------------


class UntrainedListView(ObjectListView):
    """The poverty coverage drill-down: who of the coverage population is still untrained, by township and village;
    a township sees its own list; ``?export=xlsx`` writes it (ID numbers masked)."""

    table = tables.UntrainedTable
    filterset_class = UntrainedFilter
    template_name = "training/coverage.html"
    export_filename = "贫困人口培训覆盖-未培训名单.xlsx"

    def get_queryset(self):
        queryset = super().get_queryset()
        modes = services.training_rules(self.request.programme).coverage_modes
        trained = services.trained_resident_ids(self.request.programme, modes)
        return queryset.poverty_training_population().exclude(pk__in=trained)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = AreaScope(self.request.programme, self.request.user)
        context["coverage"] = kpis.poverty_coverage(scope) if scope.codes(Resident) else None
        context["modes"] = services.training_rules(self.request.programme).coverage_modes
        return context


@login_required
def report(request):
    """Person-times by year, township and category, for each level (the KPI's own records, in the viewer's scope)."""
    if not request.user.has_perm("training.view_attendance"):
        raise PermissionDenied
    scope = AreaScope(request.programme, request.user)
    breakdown = kpis.person_time_breakdown(scope)
    if request.GET.get("export") == "xlsx":
        log_event("export", obj=None, model="training.Attendance", report="person_times")
        return xlsx_response("培训人次统计.xlsx", kpis.breakdown_sheets(breakdown))
    return render(request, "training/report.html", {"breakdown": breakdown})
