"""E-commerce training (二(三) 加强农村电子商务培训): a catalogue of providers, trainers and courses; sessions held on
one or more days with their enrolment and attendance; trainees (one record per person, matched by the keyed hash of
the ID number, linked to the registered-poor roster, never copied from it); follow-up and incubation; job fairs.

A person present on one session day is one person-time: ``Attendance`` is unique per (session day, trainee).
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cuntong.core.fields import BlindIndexField, IdentityNumberField, PhoneNumberField
from cuntong.core.models import BusinessModel
from cuntong.core.money import MoneyField
from cuntong.core.scoping import RestrictedQuerySet, Scope

from . import rules


class Topic(models.TextChoices):
    DESIGN = "design", _("美工")
    OPERATIONS = "operations", _("运营")
    LIVE = "live", _("直播")
    SERVICE = "service", _("客服")
    PHOTOGRAPHY = "photography", _("摄影")
    MARKETING = "marketing", _("营销推广")
    BASICS = "basics", _("电商基础")
    OTHER = "other", _("其他")


class Level(models.TextChoices):
    INCLUSIVE = rules.INCLUSIVE, _("普及型")
    ADVANCED = rules.ADVANCED, _("提升型")


class Mode(models.TextChoices):
    OFFLINE = rules.OFFLINE, _("线下")
    ONLINE = rules.ONLINE, _("线上")


class Category(models.TextChoices):
    CADRE = "cadre", _("基层干部")
    COOPERATIVE = "cooperative", _("合作社员")
    YOUTH = "youth", _("创业青年")
    POOR = "poor", _("贫困户")
    OTHER = "other", _("其他")


class Sex(models.TextChoices):
    MALE = "m", _("男")
    FEMALE = "f", _("女")


_CATALOGUE = Scope(programme="programme", shared=True)


class Provider(BusinessModel):
    """A training provider (培训机构); its organisation's members run its sessions."""

    scope = _CATALOGUE

    programme = models.ForeignKey("programme.Programme", verbose_name=_("示范项目"), on_delete=models.PROTECT)
    name = models.CharField(_("机构名称"), max_length=100)
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("对应单位"), on_delete=models.SET_NULL, null=True, blank=True
    )
    qualification = models.CharField(_("资质"), max_length=200, blank=True)
    is_generated = models.BooleanField(_("演示生成数据"), default=False, editable=False)

    class Meta:
        verbose_name = _("培训机构")
        verbose_name_plural = _("培训机构")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("training:provider_detail", args=[self.pk])


class Trainer(BusinessModel):
    scope = Scope(programme="provider__programme", shared=True)

    provider = models.ForeignKey(
        Provider, verbose_name=_("培训机构"), on_delete=models.CASCADE, related_name="trainers"
    )
    name = models.CharField(_("讲师姓名"), max_length=64)
    speciality = models.CharField(_("专长"), max_length=16, choices=Topic.choices, default=Topic.OPERATIONS)

    class Meta:
        verbose_name = _("讲师")
        verbose_name_plural = _("讲师")
        ordering = ["provider", "name"]

    def __str__(self) -> str:
        return self.name


class Course(BusinessModel):
    """A course of the catalogue, by topic and level."""

    scope = _CATALOGUE

    programme = models.ForeignKey("programme.Programme", verbose_name=_("示范项目"), on_delete=models.PROTECT)
    title = models.CharField(_("课程名称"), max_length=100)
    topic = models.CharField(_("主题"), max_length=16, choices=Topic.choices)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices, default=Level.INCLUSIVE)
    mode = models.CharField(_("形式"), max_length=16, choices=Mode.choices, default=Mode.OFFLINE)
    hours = models.PositiveSmallIntegerField(_("课时"), default=6)
    provider = models.ForeignKey(
        Provider, verbose_name=_("培训机构"), on_delete=models.SET_NULL, null=True, blank=True, related_name="courses"
    )

    class Meta:
        verbose_name = _("课程")
        verbose_name_plural = _("课程")
        ordering = ["level", "topic", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("training:course_detail", args=[self.pk])


class Session(BusinessModel):
    """A training session (培训班): a course held by a provider on one or more days at a venue."""

    scope = Scope(programme="programme", area="area", owner_organisation="provider__organisation")

    programme = models.ForeignKey("programme.Programme", verbose_name=_("示范项目"), on_delete=models.PROTECT)
    code = models.CharField(_("培训班编号"), max_length=32)
    title = models.CharField(_("培训班名称"), max_length=100)
    course = models.ForeignKey(Course, verbose_name=_("课程"), on_delete=models.PROTECT, related_name="sessions")
    provider = models.ForeignKey(
        Provider, verbose_name=_("培训机构"), on_delete=models.PROTECT, related_name="sessions"
    )
    trainer = models.ForeignKey(
        Trainer, verbose_name=_("讲师"), on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("举办地"), on_delete=models.PROTECT, related_name="training_sessions"
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("举办站点"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_sessions",
    )
    venue = models.CharField(_("场地"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("计划人数"), null=True, blank=True)
    start_date = models.DateField(_("开始日期"), null=True, blank=True, editable=False)
    end_date = models.DateField(_("结束日期"), null=True, blank=True, editable=False)
    is_generated = models.BooleanField(_("演示生成数据"), default=False, editable=False)

    class Meta:
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        ordering = ["-start_date", "code"]
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="training_session_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("training:session_detail", args=[self.pk])

    @property
    def level(self) -> str:
        return self.course.level


class SessionDay(BusinessModel):
    scope = Scope(
        programme="session__programme", area="session__area", owner_organisation="session__provider__organisation"
    )

    session = models.ForeignKey(Session, verbose_name=_("培训班"), on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("日期"))

    class Meta:
        verbose_name = _("培训日")
        verbose_name_plural = _("培训日")
        ordering = ["session", "date"]
        constraints = [models.UniqueConstraint(fields=["session", "date"], name="training_day_unique")]

    def __str__(self) -> str:
        return f"{self.session.code} {self.date:%Y-%m-%d}"


class TraineeQuerySet(RestrictedQuerySet):
    def with_id_number(self, id_number: str):
        from cuntong.core.fields import lookup_hash

        return self.filter(id_number_hash=lookup_hash("resident_id", id_number))


class Trainee(BusinessModel):
    """One person, one record: matched by the ID number's keyed hash; a registered-poor person is linked to their
    roster entry (``resident``), never copied."""

    scope = Scope(programme="programme", area="village")
    personal_fields = ("name",)

    programme = models.ForeignKey("programme.Programme", verbose_name=_("示范项目"), on_delete=models.PROTECT)
    name = models.CharField(_("姓名"), max_length=64)
    id_number = IdentityNumberField(_("身份证号"))
    id_number_hash = BlindIndexField(source="id_number")
    phone = PhoneNumberField(_("联系电话"), blank=True)
    phone_hash = BlindIndexField(source="phone")
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True, editable=False)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True, editable=False)
    village = models.ForeignKey(
        "geo.Area", verbose_name=_("所在村"), on_delete=models.PROTECT, related_name="trainees", null=True, blank=True
    )
    category = models.CharField(_("学员类别"), max_length=16, choices=Category.choices, default=Category.OTHER)
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("建档立卡人员"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trainees",
    )
    erased_at = models.DateTimeField(_("个人信息删除时间"), null=True, blank=True, editable=False)
    is_generated = models.BooleanField(_("演示生成数据"), default=False, editable=False)

    objects = TraineeQuerySet.as_manager()

    class Meta:
        verbose_name = _("学员")
        verbose_name_plural = _("学员")
        ordering = ["village__code", "name", "pk"]
        permissions = [("reveal_trainee", _("查看学员完整身份证号和电话（须填写事由，记入安全日志）"))]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "id_number_hash"],
                condition=~Q(id_number_hash=""),
                name="training_trainee_id_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_repr(self) -> str:
        from cuntong.audit.changelog import NAME

        return f"{NAME.mask(self.name)} {self.id_number or ''}".strip()

    def get_absolute_url(self) -> str:
        return reverse("training:trainee_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        value = self.id_number
        plain = value.reveal() if hasattr(value, "reveal") else (value or "")
        if plain:
            self.sex = rules.sex_from_id(plain)
            self.birth_date = rules.birth_date_from_id(plain)
        super().save(*args, **kwargs)

    def age_on(self, day):
        return rules.age_on(self.birth_date, day)

    @property
    def is_registered_poor(self) -> bool:
        return self.resident_id is not None


class Enrolment(BusinessModel):
    scope = Scope(
        programme="session__programme", area="session__area", owner_organisation="session__provider__organisation"
    )

    session = models.ForeignKey(Session, verbose_name=_("培训班"), on_delete=models.CASCADE, related_name="enrolments")
    trainee = models.ForeignKey(Trainee, verbose_name=_("学员"), on_delete=models.CASCADE, related_name="enrolments")

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["session", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "trainee"], name="training_enrolment_unique")]

    def __str__(self) -> str:
        return f"{self.session.code} · {self.trainee}"


class Attendance(BusinessModel):
    """A person present on one session day: one person-time. Never twice for the same day (database constraint)."""

    class Method(models.TextChoices):
        QR = "qr", _("扫码签到")
        IMPORT = "import", _("签到表导入")
        LIST = "list", _("名单勾选")

    scope = Scope(
        programme="day__session__programme",
        area="day__session__area",
        owner_organisation="day__session__provider__organisation",
    )

    day = models.ForeignKey(SessionDay, verbose_name=_("培训日"), on_delete=models.CASCADE, related_name="attendances")
    trainee = models.ForeignKey(Trainee, verbose_name=_("学员"), on_delete=models.PROTECT, related_name="attendances")
    method = models.CharField(_("签到方式"), max_length=8, choices=Method.choices, default=Method.LIST)
    recorded_by = models.ForeignKey(
        "accounts.User", verbose_name=_("登记人"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("考勤")
        verbose_name_plural = _("考勤")
        ordering = ["day", "pk"]
        constraints = [models.UniqueConstraint(fields=["day", "trainee"], name="training_attendance_once_per_day")]

    def __str__(self) -> str:
        return f"{self.day} · {self.trainee}"


class FollowUp(BusinessModel):
    """跟踪服务: a trainee's situation after a session, due at the plan's intervals."""

    scope = Scope(programme="trainee__programme", area="trainee__village")

    trainee = models.ForeignKey(Trainee, verbose_name=_("学员"), on_delete=models.CASCADE, related_name="follow_ups")
    session = models.ForeignKey(
        Session, verbose_name=_("培训班"), on_delete=models.CASCADE, related_name="follow_ups", null=True, blank=True
    )
    due_date = models.DateField(_("应回访日期"))
    done_on = models.DateField(_("回访日期"), null=True, blank=True)
    opened_shop = models.BooleanField(_("开设网店"), default=False)
    employed = models.BooleanField(_("实现就业"), default=False)
    started_business = models.BooleanField(_("自主创业"), default=False)
    online_sales = MoneyField(_("月网络销售额（元）"), null=True, blank=True)
    income_change = MoneyField(_("月收入变化（元）"), null=True, blank=True)
    notes = models.TextField(_("情况说明"), blank=True)

    class Meta:
        verbose_name = _("跟踪回访")
        verbose_name_plural = _("跟踪回访")
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["trainee", "session", "due_date"], name="training_follow_up_unique")
        ]

    def __str__(self) -> str:
        return f"{self.trainee} · {self.due_date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("training:follow_up_edit", args=[self.pk])


class Incubation(BusinessModel):
    """孵化服务 given to a trainee (shop set-up, product listing, photos, a live-streaming account, a loan referral)."""

    class Kind(models.TextChoices):
        SHOP = "shop", _("网店开设指导")
        LISTING = "listing", _("产品上架")
        PHOTO = "photo", _("产品拍摄美工")
        LIVE = "live", _("直播账号孵化")
        FINANCE = "finance", _("创业贷款对接")
        OTHER = "other", _("其他")

    scope = Scope(programme="trainee__programme", area="trainee__village")

    trainee = models.ForeignKey(Trainee, verbose_name=_("学员"), on_delete=models.CASCADE, related_name="incubations")
    kind = models.CharField(_("服务类型"), max_length=16, choices=Kind.choices)
    date = models.DateField(_("服务日期"))
    provider = models.ForeignKey(Provider, verbose_name=_("服务机构"), on_delete=models.SET_NULL, null=True, blank=True)
    notes = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("孵化服务")
        verbose_name_plural = _("孵化服务")
        ordering = ["-date", "pk"]

    def __str__(self) -> str:
        return f"{self.trainee} · {self.get_kind_display()}"


class Employer(BusinessModel):
    scope = _CATALOGUE

    programme = models.ForeignKey("programme.Programme", verbose_name=_("示范项目"), on_delete=models.PROTECT)
    name = models.CharField(_("用工单位"), max_length=100)
    industry = models.CharField(_("行业"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("用工单位")
        verbose_name_plural = _("用工单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class JobFair(BusinessModel):
    """用工对接会 organised for trainees."""

    scope = Scope(programme="programme", area="area")

    programme = models.ForeignKey("programme.Programme", verbose_name=_("示范项目"), on_delete=models.PROTECT)
    title = models.CharField(_("对接会名称"), max_length=100)
    date = models.DateField(_("日期"))
    area = models.ForeignKey("geo.Area", verbose_name=_("举办地"), on_delete=models.PROTECT, related_name="job_fairs")
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("举办站点"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    venue = models.CharField(_("场地"), max_length=200, blank=True)
    is_generated = models.BooleanField(_("演示生成数据"), default=False, editable=False)

    class Meta:
        verbose_name = _("用工对接会")
        verbose_name_plural = _("用工对接会")
        ordering = ["-date", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("training:fair_detail", args=[self.pk])


class JobPost(BusinessModel):
    scope = Scope(programme="employer__programme", shared=True)

    employer = models.ForeignKey(Employer, verbose_name=_("用工单位"), on_delete=models.CASCADE, related_name="posts")
    fair = models.ForeignKey(
        JobFair, verbose_name=_("对接会"), on_delete=models.SET_NULL, null=True, blank=True, related_name="posts"
    )
    position = models.CharField(_("岗位"), max_length=64)
    count = models.PositiveIntegerField(_("招聘人数"), default=1)
    pay_min = MoneyField(_("月薪下限（元）"), null=True, blank=True)
    pay_max = MoneyField(_("月薪上限（元）"), null=True, blank=True)

    class Meta:
        verbose_name = _("招聘岗位")
        verbose_name_plural = _("招聘岗位")
        ordering = ["employer", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pay_min__isnull=True) | Q(pay_max__isnull=True) | Q(pay_max__gte=models.F("pay_min")),
                name="training_job_post_pay_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.employer} · {self.position}"


class FairRegistration(BusinessModel):
    scope = Scope(programme="fair__programme", area="fair__area")

    fair = models.ForeignKey(JobFair, verbose_name=_("对接会"), on_delete=models.CASCADE, related_name="registrations")
    trainee = models.ForeignKey(
        Trainee, verbose_name=_("学员"), on_delete=models.CASCADE, related_name="fair_registrations"
    )
    attended = models.BooleanField(_("到场"), default=False)
    offered = models.BooleanField(_("获得录用意向"), default=False)
    hired = models.BooleanField(_("已入职"), default=False)
    employer = models.ForeignKey(
        Employer, verbose_name=_("录用单位"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("对接会报名")
        verbose_name_plural = _("对接会报名")
        ordering = ["fair", "pk"]
        constraints = [models.UniqueConstraint(fields=["fair", "trainee"], name="training_fair_registration_unique")]

    def __str__(self) -> str:
        return f"{self.fair} · {self.trainee}"
