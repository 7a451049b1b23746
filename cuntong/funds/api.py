"""``/api/v1/funds/…``: budget lines, contracts, disbursement requests, appeals, the ledger and monthly claim batches.

Reads are restricted like the pages (contractors see their own contracts and requests, station operators their own
subsidy lines, the evaluator everything, read-only). Every write goes through ``services``, so the API obeys the
same rules as the pages: a refused rule answers 400 with ``{"code": …, "detail": …}``, a missing permission 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from cuntong.programme.middleware import visible_programmes
from cuntong.programme.models import BudgetAllocation, SubItem
from cuntong.web.api import (
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
    ScopedReadOnlyViewSet,
    ScopedViewSet,
    action_for,
)

from . import ledger, policies, queries, services
from .forms import ContractForm
from .models import (
    Appeal,
    BudgetLine,
    Contract,
    ContractMilestone,
    DisbursementRequest,
    LedgerEntry,
    SubsidyBatch,
    SubsidyLine,
)
from .rules import FundRuleViolation

MONEY = {"max_digits": 16, "decimal_places": 2, "read_only": True}


class RuleRefused(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "rule"


def run(fn, *args, **kwargs):
    """Call a service; its rule violations become 400s naming the rule, permission refusals 403s."""
    try:
        return fn(*args, **kwargs)
    except FundRuleViolation as exc:
        raise RuleRefused({"code": exc.code, "detail": exc.message}) from exc
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc) or None) from exc


class ScopedActionsMixin:
    """Custom actions name the scope action their records are fetched with (``{"sign": "change"}``)."""

    action_scopes: dict[str, str] = {}
    http_method_names = ["get", "post", "put", "patch", "head", "options"]  # fund records are never deleted

    @property
    def scoped_action(self) -> str | None:
        return self.action_scopes.get(getattr(self, "action", None))

    def get_queryset(self):
        scope_action = self.scoped_action or action_for(self.request)
        queryset = self.model.objects.restrict(self.request.user, scope_action)
        return self.optimise(self.filter_programme(queryset))


class TimelineEntrySerializer(ScopedModelSerializer):
    event_label = serializers.CharField(read_only=True)

    class Meta:
        model = LedgerEntry
        # Every column the hash covers, so a client can recompute each entry's hash (see ledger.canonical).
        fields = [
            "id",
            "event_label",
            *(f.name for f in LedgerEntry._meta.concrete_fields if f.attname in ledger.HASHED_FIELDS),
            "hash",
        ]


class TimelineMixin:
    """``GET …/{id}/timeline/``: every ledger event about the record, oldest first."""

    timeline_field = ""

    @extend_schema(responses=TimelineEntrySerializer(many=True))
    @action(detail=True, pagination_class=None)
    def timeline(self, request, pk=None):
        obj = self.get_object()
        entries = policies.visible_entries(request.user, LedgerEntry.objects.filter(**{self.timeline_field: obj}))
        entries = entries.order_by("seq")
        return Response(TimelineEntrySerializer(entries, many=True, context={"request": request}).data)


# --- budget lines -----------------------------------------------------------------------------------------------


class BudgetLineSerializer(ScopedModelSerializer):
    project_number = serializers.IntegerField(source="project.number", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    project_status = serializers.CharField(source="project.status", read_only=True)
    committed_amount = serializers.DecimalField(**MONEY)
    approved_amount = serializers.DecimalField(**MONEY)
    paid_amount = serializers.DecimalField(**MONEY)
    pending_amount = serializers.DecimalField(**MONEY)

    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "project",
            "project_number",
            "project_name",
            "project_status",
            "source",
            "amount",
            "committed_amount",
            "approved_amount",
            "paid_amount",
            "pending_amount",
        ]


class BudgetLineViewSet(TimelineMixin, ScopedReadOnlyViewSet):
    """Each project's budget per source with committed, approved, paid and pending amounts summed from records."""

    model = BudgetLine
    serializer_class = BudgetLineSerializer
    timeline_field = "line"

    def optimise(self, queryset):
        return queries.lines_with_figures(queryset.select_related("project")).order_by("project__number", "source")


# --- contracts --------------------------------------------------------------------------------------------------


class MilestoneSerializer(ScopedModelSerializer):
    class Meta:
        model = ContractMilestone
        fields = ["id", "sequence", "code", "name", "percent", "amount", "evidence_required", "due_date"]
        read_only_fields = ["id", "sequence", "amount"]


class ScheduleItemSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    code = serializers.SlugField(max_length=32, required=False, default="")
    evidence_required = serializers.CharField(required=False, default="", allow_blank=True)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class ContractSerializer(ScopedModelSerializer):
    milestones = MilestoneSerializer(many=True, read_only=True)
    schedule = ScheduleItemSerializer(many=True, write_only=True, required=False)
    approved_amount = serializers.DecimalField(**MONEY)
    paid_amount = serializers.DecimalField(**MONEY)

    class Meta:
        model = Contract
        read_only_fields = ["status", "signed_on", "terminated_on", "termination_reason", "is_demo"]
        fields = [
            "id",
            *ContractForm.Meta.fields,
            "milestones",
            "schedule",
            "approved_amount",
            "paid_amount",
            *read_only_fields,
        ]


class SignSerializer(serializers.Serializer):
    signed_on = serializers.DateField()


class AmendSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    end_date = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField()


class TerminateSerializer(serializers.Serializer):
    terminated_on = serializers.DateField()
    reason = serializers.CharField()


class ContractViewSet(ScopedActionsMixin, TimelineMixin, ScopedViewSet):
    """Contracts with their payment schedule; created and changed as drafts, signed (commits the budget), amended
    (补充协议) and terminated (releases what was not approved)."""

    model = Contract
    serializer_class = ContractSerializer
    timeline_field = "contract"
    action_scopes = {"sign": "change", "amend": "change", "terminate": "change", "timeline": "view"}

    def optimise(self, queryset):
        return queries.contracts_with_figures(queryset.select_related("contractor")).prefetch_related("milestones")

    def _respond(self, contract):
        return Response(self.get_serializer(self.optimise(Contract.objects.filter(pk=contract.pk)).get()).data)

    def _save(self, serializer, instance=None):
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        schedule = data.pop("schedule", None)
        contract = instance or Contract()
        for field, value in data.items():
            setattr(contract, field, value)
        milestones = [services.MilestoneInput(**item) for item in schedule] if schedule is not None else None
        contract = run(services.save_contract, self.request.user, self.request.programme, contract, milestones)
        return self._respond(contract)

    def create(self, request, *args, **kwargs):
        response = self._save(self.get_serializer(data=request.data))
        response.status_code = status.HTTP_201_CREATED
        return response

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        return self._save(
            self.get_serializer(instance, data=request.data, partial=kwargs.get("partial", False)), instance
        )

    def _change(self, request, action: str, serializer_class):
        contract = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        run(services.change_contract, request.user, contract, action, serializer.validated_data)
        return self._respond(contract)

    @extend_schema(request=SignSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        return self._change(request, "sign", SignSerializer)

    @extend_schema(request=AmendSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        return self._change(request, "amend", AmendSerializer)

    @extend_schema(request=TerminateSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        return self._change(request, "terminate", TerminateSerializer)


# --- disbursement requests --------------------------------------------------------------------------------------


class RequestSerializer(ScopedModelSerializer):
    code = serializers.CharField(read_only=True)
    files = serializers.ListField(child=serializers.FileField(), write_only=True, required=False)
    milestone = ScopedPrimaryKeyRelatedField(queryset=ContractMilestone.objects.all(), required=False, allow_null=True)
    allocation = ScopedPrimaryKeyRelatedField(queryset=BudgetAllocation.objects.all(), required=False, allow_null=True)
    sub_item = ScopedPrimaryKeyRelatedField(queryset=SubItem.objects.all(), required=False, allow_null=True)

    class Meta:
        model = DisbursementRequest
        read_only_fields = [
            "kind",
            "status",
            "contract",
            "revision",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "approved_by",
            "approved_at",
            "paid_by",
            "paid_on",
            "voucher_number",
            "decided_by",
            "decision_reason",
            "is_demo",
        ]
        fields = [
            "id",
            "code",
            "allocation",
            "sub_item",
            "milestone",
            "amount",
            "purpose",
            "payee",
            "files",
            *read_only_fields,
        ]
        extra_kwargs = {"payee": {"required": False}}


class DecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    voucher_number = serializers.CharField(required=False, allow_blank=True, default="")
    paid_on = serializers.DateField(required=False, allow_null=True, default=None)


class EvidenceSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField())
    kind = serializers.CharField(required=False, default="other")


def decision_action(decision: str, attribute: str = ""):
    """``POST …/requests/{id}/<decision>/``: one step of the flow, taken through services.decide."""

    def handler(self, request, pk=None):
        return self._decide(request, decision)

    handler.__name__ = attribute or decision  # DRF dispatches on the attribute's name
    handler.__doc__ = f"{decision.capitalize()} the request (the service checks who may, at this step)."
    routed = action(detail=True, methods=["post"], url_path=decision)(handler)
    return extend_schema(request=DecisionSerializer, responses=RequestSerializer)(routed)


class RequestViewSet(ScopedActionsMixin, TimelineMixin, ScopedViewSet):
    """Disbursement requests: submit (multipart with ``files``), then review (office) → approve → pay (finance),
    or return / reject with a reason; a returned request is corrected with PUT/PATCH and so resubmitted."""

    model = DisbursementRequest
    serializer_class = RequestSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    timeline_field = "request"
    action_scopes = {a: "view" for a in ("review", "approve", "pay", "return_", "reject", "evidence", "timeline")}

    def optimise(self, queryset):
        return queryset.select_related("allocation__project")

    def _input(self, data, instance=None) -> services.RequestInput:
        return services.RequestInput(
            amount=data.get("amount", getattr(instance, "amount", None)),
            purpose=data.get("purpose", getattr(instance, "purpose", "")),
            payee=data.get("payee", getattr(instance, "payee", "")),
            milestone=data.get("milestone", getattr(instance, "milestone", None)),
            allocation=data.get(
                "allocation", None if getattr(instance, "milestone_id", None) else getattr(instance, "allocation", None)
            ),
            sub_item=data.get("sub_item", getattr(instance, "sub_item", None)),
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        obj = run(services.submit_request, request.user, request.programme, self._input(data), data.get("files", []))
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        obj = run(services.resubmit_request, request.user, instance, self._input(data, instance), data.get("files", []))
        return Response(self.get_serializer(obj).data)

    def _decide(self, request, decision: str):
        obj = self.get_object()
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = run(services.decide, request.user, obj, decision, **serializer.validated_data)
        return Response(self.get_serializer(obj).data)

    review = decision_action("review")
    approve = decision_action("approve")
    pay = decision_action("pay")
    return_ = decision_action("return", "return_")
    reject = decision_action("reject")

    @extend_schema(request=EvidenceSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def evidence(self, request, pk=None):
        obj = self.get_object()
        serializer = EvidenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run(
            services.add_evidence,
            request.user,
            obj,
            serializer.validated_data["files"],
            serializer.validated_data["kind"],
        )
        return Response(self.get_serializer(obj).data)


# --- appeals ----------------------------------------------------------------------------------------------------


class AppealSerializer(ScopedModelSerializer):
    code = serializers.CharField(read_only=True)
    # Any decision entry may be named; file_appeal checks that the caller may see what it is about.
    decision_entry = serializers.PrimaryKeyRelatedField(queryset=LedgerEntry.objects.all())
    subsidy_line = ScopedPrimaryKeyRelatedField(queryset=SubsidyLine.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Appeal
        fields = [
            "id",
            "code",
            "decision_entry",
            "request",
            "subsidy_line",
            "appellant",
            "grounds",
            "status",
            "deadline",
            "filed_by",
            "created_at",
            "reviewer",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]
        read_only_fields = [
            "request",
            "status",
            "deadline",
            "filed_by",
            "created_at",
            "reviewer",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]
        extra_kwargs = {"appellant": {"required": False}}


class AppealDecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[Appeal.Status.UPHELD, Appeal.Status.DISMISSED])
    reason = serializers.CharField()


class AppealViewSet(ScopedActionsMixin, ScopedViewSet):
    """申诉 against a decision in the ledger: filed → under review → upheld / dismissed, with a deadline."""

    model = Appeal
    serializer_class = AppealSerializer
    action_scopes = {"start_review": "view", "decide": "view"}

    def optimise(self, queryset):
        return queryset.select_related("decision_entry")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        appeal = run(
            services.file_appeal,
            request.user,
            data["decision_entry"],
            data["grounds"],
            appellant=data.get("appellant", ""),
            subsidy_line=data.get("subsidy_line"),
        )
        return Response(self.get_serializer(appeal).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        raise PermissionDenied()

    @action(detail=True, methods=["post"])
    def start_review(self, request, pk=None):
        appeal = run(services.start_appeal_review, request.user, self.get_object())
        return Response(self.get_serializer(appeal).data)

    @extend_schema(request=AppealDecisionSerializer, responses=AppealSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        appeal = self.get_object()  # scope before the body: an outsider learns nothing from validation errors
        serializer = AppealDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appeal = run(services.decide_appeal, request.user, appeal, **serializer.validated_data)
        return Response(self.get_serializer(appeal).data)


# --- ledger -----------------------------------------------------------------------------------------------------


class LedgerHeadSerializer(serializers.Serializer):
    programme = serializers.CharField()
    seq = serializers.IntegerField()
    hash = serializers.CharField()


class LedgerProblemSerializer(serializers.Serializer):
    seq = serializers.IntegerField(allow_null=True)
    entry = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()


class LedgerVerifySerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    entries = serializers.IntegerField()
    daily_heads_checked = serializers.IntegerField()
    problems = LedgerProblemSerializer(many=True)


PROGRAMME_PARAMETER = OpenApiParameter("programme", str, description="示范项目代码（默认为当前项目）", required=False)


class LedgerViewSet(ScopedReadOnlyViewSet):
    """The hash-chained ledger of every fund event (read-only), its head, and verification of the whole chain."""

    model = LedgerEntry
    serializer_class = TimelineEntrySerializer

    def optimise(self, queryset):
        return queryset.order_by("programme_id", "-seq")

    def _programme(self, request):
        """``?programme=code`` among the caller's programmes, else the one they work in; the ledger policy decides."""
        code = request.query_params.get("programme")
        programme = visible_programmes(request.user).filter(code=code).first() if code else request.programme
        return policies.ledger_programme(request.user, programme)

    @extend_schema(parameters=[PROGRAMME_PARAMETER], responses=LedgerHeadSerializer)
    @action(detail=False, pagination_class=None)
    def head(self, request):
        programme = self._programme(request)
        seq, digest = ledger.current_head(programme.pk)
        return Response({"programme": programme.code, "seq": seq, "hash": digest})

    @extend_schema(parameters=[PROGRAMME_PARAMETER], responses=LedgerVerifySerializer)
    @action(detail=False, pagination_class=None)
    def verify(self, request):
        report = ledger.verify(self._programme(request).pk)
        return Response(
            {
                "ok": report.ok,
                "entries": report.entries,
                "daily_heads_checked": report.snapshots,
                "problems": [{"seq": p.seq, "entry": p.entry_id, "reason": p.reason} for p in report.problems],
            }
        )


# --- monthly claim batches (core.claims) --------------------------------------------------------------------------


class SubsidyLineSerializer(ScopedModelSerializer):
    month = serializers.DateField(source="batch.month", read_only=True)
    claim_source = serializers.CharField(source="batch.claim_source", read_only=True)
    facts = serializers.DictField(read_only=True, help_text="what the claim was priced from, as its source states it")

    class Meta:
        model = SubsidyLine
        fields = [
            "id",
            "batch",
            "month",
            "claim_source",
            "subject_id",
            "subject_name",
            "area",
            "facts",
            "amount",
            "reason_code",
            "reason",
        ]


class SubsidyBatchSerializer(ScopedModelSerializer):
    lines = SubsidyLineSerializer(many=True, read_only=True)
    amount = serializers.DecimalField(source="request.amount", **MONEY)
    request_status = serializers.CharField(source="request.status", read_only=True)
    claim_source = serializers.CharField(
        required=False,
        max_length=64,
        help_text="the registered claim source's code (e.g. station_subsidy); may be left out while only one is "
        "registered",
    )
    source = serializers.ChoiceField(choices=["national", "local"], write_only=True, default="national")

    class Meta:
        model = SubsidyBatch
        fields = [
            "id",
            "claim_source",
            "month",
            "request",
            "request_status",
            "amount",
            "source",
            "rule",
            "lines",
            "is_demo",
        ]
        read_only_fields = ["request", "rule", "is_demo"]


class SubsidyBatchViewSet(ScopedActionsMixin, ScopedViewSet):
    """Monthly claim batches (station subsidies and whatever else an app claims through ``core.claims``): POST a
    month and a claim source to price its claims and submit them as one request."""

    model = SubsidyBatch
    serializer_class = SubsidyBatchSerializer
    http_method_names = ["get", "post", "head", "options"]

    def optimise(self, queryset):
        return queryset.select_related("request").prefetch_related("lines")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        batch = run(
            services.create_subsidy_batch,
            request.user,
            request.programme,
            data["month"],
            data["source"],
            claim_source=data.get("claim_source"),
        )
        return Response(self.get_serializer(batch).data, status=status.HTTP_201_CREATED)


class SubsidyLineViewSet(ScopedReadOnlyViewSet):
    """Claim lines: a claimant (a station's operator …) sees only their own."""

    model = SubsidyLine
    serializer_class = SubsidyLineSerializer

    def optimise(self, queryset):
        return queryset.select_related("batch")


ROUTES = [
    ("funds/budget-lines", BudgetLineViewSet),
    ("funds/contracts", ContractViewSet),
    ("funds/requests", RequestViewSet),
    ("funds/appeals", AppealViewSet),
    ("funds/ledger", LedgerViewSet),
    ("funds/subsidy-batches", SubsidyBatchViewSet),
    ("funds/subsidy-lines", SubsidyLineViewSet),
]
