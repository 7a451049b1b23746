import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cuntong.core.forms import ScopedFilterSet
from cuntong.geo.models import Area

from . import rules
from .models import Membership, Organisation, Role, User


class OrganisationFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("名称或信用代码"), method="search")
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=Organisation.Kind.choices)
    is_active = django_filters.BooleanFilter(label=_("有效"))

    class Meta:
        model = Organisation
        fields = ["q", "kind", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__contains=value) | Q(short_name__contains=value) | Q(credit_code=value.upper()))


class UserFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("用户名或姓名"), method="search")
    role = django_filters.ModelChoiceFilter(
        label=_("角色"), field_name="memberships__role", queryset=Role.objects.all(), distinct=True
    )
    is_active = django_filters.BooleanFilter(label=_("有效"))

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(username__icontains=value) | Q(display_name__contains=value))


class MembershipFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("用户名或姓名"), method="search")
    role = django_filters.ModelChoiceFilter(label=_("角色"), queryset=Role.objects.all())
    area = django_filters.ModelChoiceFilter(
        label=_("管辖范围"), queryset=Area.objects.filter(level__in=rules.SCOPE_LEVELS)
    )
    is_active = django_filters.BooleanFilter(label=_("有效"))

    class Meta:
        model = Membership
        fields = ["q", "role", "area", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(user__username__icontains=value) | Q(user__display_name__contains=value))
