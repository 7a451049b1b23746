"""Built-in roles: DESIGN §1 as permission sets; privileged apps reached only by name; reserved permissions kept
to their administrator; two-factor required for the administrators and finance."""

import pytest

from cuntong.accounts import roles, rules
from cuntong.accounts.models import Role
from cuntong.accounts.services import permission_name


def _names(role: Role) -> set[str]:
    return {permission_name(p) for p in role.permissions.select_related("content_type")}


@pytest.fixture
def builtin(db):
    roles.sync()
    return {role.code: role for role in Role.objects.filter(is_builtin=True)}


def test_every_design_role_exists(builtin):
    assert set(builtin) == {spec.code for spec in roles.BUILTIN_ROLES}
    assert {"office", "finance", "poverty_office", "township", "station_operator", "contractor", "evaluator"} <= set(
        builtin
    )


def test_the_three_administrators_are_distinct_roles_with_their_own_duty(builtin):
    assert {builtin[c].duty for c in ("sysadmin", "secadmin", "auditadmin")} == set(rules.DUTIES)
    assert {r.duty for r in builtin.values()} - {""} == set(rules.DUTIES)


def test_no_builtin_role_holds_another_dutys_reserved_permission(builtin):
    for role in builtin.values():
        assert rules.reserved_violations(role.duty, _names(role)) == set(), role.code


def test_wildcards_never_reach_privileged_apps(builtin):
    for code in ("evaluator", "finance", "postal", "office"):
        apps = {name.split(".")[0] for name in _names(builtin[code])}
        granted_by_name = {
            p.split(".")[0] for spec in roles.BUILTIN_ROLES if spec.code == code for p in spec.permissions
        }
        contributed = {p.split(".")[0] for p in roles._contributed_patterns().get(code, [])}
        assert apps & roles.PRIVILEGED_APPS <= granted_by_name | contributed, code
    assert "people.view_resident" not in _names(builtin["postal"])
    assert "audit.view_securityevent" not in _names(builtin["evaluator"])


def test_roster_readers_and_revealers(builtin):
    readers = {code for code, role in builtin.items() if "people.view_resident" in _names(role)}
    assert readers == {"poverty_office", "office", "township", "evaluator"}
    revealers = {code for code, role in builtin.items() if "people.reveal_resident" in _names(role)}
    assert revealers == {"poverty_office"}


def test_administrators_and_finance_need_two_factor(builtin):
    assert {code for code, role in builtin.items() if role.requires_otp} == {
        "sysadmin",
        "secadmin",
        "auditadmin",
        "finance",
    }


def test_the_audit_administrator_can_change_nothing(builtin):
    assert {name for name in _names(builtin["auditadmin"]) if not name.split(".")[1].startswith("view_")} == set()


def test_sync_is_idempotent_and_restores_edited_builtins(builtin):
    office = builtin["office"]
    before = _names(office)
    office.permissions.clear()
    office.requires_otp = True
    office.save()
    roles.sync()
    roles.sync()
    office.refresh_from_db()
    assert _names(office) == before and office.requires_otp is False
