"""Training lists (``core.tables``) and the fields of detail pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cuntong.core.tables import Col, Table
from cuntong.people.models import Resident

from .models import Course, FollowUp, JobFair, Provider, Session, Trainee


class SessionTable(Table):
    code = Col("code", _("培训班编号"), kind="link", order_by="code")
    title = Col("title", _("培训班名称"))
    level = Col("course.level", _("层级"), needs=("course",))
    topic = Col("course.topic", _("主题"))
    provider = Col("provider.name", _("培训机构"))
    area = Col("area.name", _("举办地"))
    start_date = Col("start_date", _("开始日期"), kind="date", order_by="start_date")
    end_date = Col("end_date", _("结束日期"), kind="date")
    capacity = Col("capacity", _("计划人数"), kind="number")

    class Meta:
        model = Session
        phone_hidden = ("title", "topic", "provider", "end_date", "capacity")


class TraineeTable(Table):
    name = Col("name", _("姓名"), kind="link", order_by="name")
    id_number = Col("id_number", _("身份证号"), kind="personal")
    sex = Col("sex", _("性别"))
    township = Col("village.parent.name", _("乡镇"))
    village = Col("village.name", _("村"), order_by="village__code")
    category = Col("category", _("学员类别"), order_by="category")
    registered_poor = Col("is_registered_poor", _("建档立卡"), kind="bool")

    class Meta:
        model = Trainee
        phone_hidden = ("sex", "township", "registered_poor")


class CourseTable(Table):
    title = Col("title", _("课程名称"), kind="link", order_by="title")
    topic = Col("topic", _("主题"), order_by="topic")
    level = Col("level", _("层级"), order_by="level")
    mode = Col("mode", _("形式"))
    hours = Col("hours", _("课时"), kind="number")
    provider = Col("provider.name", _("培训机构"))

    class Meta:
        model = Course
        phone_hidden = ("mode", "hours", "provider")


class ProviderTable(Table):
    name = Col("name", _("机构名称"), kind="link", order_by="name")
    organisation = Col("organisation.name", _("对应单位"))
    qualification = Col("qualification", _("资质"))

    class Meta:
        model = Provider
        phone_hidden = ("qualification",)


class FollowUpTable(Table):
    trainee = Col("trainee.name", _("学员"), kind="link")
    village = Col("trainee.village.name", _("村"))
    session = Col("session.code", _("培训班"))
    due_date = Col("due_date", _("应回访日期"), kind="date", order_by="due_date")
    done_on = Col("done_on", _("回访日期"), kind="date", order_by="done_on")
    opened_shop = Col("opened_shop", _("开设网店"), kind="bool")
    employed = Col("employed", _("实现就业"), kind="bool")
    started_business = Col("started_business", _("自主创业"), kind="bool")

    class Meta:
        model = FollowUp
        phone_hidden = ("village", "session", "opened_shop", "employed", "started_business")


class JobFairTable(Table):
    title = Col("title", _("对接会名称"), kind="link", order_by="title")
    date = Col("date", _("日期"), kind="date", order_by="date")
    area = Col("area.name", _("举办地"))
    venue = Col("venue", _("场地"))

    class Meta:
        model = JobFair
        phone_hidden = ("venue",)


class UntrainedTable(Table):
    """The coverage drill-down: registered poor of the coverage population not yet trained."""

    name = Col("name", _("姓名"))
    id_number = Col("id_number", _("身份证号"), kind="personal")
    township = Col("village.parent.name", _("乡镇"), order_by="village__parent__code")
    village = Col("village.name", _("村"), order_by="village__code")
    household_number = Col("household_number", _("户编号"))

    class Meta:
        model = Resident
        ordering = ("village__code", "household_number", "pk")
        phone_hidden = ("household_number",)


SESSION_DETAIL = (
    Col("code", _("培训班编号")),
    Col("title", _("培训班名称")),
    Col("course", _("课程")),
    Col("course.level", _("层级")),
    Col("course.topic", _("主题")),
    Col("course.mode", _("形式")),
    Col("provider", _("培训机构")),
    Col("trainer", _("讲师"), hide_empty=True),
    Col("area", _("举办地")),
    Col("station", _("举办站点"), hide_empty=True),
    Col("venue", _("场地"), hide_empty=True),
    Col("capacity", _("计划人数")),
    Col("start_date", _("开始日期"), kind="date"),
    Col("end_date", _("结束日期"), kind="date"),
)

TRAINEE_DETAIL = (
    Col("name", _("姓名")),
    Col("id_number", _("身份证号"), kind="personal"),
    Col("phone", _("联系电话"), kind="personal"),
    Col("sex", _("性别")),
    Col("birth_date", _("出生日期"), kind="date"),
    Col("village.parent", _("乡镇")),
    Col("village", _("村")),
    Col("category", _("学员类别")),
    Col("is_registered_poor", _("建档立卡"), kind="bool"),
)

COURSE_DETAIL = (
    Col("title", _("课程名称")),
    Col("topic", _("主题")),
    Col("level", _("层级")),
    Col("mode", _("形式")),
    Col("hours", _("课时")),
    Col("provider", _("培训机构"), hide_empty=True),
)

PROVIDER_DETAIL = (
    Col("name", _("机构名称")),
    Col("organisation", _("对应单位"), hide_empty=True),
    Col("qualification", _("资质"), hide_empty=True),
)

FAIR_DETAIL = (
    Col("title", _("对接会名称")),
    Col("date", _("日期"), kind="date"),
    Col("area", _("举办地")),
    Col("station", _("举办站点"), hide_empty=True),
    Col("venue", _("场地"), hide_empty=True),
)
