"""``/api/v1/notify/inbox/``: the caller's own inbox (list; ``?unread=1`` for unread only) and ``read/`` to mark
messages read (``{"ids": [...]}``, or ``{"all": true}``). Only the caller's messages, whatever their role."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import services
from .models import Message


class MessageSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="notification.kind_label", read_only=True)
    subject = serializers.CharField(source="notification.subject", read_only=True)
    body = serializers.CharField(source="notification.body", read_only=True)
    link = serializers.CharField(source="notification.link", read_only=True)
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "kind", "kind_label", "subject", "body", "link", "created_at", "read_at", "unread"]

    def get_unread(self, obj) -> bool:
        return obj.read_at is None


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, max_length=1000
    )
    all = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        if not attrs.get("all") and not attrs.get("ids"):
            raise serializers.ValidationError({"ids": "give ids, or all: true"})
        return attrs


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


class InboxViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = MessageSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = Message.objects.none()  # the schema's model; requests get the caller's own messages only

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        rows = services.inbox(self.request.user)
        if self.request.query_params.get("unread") == "1":
            rows = rows.filter(read_at__isnull=True)
        return rows

    @extend_schema(request=MarkReadSerializer, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], serializer_class=MarkReadSerializer)
    def read(self, request):
        data = MarkReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = None if data.validated_data.get("all") else data.validated_data["ids"]
        marked = services.mark_read(request.user, ids)
        return Response({"marked": marked, "unread": services.unread_count(request.user)})


ROUTES = [("notify/inbox", InboxViewSet)]
