"""The administration lists' columns (``core.tables``) and the fields of their detail pages."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from cuntong.core.tables import Col, Table

from .models import Membership, Organisation, User


class OrganisationTable(Table):
    name = Col("name", _("名称"), kind="link", order_by="name")
    kind = Col("kind", _("类型"), order_by="kind")
    area = Col("area.name", _("所在区划"))
    credit_code = Col("credit_code", _("统一社会信用代码"))
    contact_name = Col("contact_name", _("联系人"))
    contact_phone = Col("contact_phone", _("联系电话"), kind="personal")
    is_active = Col("is_active", _("有效"), kind="bool")

    class Meta:
        model = Organisation
        phone_hidden = ("area", "credit_code", "contact_name", "contact_phone")


ORGANISATION_DETAIL = (
    Col("name", _("名称")),
    Col("short_name", _("简称")),
    Col("kind", _("类型")),
    Col("area", _("所在区划")),
    Col("programme", _("所属项目")),
    Col("credit_code", _("统一社会信用代码")),
    Col("duties", _("职责")),
    Col("contact_name", _("联系人")),
    Col("contact_phone", _("联系电话"), kind="personal"),
    Col("is_active", _("有效"), kind="bool"),
)


class UserTable(Table):
    username = Col("username", _("用户名"), kind="link", order_by="username")
    display_name = Col("display_name", _("姓名"), order_by="display_name")
    roles = Col(
        "role_summary",
        _("角色（管辖范围）"),
        needs=(Prefetch("memberships", queryset=Membership.objects.select_related("role", "area")),),
    )
    phone = Col("phone", _("手机号"), kind="personal")
    is_active = Col("is_active", _("有效"), kind="bool")
    last_login = Col("last_login", _("最近登录"), kind="datetime", order_by="last_login")

    class Meta:
        model = User
        phone_hidden = ("roles", "phone", "last_login")


USER_DETAIL = (
    Col("username", _("用户名")),
    Col("display_name", _("姓名")),
    Col("phone", _("手机号"), kind="personal"),
    Col("email", _("电子邮箱")),
    Col("is_active", _("有效"), kind="bool"),
    Col("requires_otp", _("须双因素认证"), kind="bool"),
    Col("must_change_password", _("下次登录须修改密码"), kind="bool"),
    Col("password_changed_at", _("密码修改时间"), kind="datetime"),
    Col("last_login", _("最近登录"), kind="datetime"),
    Col("date_joined", _("创建时间"), kind="datetime"),
)


class MembershipTable(Table):
    username = Col("user.username", _("用户名"))
    display_name = Col("user.display_name", _("姓名"))
    role = Col("role.name", _("角色"), kind="link")
    area = Col("area.name", _("管辖范围"))
    organisation = Col("organisation.name", _("所在机构"))
    is_active = Col("is_active", _("有效"), kind="bool")
    valid_until = Col("valid_until", _("有效期至"), kind="date")

    class Meta:
        model = Membership
        phone_hidden = ("display_name", "organisation", "valid_until")


MEMBERSHIP_DETAIL = (
    Col("user", _("用户"), kind="text"),
    Col("role", _("角色")),
    Col("area", _("管辖范围")),
    Col("organisation", _("所在机构")),
    Col("is_active", _("有效"), kind="bool"),
    Col("valid_until", _("有效期至"), kind="date"),
    Col("note", _("备注")),
)
