"""A second claim source that is not the stations — a training session paid per person-time, registered here as
the training module would register it — goes through the same pages, services, permissions and ledger as the
stations' operating subsidy; a source the plan does not bind to a sub-item is refused, saying what is missing."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured

from cuntong.accounts.models import Role
from cuntong.core import claims
from cuntong.funds import ledger, services
from cuntong.funds.models import LedgerEntry, SubsidyBatch
from cuntong.funds.rules import FundRuleViolation
from cuntong.web.testing import login, make_user, programme

from .stand_ins import claim, stand_in

OCTOBER = datetime.date(2020, 10, 1)
TRAINING_RULE = {"sub_item": "inclusive_training", "per_person_time_yuan": 20}


def price_session(claim: claims.Claim, rule) -> claims.Priced:
    """A session is paid the plan's rate for each person-time attended; a session nobody attended, nothing."""
    person_times = claim.facts["person_times"]
    if not person_times:
        return claims.Priced(Decimal(0), "no_attendance", "无签到学员")
    rate = Decimal(str(rule["per_person_time_yuan"]))
    return claims.Priced(rate * person_times, "paid", f"{person_times} 人次 × {rate} 元")


def training_source(sessions, plan_rule="training.session_subsidy") -> claims.ClaimSource:
    return claims.ClaimSource(
        code="training_session_subsidy",
        kind=claims.SUBSIDY,
        label="培训场次补贴",
        plan_rule=plan_rule,
        collect=lambda programme_, month: sessions,
        price=price_session,
        facts=(claims.Fact("course", "课程"), claims.Fact("person_times", "培训人次", "number")),
        subject_label="培训场次",
        unit="场",
        payee="各培训机构（见明细）",
        reasons={"paid": "按人次补贴", "no_attendance": "无签到学员"},
    )


@pytest.fixture
def provider(cast):
    """A training provider's staff member, holding the claimant's fund rights the training module would grant."""
    role = Role.objects.get(code="training_provider")
    codenames = ("view_subsidyline", "view_appeal", "add_appeal")
    role.permissions.add(*Permission.objects.filter(content_type__app_label="funds", codename__in=codenames))
    return make_user("peixun1", "training_provider")


@pytest.fixture
def training(cast, provider):
    """The plan binds the training sessions to 普及型培训; three sessions were held in October."""
    prog = programme()
    prog.rules["training"] = {"session_subsidy": TRAINING_RULE}
    prog.save(update_fields=["rules"])
    sessions = [
        claims.Claim(7, "美工班第1期", {"course": "美工", "person_times": 35}, claimant_id=provider.pk),
        claims.Claim(8, "直播班第2期", {"course": "直播", "person_times": 12}),
        claims.Claim(9, "运营班第3期", {"course": "运营", "person_times": 0}),
    ]
    with claims.registered(training_source(sessions)) as source:
        yield source


def test_a_training_batch_is_built_shown_and_approved_like_the_stations(cast, provider, training):
    office = login(cast.office)
    form = office.get("/funds/subsidies/new/").content.decode()
    assert "培训场次补贴" in form and "站点运营补贴" in form  # both sources, one form
    response = office.post(
        "/funds/subsidies/new/", {"claim_source": training.code, "month": "2020-10", "source": "national"}
    )
    batch = SubsidyBatch.objects.get(claim_source=training.code)
    assert response.status_code == 302 and response.url == batch.get_absolute_url()
    lines = {line.subject_id: (line.amount, line.reason_code) for line in batch.lines.all()}
    assert lines == {
        7: (Decimal("700.00"), "paid"),
        8: (Decimal("240.00"), "paid"),
        9: (Decimal("0.00"), "no_attendance"),
    }
    request = batch.request
    assert (request.amount, request.sub_item.code, request.allocation.project.number) == (
        Decimal("940.00"),
        "inclusive_training",
        5,
    )
    assert (request.purpose, request.payee) == ("2020年10月 培训场次补贴（2 场）", "各培训机构（见明细）")
    assert batch.rule == TRAINING_RULE

    # shown through the same pages, with the source's own columns
    page = office.get(batch.get_absolute_url()).content.decode()
    for shown in ("培训场次补贴", "培训场次", "培训人次", "美工班第1期", "35 人次 × 20 元", "无签到学员"):
        assert shown in page, shown
    assert "2020-10 培训场次补贴" in office.get("/funds/subsidies/").content.decode()
    listed = office.get("/funds/subsidies/lines/", {"source": training.code, "reason_code": "paid"}).content.decode()
    assert "美工班第1期" in listed and "运营班第3期" not in listed and "培训人次：35" in listed

    # the same permissions: the evaluator reads it and creates nothing
    evaluator = login(cast.evaluator)
    assert evaluator.get(batch.get_absolute_url()).status_code == 200
    assert evaluator.get("/funds/subsidies/new/").status_code == 403
    refused = evaluator.post("/api/v1/funds/subsidy-batches/", {"month": "2020-11-01", "claim_source": training.code})
    assert refused.status_code == 403

    # approved as one request, by the office's second member and then finance, on the request's pages
    login(cast.office2).post(f"/funds/requests/{request.pk}/review/")
    login(cast.finance).post(f"/funds/requests/{request.pk}/approve/")
    request.refresh_from_db()
    assert request.status == "approved"
    events = list(LedgerEntry.objects.filter(programme=programme()).order_by("seq").values_list("event", "amount"))
    assert events[-4:] == [
        ("request_submitted", Decimal("940.00")),
        ("subsidy_batch_computed", Decimal("940.00")),
        ("request_reviewed", Decimal("940.00")),
        ("request_approved", Decimal("940.00")),
    ]
    computed = LedgerEntry.objects.get(event="subsidy_batch_computed")
    assert computed.payload["source"] == training.code and computed.payload["rule"] == TRAINING_RULE
    assert ledger.verify().ok

    # the provider sees only its own session's line, and may appeal it
    own = batch.lines.get(subject_id=7)
    rows = login(provider).get("/api/v1/funds/subsidy-lines/").json()["results"]
    assert [(row["subject_id"], row["claim_source"], row["facts"]) for row in rows] == [
        (7, training.code, {"course": "美工", "person_times": 35})
    ]
    assert login(provider).get(batch.lines.get(subject_id=8).get_absolute_url()).status_code == 404
    appeal = services.file_appeal(provider, computed, "签到表漏计 3 人次", subsidy_line=own)
    assert appeal.subsidy_line == own


def test_one_batch_per_source_and_month_and_the_source_must_be_named(cast, training):
    with claims.registered(stand_in([claim(1, "洪阳镇服务站", 600)])):
        services.create_subsidy_batch(cast.office, programme(), OCTOBER, claim_source="stand_in")
        services.create_subsidy_batch(cast.office, programme(), OCTOBER, claim_source=training.code)
        response = login(cast.office).post("/api/v1/funds/subsidy-batches/", {"month": "2020-11-01"})
    assert response.status_code == 400 and response.json()["code"] == "claim_source_required"
    assert sorted(SubsidyBatch.objects.values_list("claim_source", "month")) == [
        ("stand_in", OCTOBER),
        (training.code, OCTOBER),
    ]


def test_a_source_without_a_plan_binding_is_refused(cast):
    with pytest.raises(ImproperlyConfigured, match="plan_rule must name the plan rule"):
        training_source([], plan_rule="")
    sessions = [claims.Claim(7, "美工班第1期", {"course": "美工", "person_times": 35})]
    with claims.registered(training_source(sessions)) as source:  # the plan has no rules.training.session_subsidy
        with pytest.raises(FundRuleViolation) as caught:
            services.create_subsidy_batch(cast.office, programme(), OCTOBER, claim_source=source.code)
        assert caught.value.code == "no_plan_binding"
        assert "培训场次补贴" in caught.value.message and "rules.training.session_subsidy" in caught.value.message
        prog = programme()
        prog.rules["training"] = {"session_subsidy": {"sub_item": "no_such_item", "per_person_time_yuan": 20}}
        prog.save(update_fields=["rules"])
        page = login(cast.office).post(
            "/funds/subsidies/new/", {"claim_source": source.code, "month": "2020-10", "source": "national"}
        )
    assert page.status_code == 200 and "没有把“培训场次补贴”绑定到预算子项" in page.content.decode()
    assert not SubsidyBatch.objects.exists() and not LedgerEntry.objects.filter(event="request_submitted").exists()


def test_a_negative_price_is_refused(cast):
    def refund(claim, rule):
        return claims.Priced(Decimal(-1), "refund", "退款")

    with claims.registered(stand_in([claim(1, "甲", 10)], price=refund)), pytest.raises(FundRuleViolation) as caught:
        services.create_subsidy_batch(cast.office, programme(), OCTOBER, claim_source="stand_in")
    assert caught.value.code == "negative_claim"
