"""``/api/v1/logistics/…``: volumes, parcels (carriers push manifests and status events), outlets, routes, runs,
fee bands and price samples. Writes go through the services; a carrier's token (its organisation's account, an
own-records role) reads and writes its own outlets' parcels only."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from cuntong.stations.api import MonthField, field_errors
from cuntong.web.api import ScopedModelSerializer, ScopedReadOnlyViewSet, ScopedViewSet

from . import policies, services
from .models import (
    Carrier,
    ExpressVolume,
    FeeBand,
    Outlet,
    Parcel,
    ParcelEvent,
    PriceSample,
    Route,
    Source,
    VehicleRun,
)


class CarrierField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Carrier.objects.all(), **kwargs)


class VolumeSerializer(ScopedModelSerializer):
    carrier = CarrierField(help_text="carrier code: ems, sf, zto, yto, sto, yunda, jtexpress, jd …")
    month = MonthField()
    township_code = serializers.CharField(source="township.code", read_only=True)

    class Meta:
        model = ExpressVolume
        fields = ["id", "programme", "township", "township_code", "carrier", "month", "inbound", "outbound", "source"]
        read_only_fields = ["programme", "source"]
        validators = []  # one row per township, carrier and month: the service corrects the existing one


class VolumeViewSet(ScopedViewSet):
    """The postal administration's monthly volumes by township and carrier (下行 inbound, 上行 outbound)."""

    model = ExpressVolume
    serializer_class = VolumeSerializer
    filterset_fields = ["township", "carrier", "month"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def optimise(self, queryset):
        return queryset.select_related("township", "carrier")

    def _save(self, serializer):
        if not self.request.programme:
            raise ValidationError(_("您的账号尚未分配到任何示范项目。"))
        data = {**self._current(serializer.instance), **serializer.validated_data}
        try:
            serializer.instance = services.save_volume(
                self.request.programme,
                data["township"],
                data["carrier"],
                data["month"],
                data.get("inbound", 0),
                data.get("outbound", 0),
                user=self.request.user,
                source=Source.API,
            )
        except DjangoValidationError as exc:
            raise field_errors(exc) from exc

    @staticmethod
    def _current(instance) -> dict:
        if instance is None:
            return {}
        return {n: getattr(instance, n) for n in ("township", "carrier", "month", "inbound", "outbound")}

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer)


class ParcelSerializer(ScopedModelSerializer):
    carrier = serializers.SlugRelatedField(slug_field="code", read_only=True)
    township_code = serializers.CharField(write_only=True, help_text="NBS code of the township (9 digits)")
    village_code = serializers.CharField(write_only=True, required=False, allow_blank=True, default="")
    recipient_phone = serializers.CharField(
        write_only=True, required=False, allow_blank=True, default="", help_text="answered masked"
    )

    class Meta:
        model = Parcel
        fields = [
            "id",
            "outlet",
            "carrier",
            "waybill",
            "township_code",
            "village_code",
            "weight_g",
            "recipient_phone",
            "station",
            "status",
            "fee",
            "arrived_at",
            "delivered_at",
            "held_until",
            "picked_up_at",
            "returned_at",
        ]
        read_only_fields = [
            "carrier",
            "station",
            "status",
            "fee",
            "arrived_at",
            "delivered_at",
            "held_until",
            "picked_up_at",
            "returned_at",
        ]
        validators = []  # a waybill announced twice is the service's refusal, by waybill
        extra_kwargs = {"outlet": {"required": False}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["township_code"] = instance.township.code
        data["village_code"] = instance.village.code if instance.village_id else ""
        data["recipient_phone"] = str(instance.recipient_phone or "")
        return data


class ManifestSerializer(serializers.Serializer):
    outlet = serializers.PrimaryKeyRelatedField(queryset=Outlet.objects.all())
    parcels = ParcelSerializer(many=True)


def _rows(items) -> list[services.ManifestRow]:
    return [
        services.ManifestRow(
            waybill=item["waybill"],
            township_code=item["township_code"],
            village_code=item.get("village_code", ""),
            weight_g=item.get("weight_g", 0),
            recipient_phone=item.get("recipient_phone", ""),
        )
        for item in items
    ]


class ParcelViewSet(ScopedViewSet):
    """Parcels of the shared delivery. A carrier announces its parcels (one, or a manifest of many) and reads their
    status; its token sees its own outlets' parcels only."""

    model = Parcel
    serializer_class = ParcelSerializer
    filterset_fields = ["status", "waybill", "outlet", "station"]
    http_method_names = ["get", "post", "head", "options"]

    def optimise(self, queryset):
        return queryset.select_related("carrier", "township", "village")

    def _announce(self, outlet, items):
        if not policies.outlets_for(self.request.user).filter(pk=outlet.pk).exists():
            raise ValidationError({"outlet": [_("无效的网点。")]})
        try:
            return services.announce(outlet, _rows(items), user=self.request.user, source_note="api")
        except services.StepFailed as exc:
            raise ValidationError({"parcels": [f"{w}: {m}" for w, m in exc.errors.items()]}) from exc

    def perform_create(self, serializer):
        data = serializer.validated_data
        outlet = data.pop("outlet", None)
        if outlet is None:
            raise ValidationError({"outlet": [_("必填")]})
        serializer.instance = self._announce(outlet, [data])[0]

    @extend_schema(
        request=ManifestSerializer,
        responses={201: inline_serializer("ManifestResult", {"created": serializers.IntegerField()})},
    )
    @action(detail=False, methods=["post"])
    def manifest(self, request):
        """A carrier's manifest: many parcels at once, all or none (a bad row refuses the whole manifest)."""
        serializer = ManifestSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        parcels = self._announce(serializer.validated_data["outlet"], serializer.validated_data["parcels"])
        return Response({"created": len(parcels)}, status=status.HTTP_201_CREATED)


class ParcelEventSerializer(ScopedModelSerializer):
    waybill = serializers.CharField(write_only=True, required=False, help_text="instead of parcel")

    class Meta:
        model = ParcelEvent
        fields = ["id", "parcel", "waybill", "step", "status", "at", "station", "run", "note"]
        read_only_fields = ["step", "status", "station", "run"]
        extra_kwargs = {"parcel": {"required": False}, "at": {"required": False}}

    def validate(self, attrs):
        parcel = attrs.get("parcel")
        if parcel is None and attrs.get("waybill"):
            request = self.context["request"]
            parcel = Parcel.objects.restrict(request.user, "view").filter(waybill=attrs["waybill"]).first()
        if parcel is None:
            raise ValidationError({"parcel": [_("未找到运单，或不在您的管辖范围内。")]})
        attrs["parcel"] = parcel
        return attrs


class EventBatchSerializer(serializers.Serializer):
    events = serializers.ListField(
        child=inline_serializer("CarrierEvent", {"waybill": serializers.CharField(), "note": serializers.CharField()}),
        max_length=services.MAX_BATCH,
    )


class ParcelEventViewSet(ScopedViewSet):
    """Every step of every parcel (append-only); a carrier adds status events of its own parcels."""

    model = ParcelEvent
    serializer_class = ParcelEventSerializer
    filterset_fields = ["parcel", "step"]
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(
        request=EventBatchSerializer,
        responses={201: inline_serializer("EventBatchResult", {"created": serializers.IntegerField()})},
    )
    @action(detail=False, methods=["post"])
    def batch(self, request):
        """Up to 1,000 status events of the caller's own parcels at once, all or none."""
        serializer = EventBatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        items = [(e["waybill"], e["note"]) for e in serializer.validated_data["events"]]
        try:
            created = services.carrier_events(items, user=request.user)
        except DjangoValidationError as exc:
            raise field_errors(exc) from exc
        return Response({"created": created}, status=status.HTTP_201_CREATED)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.carrier_event(
            data["parcel"], data.get("note", ""), user=self.request.user, at=data.get("at")
        )


class OutletSerializer(ScopedModelSerializer):
    carrier = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Outlet
        fields = ["id", "carrier", "name", "area", "address", "organisation"]


class OutletViewSet(ScopedReadOnlyViewSet):
    model = Outlet
    serializer_class = OutletSerializer


class RouteSerializer(ScopedModelSerializer):
    class Meta:
        model = Route
        fields = ["id", "code", "name", "township", "stations"]


class RouteViewSet(ScopedReadOnlyViewSet):
    model = Route
    serializer_class = RouteSerializer

    def optimise(self, queryset):
        return queryset.prefetch_related("stations")


class RunSerializer(ScopedModelSerializer):
    class Meta:
        model = VehicleRun
        fields = ["id", "route", "on", "vehicle", "departed_at"]


class RunViewSet(ScopedReadOnlyViewSet):
    model = VehicleRun
    serializer_class = RunSerializer


class FeeBandSerializer(ScopedModelSerializer):
    carrier = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = FeeBand
        fields = ["id", "carrier", "max_weight_g", "fee"]


class FeeBandViewSet(ScopedReadOnlyViewSet):
    model = FeeBand
    serializer_class = FeeBandSerializer


class PriceSerializer(ScopedModelSerializer):
    carrier = CarrierField()

    class Meta:
        model = PriceSample
        fields = ["id", "programme", "carrier", "weight_kg", "zone", "price", "on", "source", "is_generated"]
        read_only_fields = ["programme", "is_generated"]
        validators = []


class PriceViewSet(ScopedViewSet):
    """Express price samples (价格监测), entered or pushed; the volatility alert is on the price watch page."""

    model = PriceSample
    serializer_class = PriceSerializer
    filterset_fields = ["carrier", "zone", "on"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def _save(self, serializer):
        if not self.request.programme:
            raise ValidationError(_("您的账号尚未分配到任何示范项目。"))
        sample = serializer.instance or PriceSample(programme=self.request.programme)
        for key, value in serializer.validated_data.items():
            setattr(sample, key, value)
        try:
            serializer.instance = services.save_price(sample, user=self.request.user)
        except DjangoValidationError as exc:
            raise field_errors(exc) from exc

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer)


ROUTES = [
    ("logistics/volumes", VolumeViewSet),
    ("logistics/parcels", ParcelViewSet),
    ("logistics/parcel-events", ParcelEventViewSet),
    ("logistics/outlets", OutletViewSet),
    ("logistics/routes", RouteViewSet),
    ("logistics/runs", RunViewSet),
    ("logistics/fees", FeeBandViewSet),
    ("logistics/prices", PriceViewSet),
]
