"""Bulk import of user accounts, each with its first membership (role + scope area + organisation).

Every bad row is reported with its row number and reason; nothing is written unless the whole file is valid. The
same grant rules as the pages apply: an administrator role only from the superuser or the command line, areas and
organisations only inside the importing administrator's scope.
"""

from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cuntong.core import importer as imp
from cuntong.core.actors import recorded_user, restrict
from cuntong.core.importer import Column, RowInvalid, register_importer
from cuntong.geo.models import Area
from cuntong.people.importers import optional_phone

from . import rules, services
from .models import Organisation, Role, User


def _username(value: str) -> str:
    value = value.strip()
    try:
        UnicodeUsernameValidator()(value)
    except ValidationError as exc:
        raise RowInvalid(_("用户名只能包含字母、数字和 @ . + - _")) from exc
    return value


@register_importer("users")
class UserImporter(imp.Importer):
    title = _lazy("用户账号")
    model = User
    columns = (
        Column("username", ("用户名", "username"), required=True, parse=_username),
        Column("display_name", ("姓名", "display_name", "name"), required=True, parse=imp.text),
        Column("phone", ("手机号", "联系电话", "phone"), parse=optional_phone),
        Column("role", ("角色代码", "角色", "role"), required=True, parse=imp.text),
        Column("area", ("管辖范围代码", "区划代码", "scope", "area"), required=True, parse=imp.text),
        Column("organisation", ("所在机构", "机构", "organisation"), parse=imp.text),
        Column("password", ("初始密码", "password"), parse=str),
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.rows_by_username: dict[str, int] = {}
        self.roles = {role.code: role for role in Role.objects.all()} | {role.name: role for role in Role.objects.all()}
        areas = Area.objects.current().filter(level__in=rules.SCOPE_LEVELS)
        organisations = Organisation.objects.filter(is_active=True)
        areas = restrict(areas, self.user, "view")
        organisations = restrict(organisations, self.user, "view")
        self.areas = {area.code: area for area in areas}
        self.organisations: dict[str, list[Organisation]] = {}
        for organisation in organisations:
            for key in {organisation.name, organisation.short_name, organisation.credit_code} - {""}:
                self.organisations.setdefault(key, []).append(organisation)

    def _role(self, text: str) -> Role:
        role = self.roles.get(text)
        if role is None:
            raise RowInvalid(_("没有角色“%(v)s”") % {"v": text}, column=_("角色代码"))
        refusal = rules.grant_refusal(
            grantor_id=getattr(self.user, "pk", None),
            grantor_is_superuser=bool(getattr(self.user, "is_superuser", False)),
            user_id=0,  # a new account: never the grantor itself
            duty=role.duty,
        )
        if refusal:
            raise RowInvalid(str(refusal.message), column=_("角色代码"))
        return role

    def _organisation(self, text: str) -> Organisation | None:
        if not text:
            return None
        found = self.organisations.get(text, [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise RowInvalid(_("机构“%(v)s”不唯一，请填写统一社会信用代码") % {"v": text}, column=_("所在机构"))
        raise RowInvalid(_("找不到机构“%(v)s”，或不在您的管辖范围内") % {"v": text}, column=_("所在机构"))

    def clean_row(self, values, row_number):
        username = values["username"]
        if username in self.rows_by_username:
            raise RowInvalid(
                _("用户名与第%(row)d行重复") % {"row": self.rows_by_username[username]}, column=_("用户名")
            )
        self.rows_by_username[username] = row_number
        if User.objects.filter(username=username).exists():
            raise RowInvalid(_("用户名“%(v)s”已被使用") % {"v": username}, column=_("用户名"))
        values["role"] = self._role(values["role"])
        values["area"] = self.areas.get(values["area"])
        if values["area"] is None:
            raise RowInvalid(
                _("找不到管辖范围代码，或不在您的管辖范围内（只能是省、市、县或乡镇）"), column=_("管辖范围代码")
            )
        values["organisation"] = self._organisation(values["organisation"])
        if values["password"]:
            try:
                password_validation.validate_password(values["password"], User(username=username))
            except ValidationError as exc:
                raise RowInvalid("；".join(exc.messages), column=_("初始密码")) from exc
        return values

    def write(self, cleaned):
        created = [services.create_user(by=recorded_user(self.user), **values).pk for values in cleaned]
        in_scope = restrict(User.objects.all(), self.user, "add").filter(pk__in=created).count()
        if in_scope != len(created):
            raise PermissionDenied(_("部分账号超出了您的管辖范围，未导入任何数据。"))
        return len(created)
