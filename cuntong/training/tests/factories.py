"""Training test data: sessions (with their days) held in a township's first test village, trainees with valid ID
numbers (computed check digits)."""

import datetime

from cuntong.audit.context import acting_as
from cuntong.core.actors import SYSTEM
from cuntong.people.tests.factories import id_number
from cuntong.training import services
from cuntong.training.models import Course, Provider, Session, Trainee
from cuntong.web.testing import TEST_VILLAGES, area, programme


def provider(name: str = "测试培训机构") -> Provider:
    found = Provider.objects.filter(programme=programme(), name=name).first()
    return found or Provider.objects.create(programme=programme(), name=name)


def course(level: str = "inclusive", mode: str = "offline", title: str | None = None) -> Course:
    title = title or f"测试课程-{level}-{mode}"
    found = Course.objects.filter(programme=programme(), title=title).first()
    return found or Course.objects.create(programme=programme(), title=title, topic="live", level=level, mode=mode)


def make_session(
    township_code: str,
    *,
    code: str,
    days=(datetime.date(2020, 10, 12),),
    level="inclusive",
    mode="offline",
    title=None,
    station=None,
) -> Session:
    village = area(TEST_VILLAGES[township_code][0][0])
    session = Session(
        programme=programme(),
        code=code,
        title=title or f"测试培训班{code}",
        course=course(level, mode),
        provider=provider(),
        area=station.area if station else village,
        station=station,
        capacity=50,
    )
    with acting_as(None, via="test"):
        return services.save_session(SYSTEM, session, list(days))


def make_trainee(
    township_code: str, serial: int, *, name: str | None = None, village_code: str | None = None, **fields
) -> Trainee:
    village = area(village_code or TEST_VILLAGES[township_code][0][0])
    with acting_as(None, via="test"):
        return Trainee.objects.create(
            programme=programme(),
            name=name or f"测试学员{serial}",
            id_number=fields.pop("id_number", id_number(serial, born="19900101")),
            phone=fields.pop("phone", ""),
            village=village,
            **fields,
        )
