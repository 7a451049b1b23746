"""The training API: every list scoped (``ScopedViewSet``), personal data masked (``ScopedModelSerializer``);
attendance is recorded through the services (one person-time per person and day)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from cuntong.core import freshness
from cuntong.people.api import RevealMixin
from cuntong.web.api import ScopedModelSerializer, ScopedReadOnlyViewSet, ScopedViewSet

from . import policies, services
from .models import (
    Attendance,
    Course,
    Employer,
    Enrolment,
    FairRegistration,
    FollowUp,
    Incubation,
    JobFair,
    JobPost,
    Provider,
    Session,
    SessionDay,
    Trainee,
    Trainer,
)


def _serializer(model_class, field_names):
    meta = type("Meta", (), {"model": model_class, "fields": ["id", *field_names]})
    return type(f"{model_class.__name__}Serializer", (ScopedModelSerializer,), {"Meta": meta})


ProviderSerializer = _serializer(Provider, ["programme", "name", "organisation", "qualification"])
TrainerSerializer = _serializer(Trainer, ["provider", "name", "speciality"])
CourseSerializer = _serializer(Course, ["programme", "title", "topic", "level", "mode", "hours", "provider"])
SessionDaySerializer = _serializer(SessionDay, ["session", "date"])
EnrolmentSerializer = _serializer(Enrolment, ["session", "trainee"])
FollowUpSerializer = _serializer(
    FollowUp,
    [
        "trainee",
        "session",
        "due_date",
        "done_on",
        "opened_shop",
        "employed",
        "started_business",
        "online_sales",
        "income_change",
        "notes",
    ],
)
IncubationSerializer = _serializer(Incubation, ["trainee", "kind", "date", "provider", "notes"])
EmployerSerializer = _serializer(Employer, ["programme", "name", "industry"])
JobFairSerializer = _serializer(JobFair, ["programme", "title", "date", "area", "station", "venue"])
JobPostSerializer = _serializer(JobPost, ["employer", "fair", "position", "count", "pay_min", "pay_max"])
FairRegistrationSerializer = _serializer(
    FairRegistration, ["fair", "trainee", "attended", "offered", "hired", "employer"]
)


class SessionSerializer(ScopedModelSerializer):
    level = serializers.CharField(source="course.level", read_only=True)
    days = serializers.SlugRelatedField(slug_field="date", many=True, read_only=True)

    class Meta:
        model = Session
        fields = [
            "id",
            "programme",
            "code",
            "title",
            "course",
            "level",
            "provider",
            "trainer",
            "area",
            "station",
            "venue",
            "capacity",
            "start_date",
            "end_date",
            "days",
        ]
        read_only_fields = ["programme"]


class TraineeSerializer(ScopedModelSerializer):
    class Meta:
        model = Trainee
        fields = [
            "id",
            "programme",
            "name",
            "id_number",
            "phone",
            "sex",
            "birth_date",
            "village",
            "category",
            "resident",
        ]
        read_only_fields = ["programme", "resident"]


class AttendanceSerializer(ScopedModelSerializer):
    class Meta:
        model = Attendance
        fields = ["id", "day", "trainee", "method", "recorded_by"]
        read_only_fields = ["method", "recorded_by"]


class SessionFiguresSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    enrolled = serializers.IntegerField()
    person_times = serializers.IntegerField()
    persons = serializers.IntegerField()


class SessionViewSet(ScopedReadOnlyViewSet):
    """Sessions in the caller's scope (created and changed on the pages, which keep their days in step)."""

    model = Session
    serializer_class = SessionSerializer
    filterset_fields = ["course", "provider", "area", "station"]

    def optimise(self, queryset):
        return queryset.select_related("course").prefetch_related("days")

    @extend_schema(responses=SessionFiguresSerializer)
    @action(detail=True, methods=["get"])
    def figures(self, request, pk=None):
        """Days, enrolment, person-times and persons: the evidence a disbursement request for the session cites."""
        figures = services.session_figures(self.get_object())
        return Response({k: figures[k] for k in ("days", "enrolled", "person_times", "persons")})


class TraineeViewSet(RevealMixin, ScopedReadOnlyViewSet):
    model = Trainee
    serializer_class = TraineeSerializer
    filterset_fields = ["village", "category"]

    def optimise(self, queryset):
        return queryset.filter(erased_at__isnull=True)


class AttendanceViewSet(ScopedViewSet):
    """Attendance in the caller's scope; a POST records a person on a day once (a second is answered, not added)."""

    model = Attendance
    serializer_class = AttendanceSerializer
    filterset_fields = ["day", "trainee", "method"]
    http_method_names = ["get", "post", "delete", "head", "options"]

    def optimise(self, queryset):
        return queryset.select_related("day")

    def perform_create(self, serializer):
        day, trainee = serializer.validated_data["day"], serializer.validated_data["trainee"]
        try:
            services.record_attendance(self.request.user, day, trainee, Attendance.Method.LIST)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        serializer.instance = Attendance.objects.get(day=day, trainee=trainee)

    def perform_destroy(self, instance):
        if not policies.may_record_attendance(self.request.user, instance.day.session):
            raise PermissionDenied
        with transaction.atomic():
            instance.delete()
            freshness.bump(instance.day.session.programme_id)


def _viewset(model_class, serializer_class, *, read_only=False, fields=()):
    base = ScopedReadOnlyViewSet if read_only else ScopedViewSet
    return type(
        f"{model_class.__name__}ViewSet",
        (base,),
        {
            "model": model_class,
            "serializer_class": serializer_class,
            "filterset_fields": list(fields),
            "__doc__": f"{model_class._meta.verbose_name_plural} in the caller's scope.",
        },
    )


ROUTES = [
    ("training/providers", _viewset(Provider, ProviderSerializer)),
    ("training/trainers", _viewset(Trainer, TrainerSerializer, fields=["provider"])),
    ("training/courses", _viewset(Course, CourseSerializer, fields=["topic", "level", "mode"])),
    ("training/sessions", SessionViewSet),
    ("training/session-days", _viewset(SessionDay, SessionDaySerializer, read_only=True, fields=["session", "date"])),
    ("training/enrolments", _viewset(Enrolment, EnrolmentSerializer, fields=["session", "trainee"])),
    ("training/trainees", TraineeViewSet),
    ("training/attendance", AttendanceViewSet),
    ("training/follow-ups", _viewset(FollowUp, FollowUpSerializer, fields=["trainee", "session", "done_on"])),
    ("training/incubations", _viewset(Incubation, IncubationSerializer, fields=["trainee", "kind"])),
    ("training/employers", _viewset(Employer, EmployerSerializer)),
    ("training/fairs", _viewset(JobFair, JobFairSerializer, fields=["area"])),
    ("training/job-posts", _viewset(JobPost, JobPostSerializer, fields=["employer", "fair"])),
    ("training/fair-registrations", _viewset(FairRegistration, FairRegistrationSerializer, fields=["fair", "trainee"])),
]
