"""The administration pages (not Django's admin): organisations, users, memberships, roles and lockouts.

Organisations, users and memberships are scoped records: their pages are the generic views, so an administrator of
one county manages that county's accounts only. Roles are deployment-wide permission sets, guarded by permission
alone. Each page belongs to one of the three administrators (三员分立) through the permissions its role holds.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import generic
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cuntong.core.scoping import is_permitted
from cuntong.web.views import ObjectDetailView, ObjectEditView, ObjectListView

from . import policies, rules, services, tables
from .filters import MembershipFilter, OrganisationFilter, UserFilter
from .forms import MembershipForm, OrganisationForm, RoleForm, UnlockForm, UserCreateForm, UserForm
from .models import Membership, Organisation, Role, User

# --- organisations -----------------------------------------------------------------------------------------------


class OrganisationListView(ObjectListView):
    table = tables.OrganisationTable
    filterset_class = OrganisationFilter
    add_url_name = "accounts:organisation_add"


class OrganisationDetailView(ObjectDetailView):
    model = Organisation
    template_name = "accounts/organisation_detail.html"
    edit_url_name = "accounts:organisation_edit"
    fields = tables.ORGANISATION_DETAIL

    def optimise(self, queryset):
        return queryset.select_related("area", "programme")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["memberships"] = (
            self.object.memberships.restrict(self.request.user, "view").select_related("user", "role", "area")
            if self.request.user.has_perm("accounts.view_membership")
            else None
        )
        return context


class OrganisationEditView(ObjectEditView):
    model = Organisation
    form_class = OrganisationForm


# --- users -------------------------------------------------------------------------------------------------------


class UserListView(ObjectListView):
    table = tables.UserTable
    filterset_class = UserFilter
    add_url_name = "accounts:user_add"
    import_name = "users"


class UserDetailView(ObjectDetailView):
    model = User
    template_name = "accounts/user_detail.html"
    edit_url_name = "accounts:user_edit"
    fields = tables.USER_DETAIL

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, target = self.request.user, self.object
        context["memberships"] = (
            target.memberships.restrict(user, "view").select_related("role", "area", "organisation")
            if user.has_perm("accounts.view_membership")
            else None
        )
        maintainable = policies.may_maintain(user, target)
        context["can_grant"] = user.has_perm("accounts.add_membership") and maintainable
        context["can_reset"] = maintainable and is_permitted(user, "change", target)
        if not maintainable:
            context["edit_url"] = None
        context["can_read_events"] = user.has_perm("audit.view_securityevent")
        context["can_read_changes"] = user.has_perm("audit.view_changerecord")
        return context


class UserCreateView(ObjectEditView):
    """Creates the account and its first membership; the temporary password is shown once, on this response."""

    model = User
    form_class = UserCreateForm

    def save(self, form):
        data = form.cleaned_data
        self.temporary_password = rules.temporary_password()
        return services.create_user(
            username=data["username"],
            display_name=data["display_name"],
            phone=data["phone"],
            email=data["email"],
            password=self.temporary_password,
            role=data["role"],
            area=data["area"],
            organisation=data["organisation"],
            by=self.request.user,
        )

    def form_valid(self, form):
        super().form_valid(form)
        return render(
            self.request,
            "accounts/password_issued.html",
            {"account": self.object, "password": self.temporary_password, "created": True},
        )


class UserEditView(ObjectEditView):
    model = User
    form_class = UserForm

    def get_object(self, queryset=None):
        account = super().get_object(queryset)
        policies.require_maintain(self.request.user, account)
        return account


@never_cache
@require_POST
@login_required
def reset_password(request, pk):
    """A system administrator issues a temporary password (never for their own account)."""
    target = get_object_or_404(User.objects.restrict(request.user, "change"), pk=pk)
    policies.require_maintain(request.user, target)
    password = services.reset_password(target, by=request.user)
    return render(request, "accounts/password_issued.html", {"account": target, "password": password})


# --- memberships -------------------------------------------------------------------------------------------------


class MembershipListView(ObjectListView):
    table = tables.MembershipTable
    filterset_class = MembershipFilter
    add_url_name = "accounts:membership_add"


class MembershipDetailView(ObjectDetailView):
    model = Membership
    edit_url_name = "accounts:membership_edit"
    fields = tables.MEMBERSHIP_DETAIL

    def optimise(self, queryset):
        return queryset.select_related("user", "role", "area", "organisation")


class MembershipEditView(ObjectEditView):
    model = Membership
    form_class = MembershipForm

    def get_initial(self):
        initial = super().get_initial()
        if "user" in self.request.GET:
            initial["user"] = self.request.GET["user"]
        return initial

    def save(self, form):
        return services.save_membership(form.instance, by=self.request.user)


# --- roles (deployment-wide permission sets) ---------------------------------------------------------------------


class RolesMixin(LoginRequiredMixin, PermissionRequiredMixin):
    raise_exception = True

    def has_permission(self):
        return policies.may_view_roles(self.request.user)


class RoleListView(RolesMixin, generic.ListView):
    template_name = "accounts/role_list.html"

    def get_queryset(self):
        active = Q(memberships__is_active=True)
        return Role.objects.annotate(
            member_count=Count("memberships", filter=active), permission_count=Count("permissions", distinct=True)
        ).order_by("-is_builtin", "duty", "code")


class RoleDetailView(RolesMixin, generic.DetailView):
    model = Role
    template_name = "accounts/role_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        permissions = self.object.permissions.select_related("content_type").order_by(
            "content_type__app_label", "codename"
        )
        context["permissions"] = permissions
        context["can_edit"] = not self.object.is_builtin and self.request.user.has_perm("accounts.change_role")
        return context


@login_required
def role_edit(request, pk=None):
    """The security administrator creates custom roles and edits their permissions and switches."""
    role = get_object_or_404(Role, pk=pk) if pk else None
    if not request.user.has_perm("accounts.change_role" if role else "accounts.add_role"):
        raise PermissionDenied
    if role is not None and role.is_builtin:
        raise PermissionDenied(_("内置角色的权限由系统定义，不能在界面修改。"))
    form = RoleForm(request.POST or None, instance=role)
    if request.method == "POST" and form.is_valid():
        try:
            role = services.save_role(role, form.cleaned_data, by=request.user)
        except ValidationError as exc:
            form.add_error("permissions", exc)
        else:
            messages.success(request, _("角色已保存：%(role)s") % {"role": role})
            return redirect("accounts:role_detail", role.pk)
    return render(request, "accounts/role_edit.html", {"form": form, "object": role})


# --- lockouts ----------------------------------------------------------------------------------------------------


@never_cache
@login_required
@permission_required("accounts.unlock_user", raise_exception=True)
def lockouts(request):
    """Accounts and addresses locked after repeated login failures; the security administrator unlocks them."""
    if request.method == "POST":
        form = UnlockForm(request.POST)
        if form.is_valid():
            services.unlock(
                username=form.cleaned_data["username"] or None,
                address=form.cleaned_data["address"] or None,
                by=request.user,
            )
            messages.success(
                request,
                _("已解锁：%(what)s") % {"what": form.cleaned_data["username"] or form.cleaned_data["address"]},
            )
            return redirect("accounts:lockouts")
        messages.error(request, "；".join(form.non_field_errors()))
    locked = services.lockouts()
    sections = [
        (_("被锁定的账号"), locked["usernames"], "username"),
        (_("被锁定的IP地址"), locked["addresses"], "address"),
    ]
    return render(request, "accounts/lockouts.html", {"sections": sections})
