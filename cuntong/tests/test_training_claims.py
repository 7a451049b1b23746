"""Across apps: training's sessions claim their providers' payment through ``core.claims`` and funds builds, shows
and pays the batch, one per level (each level is paid from its own sub-item of 项目5)."""

import datetime
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cuntong.attachments import services as attachments
from cuntong.funds import services as funds_services
from cuntong.funds.tests.factories import Cast, through
from cuntong.training import services as training
from cuntong.training.tests.factories import make_session, make_trainee
from cuntong.web.testing import HONGYANG, NANXI, login, make_user, programme

OCTOBER = datetime.date(2020, 10, 1)


def photo(session, user) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "PNG")
    attachments.attach(session, SimpleUploadedFile("现场.png", buffer.getvalue()), user=user, kind="photo")


def attend(session, trainees) -> None:
    for day in session.days.all():
        for trainee in trainees:
            training.record_attendance(training.SYSTEM, day, trainee)


def test_a_month_of_sessions_is_one_batch_per_level_with_person_times_as_facts(base_data):
    cast = Cast()
    people = [make_trainee(HONGYANG, n) for n in range(1, 6)]
    two_days = (datetime.date(2020, 10, 12), datetime.date(2020, 10, 13))
    held = make_session(HONGYANG, code="PX-01", days=two_days)
    unphotographed = make_session(HONGYANG, code="PX-02")
    empty = make_session(NANXI, code="PX-03")
    advanced = make_session(HONGYANG, code="TS-01", level="advanced")
    make_session(HONGYANG, code="PX-11", days=(datetime.date(2020, 11, 2),))  # ends in November: not this batch
    attend(held, people)
    attend(unphotographed, people[:2])
    attend(advanced, people[:3])
    for session in (held, empty, advanced):
        photo(session, cast.office)

    batch = funds_services.create_subsidy_batch(
        cast.office, programme(), OCTOBER, claim_source="training_session_inclusive"
    )
    lines = {line.subject_id: line for line in batch.lines.all()}
    assert set(lines) == {held.pk, unphotographed.pk, empty.pk}
    assert lines[held.pk].facts == {
        "level": "inclusive",
        "days": 2,
        "person_times": 10,
        "persons": 5,
        "has_photos": True,
    }
    # plan: 普及型培训 100 元 a person-time
    assert {pk: (line.amount, line.reason_code) for pk, line in lines.items()} == {
        held.pk: (Decimal("1000.00"), "paid"),
        unphotographed.pk: (Decimal("0.00"), "no_photos"),
        empty.pk: (Decimal("0.00"), "no_attendance"),
    }
    request = batch.request
    assert (request.amount, request.sub_item.code) == (Decimal("1000.00"), "inclusive_training")
    assert "2020年10月 普及型培训费用（1 个培训班）" in request.purpose
    page = login(cast.office).get(batch.get_absolute_url()).content.decode()
    for shown in (
        "培训人次",
        "培训人数",
        "普及型",
        "10 人次 × 100.00 元",
        "无考勤记录，不予支付",
        "无培训现场照片佐证",
    ):
        assert shown in page, shown
    assert through(request, cast).status == "paid"

    advanced_batch = funds_services.create_subsidy_batch(
        cast.office, programme(), OCTOBER, claim_source="training_session_advanced"
    )
    line = advanced_batch.lines.get()
    assert (line.subject_id, line.facts["person_times"], line.amount) == (advanced.pk, 3, Decimal("1800.00"))
    assert advanced_batch.request.sub_item.code == "advanced_training"


def test_a_sessions_page_shows_its_claims_card(base_data):
    """funds' claims card (funds/panels.py, on ANY_MODEL pages) shows on a training session's page."""
    cast = Cast()
    session = make_session(HONGYANG, code="PX-21")
    attend(session, [make_trainee(HONGYANG, 1)])
    photo(session, cast.office)
    batch = funds_services.create_subsidy_batch(
        cast.office, programme(), OCTOBER, claim_source="training_session_inclusive"
    )
    line = batch.lines.get(subject_id=session.pk)
    html = login(cast.office).get(session.get_absolute_url()).content.decode()
    assert 'id="claim-lines"' in html and line.get_absolute_url() in html
    # a training provider's staff may see the session but hold no fund permission: no card
    provider_staff = make_user("peixun-staff", "training_provider")
    html = login(provider_staff).get(session.get_absolute_url()).content.decode()
    assert 'id="claim-lines"' not in html and line.get_absolute_url() not in html
