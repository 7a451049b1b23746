from django.contrib.auth import views as auth_views
from django.urls import path

from . import admin_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("otp/setup/", views.otp_setup, name="otp_setup"),
    path("otp/verify/", views.otp_verify, name="otp_verify"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke_api_token, name="api_token_revoke"),
    # administration
    path("organisations/", admin_views.OrganisationListView.as_view(), name="organisation_list"),
    path("organisations/add/", admin_views.OrganisationEditView.as_view(), name="organisation_add"),
    path("organisations/<int:pk>/", admin_views.OrganisationDetailView.as_view(), name="organisation_detail"),
    path("organisations/<int:pk>/edit/", admin_views.OrganisationEditView.as_view(), name="organisation_edit"),
    path("users/", admin_views.UserListView.as_view(), name="user_list"),
    path("users/add/", admin_views.UserCreateView.as_view(), name="user_add"),
    path("users/<int:pk>/", admin_views.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/edit/", admin_views.UserEditView.as_view(), name="user_edit"),
    path("users/<int:pk>/reset-password/", admin_views.reset_password, name="user_reset_password"),
    path("memberships/", admin_views.MembershipListView.as_view(), name="membership_list"),
    path("memberships/add/", admin_views.MembershipEditView.as_view(), name="membership_add"),
    path("memberships/<int:pk>/", admin_views.MembershipDetailView.as_view(), name="membership_detail"),
    path("memberships/<int:pk>/edit/", admin_views.MembershipEditView.as_view(), name="membership_edit"),
    path("roles/", admin_views.RoleListView.as_view(), name="role_list"),
    path("roles/add/", admin_views.role_edit, name="role_add"),
    path("roles/<int:pk>/", admin_views.RoleDetailView.as_view(), name="role_detail"),
    path("roles/<int:pk>/edit/", admin_views.role_edit, name="role_edit"),
    path("lockouts/", admin_views.lockouts, name="lockouts"),
]
