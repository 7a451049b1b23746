from collections import defaultdict

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cuntong.core.forms import ScopedModelForm, StyledForm
from cuntong.geo.models import Area

from . import policies, roles, rules, services
from .lockout import count_failure
from .models import Membership, Organisation, Role, User


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续失败%(limit)s次后账号将被锁定。"),
        "inactive": _("该账号已停用。"),
    }

    def get_invalid_login_error(self):
        from django.conf import settings

        return forms.ValidationError(
            self.error_messages["invalid_login"], code="invalid_login", params={"limit": settings.AXES_FAILURE_LIMIT}
        )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """A wrong current password counts like a failed login of the account from this address: a stolen session
    cannot guess the password more freely than the login page can."""

    def __init__(self, user, *args, request, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        try:
            return super().clean_old_password()
        except ValidationError:
            count_failure(self.request, self.user.get_username())
            raise


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("6位动态验证码"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class ApiTokenForm(StyledForm):
    LIFETIMES = [(30, _("30天")), (90, _("90天")), (365, _("1年"))]

    name = forms.CharField(label=_("用途"), max_length=64, help_text=_("例如：乡镇数据对接脚本"))
    lifetime_days = forms.TypedChoiceField(label=_("有效期"), choices=LIFETIMES, coerce=int, initial=90)


# --- organisations -----------------------------------------------------------------------------------------------


class OrganisationForm(ScopedModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "short_name",
            "kind",
            "area",
            "credit_code",
            "duties",
            "contact_name",
            "contact_phone",
            "is_active",
        ]
        widgets = {"duties": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = self.fields["area"].queryset.current()  # a cooperative sits in its village

    def clean_credit_code(self):
        code = self.cleaned_data["credit_code"].strip().upper()
        programme = self.instance.programme if self.instance.pk else self.programme
        holder = services.credit_code_holder(programme, code, exclude_pk=self.instance.pk)
        if holder is not None:
            raise ValidationError(_("该统一社会信用代码已登记为“%(name)s”。") % {"name": holder.name})
        return code


# --- users and memberships ---------------------------------------------------------------------------------------


def _scope_areas(field):
    field.queryset = field.queryset.current().filter(level__in=rules.SCOPE_LEVELS)


class UserCreateForm(ScopedModelForm):
    """A new account with its first membership: the role and area it works in."""

    role = forms.ModelChoiceField(label=_("角色"), queryset=Role.objects.none())
    area = forms.ModelChoiceField(label=_("管辖范围"), queryset=Area.objects.all())
    organisation = forms.ModelChoiceField(label=_("所在机构"), queryset=Organisation.objects.all(), required=False)

    class Meta:
        model = User
        fields = ["username", "display_name", "phone", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True
        self.fields["role"].queryset = policies.grantable_roles(self.user)
        _scope_areas(self.fields["area"])  # areas and organisations: the user's and the programme's (ScopedModelForm)


class UserForm(ScopedModelForm):
    class Meta:
        model = User
        fields = ["display_name", "phone", "email", "is_active", "must_change_password"]


class MembershipForm(ScopedModelForm):
    class Meta:
        model = Membership
        fields = ["user", "role", "area", "organisation", "is_active", "valid_until", "note"]
        widgets = {"valid_until": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = policies.grantable_roles(self.user)
        _scope_areas(self.fields["area"])
        if self.instance.pk:
            self.fields["user"].disabled = True

    def _post_clean(self):
        super()._post_clean()
        if self.user is not None and not self.errors:
            try:
                services.check_grant(self.user, self.instance)
            except ValidationError as exc:
                self._update_errors(exc)


# --- roles -------------------------------------------------------------------------------------------------------


class GroupedPermissionField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.content_type.app_label}.{obj.codename})"


def assignable_permissions():
    """What a custom role may contain: application permissions, minus framework internals and what is reserved for
    the three administrators."""
    reserved = frozenset().union(*rules.RESERVED_PERMISSIONS.values())
    internal = roles.PRIVILEGED_APPS - {"accounts", "audit", "people"}
    permissions = Permission.objects.select_related("content_type").exclude(content_type__app_label__in=internal)
    excluded = [p.pk for p in permissions if f"{p.content_type.app_label}.{p.codename}" in reserved]
    return permissions.exclude(pk__in=excluded).order_by("content_type__app_label", "content_type__model", "codename")


class RoleForm(StyledForm):
    code = forms.SlugField(label=_("代码"), max_length=32)
    name = forms.CharField(label=_("名称"), max_length=64)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    own_records_only = forms.BooleanField(label=_("仅本人/本单位记录"), required=False)
    requires_otp = forms.BooleanField(label=_("必须双因素认证"), required=False)
    permissions = GroupedPermissionField(label=_("权限"), queryset=Permission.objects.none(), required=False)

    def __init__(self, *args, instance: Role | None = None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "code": instance.code,
                    "name": instance.name,
                    "description": instance.description,
                    "own_records_only": instance.own_records_only,
                    "requires_otp": instance.requires_otp,
                    "permissions": list(instance.permissions.values_list("pk", flat=True)),
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["permissions"].queryset = assignable_permissions()
        if instance is not None:
            self.fields["code"].disabled = True

    def clean_code(self):
        code = self.cleaned_data["code"]
        if self.instance is None and Role.objects.filter(code=code).exists():
            raise ValidationError(_("角色代码“%(code)s”已存在。") % {"code": code})
        return code

    def grouped_permissions(self):
        """Checkbox widgets grouped by application, for the template."""
        groups = defaultdict(list)
        for checkbox in self["permissions"]:
            groups[checkbox.choice_label.rsplit("(", 1)[-1].split(".")[0]].append(checkbox)
        return sorted(groups.items())


# --- small forms -------------------------------------------------------------------------------------------------


class UnlockForm(forms.Form):
    username = forms.CharField(required=False, max_length=255)
    address = forms.GenericIPAddressField(required=False)

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("username")) == bool(cleaned.get("address")):
            raise ValidationError(_("请指定要解锁的用户名或IP地址（二者选一）。"))
        return cleaned
