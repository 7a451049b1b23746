"""Demo training (generated data, flagged ``is_generated`` or hanging from generated sessions): providers, courses,
sessions at stations in 2020 with their days and attendance, trainees (a share of the generated registered-poor
roster linked, never copied), follow-ups and two job fairs. Deterministic and idempotent."""

import datetime

from stdnum.cn import ric

from cuntong.audit.context import acting_as
from cuntong.core.actors import SYSTEM
from cuntong.core.demo import demo_step
from cuntong.geo.models import Area
from cuntong.people.models import Resident

from . import services
from .models import (
    Attendance,
    Category,
    Course,
    Employer,
    Enrolment,
    FairRegistration,
    FollowUp,
    JobFair,
    JobPost,
    Provider,
    Session,
    Trainee,
    Trainer,
)

COURSES = (
    ("农产品美工设计入门", "design", "inclusive"),
    ("网店运营基础", "operations", "inclusive"),
    ("短视频与直播带货", "live", "inclusive"),
    ("电商客服实务", "service", "inclusive"),
    ("直播运营进阶", "live", "advanced"),
    ("店铺数据化运营提升", "operations", "advanced"),
)
SURNAMES = "陈林黄张李王吴刘蔡杨许郑"
GIVEN = "晓明嘉欣子豪雅婷俊彦思琪家乐佩珊"


def _id_number(rng, born: datetime.date) -> str:
    body = f"445281{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")


@demo_step(55, "电子商务培训（生成数据）")
def generate_training(context):
    programme = context.programme
    if Provider.objects.filter(programme=programme, is_generated=True).exists():
        return
    rng = context.rng("training")
    with acting_as(None, via="demo"):
        _generate(programme, rng, context)


def _generate(programme, rng, context):
    providers = [
        Provider.objects.create(programme=programme, name=name, qualification="演示机构", is_generated=True)
        for name in ("普宁市电商公共服务中心（演示）", "揭阳职业培训学校（演示）")
    ]
    trainers = [
        Trainer.objects.create(provider=providers[n % 2], name=f"演示讲师{n + 1}", speciality=topic)
        for n, topic in enumerate(("design", "operations", "live"))
    ]
    courses = [
        Course.objects.create(programme=programme, title=title, topic=topic, level=level, provider=providers[n % 2])
        for n, (title, topic, level) in enumerate(COURSES)
    ]
    from cuntong.stations.models import Station  # the venues: a relation's records, read in the demo only

    stations = list(Station.objects.filter(programme=programme).select_related("area").order_by("code")[:8])
    townships = list(
        Area.objects.current().filter(level="township", code__startswith=programme.county.code).order_by("code")[:8]
    )
    roster = list(Resident.objects.filter(programme=programme).poverty_training_population().order_by("pk"))
    rng.shuffle(roster)
    trainees = []
    for resident in roster[: len(roster) * 3 // 5]:
        trainees.append(
            Trainee.objects.create(
                programme=programme,
                name=resident.name,
                id_number=resident.id_number,
                phone=resident.phone or "",
                village=resident.village,
                category=Category.POOR,
                resident=resident,
                is_generated=True,
            )
        )
    villages = list(
        Area.objects.current().filter(level="village", code__startswith=programme.county.code).order_by("code")[:60]
    )
    seen = {t.id_number_hash for t in trainees}
    for _n in range(120):
        born = datetime.date(1975, 1, 1) + datetime.timedelta(days=rng.randint(0, 25 * 365))
        trainee = Trainee(
            programme=programme,
            name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)),
            id_number=_id_number(rng, born),
            village=rng.choice(villages) if villages else None,
            category=rng.choice(("cadre", "cooperative", "youth", "other")),
            is_generated=True,
        )
        from cuntong.core import crypto

        digest = crypto.blind_index("resident_id", trainee.id_number)
        if digest in seen:
            continue
        seen.add(digest)
        trainee.save()
        trainees.append(trainee)
    sessions = []
    start = datetime.date(2020, 6, 8)
    for n in range(10):
        course = courses[n % len(courses)]
        station = stations[n % len(stations)] if stations else None
        area = station.area if station else townships[n % len(townships)]
        session = Session(
            programme=programme,
            code=f"PX2020{n + 1:03d}",
            title=f"{course.title}（第{n + 1}期）",
            course=course,
            provider=course.provider or providers[0],
            trainer=trainers[n % len(trainers)],
            area=area,
            station=station,
            venue=station.name if station else f"{area.name}会议室",
            capacity=60,
            is_generated=True,
        )
        first = start + datetime.timedelta(weeks=2 * n)
        days = [first + datetime.timedelta(days=d) for d in range(rng.choice((1, 2, 3)))]
        services.save_session(SYSTEM, session, days)
        sessions.append(session)
        context.progress(n, 10, session.title)
        attendees = rng.sample(trainees, min(len(trainees), rng.randint(25, 50)))
        for trainee in attendees:
            Enrolment.objects.create(session=session, trainee=trainee)
        for day in session.days.order_by("date"):
            for trainee in attendees:
                if rng.random() < 0.9:
                    Attendance.objects.create(
                        day=day, trainee=trainee, method=rng.choice(("qr", "qr", "import", "list"))
                    )
        services.schedule_follow_ups(session, SYSTEM)
    for n, follow_up in enumerate(FollowUp.objects.filter(session__in=sessions).order_by("due_date", "pk")):
        if follow_up.due_date <= datetime.date(2020, 12, 31) and n % 3:
            follow_up.done_on = follow_up.due_date
            follow_up.opened_shop = rng.random() < 0.3
            follow_up.employed = rng.random() < 0.4
            follow_up.started_business = rng.random() < 0.1
            follow_up.save()
    employers = [
        Employer.objects.create(programme=programme, name=name, industry="电子商务")
        for name in ("普宁纺织电商园（演示）", "流沙直播基地（演示）", "青梅果品网店（演示）")
    ]
    for n in range(2):
        township = townships[n % len(townships)]
        fair = JobFair.objects.create(
            programme=programme,
            title=f"电子商务用工对接会（第{n + 1}场，演示）",
            date=datetime.date(2020, 9 + n * 2, 18),
            area=township,
            venue=f"{township.name}文化广场",
            is_generated=True,
        )
        for employer in employers:
            JobPost.objects.create(
                employer=employer,
                fair=fair,
                position=rng.choice(("主播", "客服", "美工", "运营助理")),
                count=rng.randint(2, 10),
                pay_min=3000,
                pay_max=6000,
            )
        for trainee in rng.sample(trainees, min(len(trainees), 40)):
            attended = rng.random() < 0.85
            offered = attended and rng.random() < 0.4
            FairRegistration.objects.create(
                fair=fair,
                trainee=trainee,
                attended=attended,
                offered=offered,
                hired=offered and rng.random() < 0.6,
                employer=rng.choice(employers) if offered else None,
            )
