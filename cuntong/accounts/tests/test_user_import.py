"""Bulk import of accounts from XLSX: username, name, phone, role code, scope area code, organisation; every bad row
reported with its row number and reason, nothing written unless the whole file is valid."""

import pytest
from django.urls import reverse

from cuntong.accounts.models import User
from cuntong.core.importer import IMPORTERS
from cuntong.jobs.models import Job
from cuntong.web.testing import HONGYANG, NANXI, PUNING, login, make_user, xlsx_upload

pytestmark = pytest.mark.usefixtures("base_data")
HEADER = ["用户名", "姓名", "手机号", "角色代码", "管辖范围代码", "所在机构", "初始密码"]


def workbook(rows):
    return xlsx_upload(HEADER, rows, "users.xlsx")


def test_a_valid_file_creates_accounts_and_memberships(db):
    sysadmin = make_user("sysadmin", "sysadmin")
    report = IMPORTERS["users"](user=sysadmin).run(
        workbook(
            [
                ["hy.li", "李洪", "13811112222", "township", HONGYANG, "洪阳镇人民政府", "Start#2026ab"],
                ["fin.chen", "陈财", "", "财政局", PUNING, "市财政局", ""],
            ]
        ),
        "users.xlsx",
    )
    assert report.committed and report.written == 2, report.errors
    li = User.objects.get(username="hy.li")
    membership = li.memberships.get()
    assert (membership.role.code, membership.area.code, membership.organisation.name) == (
        "township",
        HONGYANG,
        "洪阳镇人民政府",
    )
    assert li.check_password("Start#2026ab") and li.must_change_password and str(li.phone) == "138****2222"
    chen = User.objects.get(username="fin.chen")
    assert not chen.has_usable_password() and chen.roles == {"finance"}  # role by name; a reset gives a password


def test_every_bad_row_is_reported_and_nothing_written(db):
    make_user("taken", None)
    sysadmin = make_user("sysadmin", "sysadmin", HONGYANG)
    rows = [
        ["ok.user", "正常", "", "township", HONGYANG, "", ""],
        ["taken", "重名", "", "township", HONGYANG, "", ""],
        ["ok.user", "文件内重复", "", "township", HONGYANG, "", ""],
        ["bad name!", "非法用户名", "", "township", HONGYANG, "", ""],
        ["no.role", "无角色", "", "nobody", HONGYANG, "", ""],
        ["far.away", "越界", "", "township", NANXI, "", ""],
        ["village", "村级", "", "township", "445281104201", "", ""],
        ["no.org", "无机构", "", "township", HONGYANG, "不存在的单位", ""],
        ["weak", "弱密码", "", "township", HONGYANG, "", "password"],
        ["phone", "坏电话", "12345", "township", HONGYANG, "", ""],
        ["admin", "管理员", "", "auditadmin", HONGYANG, "", ""],
    ]
    report = IMPORTERS["users"](user=sysadmin).run(workbook(rows), "users.xlsx")
    assert not report.committed and report.written == 0
    columns = {e.row: e.column for e in report.errors}
    assert columns == {
        3: "用户名",
        4: "用户名",
        5: "用户名",
        6: "角色代码",
        7: "管辖范围代码",
        8: "管辖范围代码",
        9: "所在机构",
        10: "初始密码",
        11: "手机号",
        12: "角色代码",
    }
    assert "第2行" in next(e.message for e in report.errors if e.row == 4)
    assert not User.objects.filter(username="ok.user").exists()


def test_the_import_page(db, django_capture_on_commit_callbacks):
    client = login(make_user("sysadmin", "sysadmin"))
    page = client.get(reverse("web:import", args=["users"])).content.decode()
    assert "角色代码" in page and "管辖范围代码" in page
    template = client.get(reverse("web:import", args=["users"]), {"template": "xlsx"})
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("web:import", args=["users"]), {"file": workbook([["x1", "某", "", "township", HONGYANG, "", ""]])}
        )
    assert Job.objects.get().result["written"] == 1 and User.objects.filter(username="x1").exists()
