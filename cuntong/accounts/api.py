"""Organisations, users, memberships and roles over the API: the same scope and the same grant rules as the pages."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import ValidationError

from cuntong.people.api import RevealMixin
from cuntong.web.api import ScopedModelSerializer, ScopedReadOnlyViewSet, ScopedViewSet

from . import policies, services
from .models import Membership, Organisation, Role, User


class OrganisationSerializer(ScopedModelSerializer):
    area_code = serializers.CharField(source="area.code", read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "area",
            "area_code",
            "programme",
            "credit_code",
            "duties",
            "contact_name",
            "contact_phone",
            "is_active",
        ]
        read_only_fields = ["programme"]

    def validate_credit_code(self, value):
        code = value.strip().upper()
        request = self.context["request"]
        programme = self.instance.programme if self.instance else request.programme
        holder = services.credit_code_holder(programme, code, exclude_pk=getattr(self.instance, "pk", None))
        if holder is not None:
            raise ValidationError(_("该统一社会信用代码已登记为“%(name)s”。") % {"name": holder.name})
        return code


class OrganisationViewSet(RevealMixin, ScopedViewSet):
    """Member units, township governments, contractors, training providers, cooperatives inside the caller's scope."""

    model = Organisation
    serializer_class = OrganisationSerializer
    filterset_fields = ["kind", "is_active", "area"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def optimise(self, queryset):
        return queryset.select_related("area")


class MembershipSerializer(ScopedModelSerializer):
    role_code = serializers.CharField(source="role.code", read_only=True)
    area_code = serializers.CharField(source="area.code", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "user",
            "username",
            "role",
            "role_code",
            "area",
            "area_code",
            "organisation",
            "is_active",
            "valid_until",
            "note",
        ]

    def _save(self, instance: Membership) -> Membership:
        try:
            return services.save_membership(instance, by=self.context["request"].user)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc

    def create(self, validated_data):
        return self._save(Membership(**validated_data))

    def update(self, instance, validated_data):
        if "user" in validated_data and validated_data["user"] != instance.user:
            raise ValidationError({"user": _("任职的用户不能更改。")})
        for key, value in validated_data.items():
            setattr(instance, key, value)
        return self._save(instance)


class MembershipViewSet(ScopedViewSet):
    """Who holds which role where. Writes follow the grant rules (三员分立, no self-grants)."""

    model = Membership
    serializer_class = MembershipSerializer
    filterset_fields = ["user", "role", "area", "is_active"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def optimise(self, queryset):
        return queryset.select_related("user", "role", "area")


class UserSerializer(ScopedModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "phone",
            "email",
            "is_active",
            "must_change_password",
            "last_login",
            "date_joined",
            "memberships",
        ]


class UserViewSet(RevealMixin, ScopedReadOnlyViewSet):
    """Accounts inside the caller's scope (accounts are created with their first membership on the pages or by
    import)."""

    model = User
    serializer_class = UserSerializer
    filterset_fields = ["is_active", "username"]

    def optimise(self, queryset):
        return queryset.prefetch_related("memberships__role", "memberships__area")


class RoleSerializer(serializers.ModelSerializer):
    permissions = serializers.SerializerMethodField()

    class Meta:
        model = Role
        fields = [
            "id",
            "code",
            "name",
            "description",
            "duty",
            "own_records_only",
            "requires_otp",
            "is_builtin",
            "permissions",
        ]

    def get_permissions(self, role) -> list[str]:
        return sorted(f"{p.content_type.app_label}.{p.codename}" for p in role.permissions.all())


class RolePermission(permissions.BasePermission):
    def has_permission(self, request, view):
        return policies.may_view_roles(request.user)


class RoleViewSet(viewsets.ReadOnlyModelViewSet):
    """The permission sets (deployment-wide, not scoped by area); edited only on the security administrator's pages."""

    queryset = Role.objects.prefetch_related("permissions__content_type").order_by("code")
    serializer_class = RoleSerializer
    permission_classes = [RolePermission]
    lookup_field = "code"


ROUTES = [
    ("organisations", OrganisationViewSet),
    ("users", UserViewSet),
    ("memberships", MembershipViewSet),
    ("roles", RoleViewSet),
]
