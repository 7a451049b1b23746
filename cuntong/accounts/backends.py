"""Permissions come from memberships: a role's permission set, inside the membership's area."""

from django.contrib.auth.backends import ModelBackend

from cuntong.core.scoping import is_permitted


class MembershipBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        return set().union(*(grant.permissions for grant in user_obj.scope_grants()))

    def has_perm(self, user_obj, perm, obj=None):
        if obj is None:
            return perm in self.get_all_permissions(user_obj)
        if getattr(type(obj), "scope", None) is None:
            return False
        app_label, _dot, codename = perm.partition(".")
        action = codename.rsplit("_", 1)[0]
        return perm in self.get_all_permissions(user_obj) and is_permitted(user_obj, action, obj)
