"""Every URL the application answers, walked as the three people who must not get in (issue #9 item 2).

``walk()`` enumerates the resolver recursively — pages, admin, the DRF router's list/detail routes and their
``@action`` routes — fills each path parameter with a real record of a small dataset that lies in 南溪镇, and
requests every route with GET and an empty POST as:

* anonymous: sent to a login page (302), or 401/403/404/405;
* a signed-in member with no role: 302 to a login page, 403/404/405;
* a member of 洪阳镇 (township staff, with the project office's permissions scoped to 洪阳镇): 302 to login/403/404/405 for every route naming a record it may not see, and no
  page or API answer carries any of those records' text (a station's name on the map, wall or coverage page).

A route may answer anyone only if it is declared public (``core.public``), ``PUBLIC`` (anyone) or ``ANY_MEMBER``
(anyone signed in) lists it, with the reason. A 500 fails everywhere. ``test_walker_reports_an_unguarded_route``
proves the walk catches an open route.
"""

from __future__ import annotations

import datetime
import itertools
import re
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse

from cuntong.accounts.models import Membership, Role
from cuntong.core.importer import IMPORTERS
from cuntong.core.public import declaration_of
from cuntong.web.testing import HONGYANG, NANXI, area, load_base_data, login, make_user, programme

# Routes anyone may open, each with the reason; everything else must refuse strangers.
PUBLIC = {
    "accounts:login": "the sign-in page",
    "admin:login": "Django admin's sign-in page (no data; the admin refuses everyone who is not staff)",
    "admin:logout": "Django admin's sign-out: signs nobody in, shows nothing",
    "set_language": "choosing the interface language",
    "javascript-catalog": "the interface's translations for scripts; no data",
    "admin:jsi18n": "the admin's translations for scripts; no data",
}
# Public pages and endpoints are not listed here: they declare themselves (core/public.py), with their reason, and
# test_public_pages.py checks them. Those opened by a secret in the URL are walked like any other route.
# Routes any signed-in member may use on their own account, whatever their role.
ANY_MEMBER = {
    "accounts:logout": "signing out",
    "accounts:password_change": "changing one's own password",
    "accounts:otp_setup": "setting up one's own second factor",
    "accounts:otp_verify": "entering one's own second factor",
    "accounts:api_tokens": "listing and issuing one's own API tokens",
    "jobs:list": "one's own background jobs (empty for a member who started none)",
    "notify:inbox": "one's own inbox (notify.services.inbox filters by the user)",
    "notify:read": "marking one's own messages read",
    "notify:bell": "the count of one's own unread messages",
    "notify:preferences": "one's own notification channels",
    "notify-notify/inbox-list": "one's own inbox through the API",
    "notify-notify/inbox-read": "marking one's own messages read through the API",
    "api-root": "the API's list of endpoints, no records",
    "api-schema": "the API's description: for members only (issue #10 item 9), no records",
    "api-docs": "the API's description as a page",
    "api-redoc": "the API's description as a page",
}
# Routes answered by a secret in the URL rather than a session: walked with a wrong secret, so they must refuse.
SECRET_IN_URL = {"token": "not-a-real-display-token"}

MONTH = datetime.date(2020, 10, 1)
REFUSED = {302, 401, 403, 404, 405}
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


PATH_PARAM = r"(?<!\?P)<(?:\w+:)?(\w+)>"  # path("<int:pk>/"), not a regex group's "(?P<pk>"


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the pattern when unnamed
    pattern: str
    params: tuple[str, ...]
    resolved: object  # URLPattern


def walk(patterns=None, prefix: str = "", namespace: str = ""):
    """Every route below ``patterns`` (the root URLconf by default); DRF's ``.json`` format-suffix twins skipped."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            if "(?P<format>" in pattern or "<drf_format_suffix:" in pattern:
                continue
            name = f"{namespace}:{entry.name}".strip(":") if entry.name else pattern
            params = tuple(re.findall(PATH_PARAM, pattern) + re.findall(r"\(\?P<(\w+)>", pattern))
            yield Route(name, pattern, params, entry)


def url_for(route: Route, values: dict[str, str]) -> str:
    """The route's path with each parameter replaced by its value (works for path() and DRF's regex routes)."""
    url = re.sub(PATH_PARAM, lambda m: values[m.group(1)], route.pattern)
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], url)
    return "/" + url.replace("^", "").replace("$", "")


# -- the dataset -------------------------------------------------------------------------------------------------


class Dataset:
    """One record of each kind, in 南溪镇 where a record has a township; ``secrets`` are texts a 洪阳镇 member must
    never be shown, ``hidden`` the records it must never open."""

    def __init__(self):
        from cuntong.accounts.api_auth import issue_token
        from cuntong.attachments.models import Attachment
        from cuntong.attachments.services import attach
        from cuntong.audit.models import ChangeRecord, SecurityEvent
        from cuntong.audit.services import log_event
        from cuntong.funds import ledger
        from cuntong.funds import services as funds
        from cuntong.funds.models import LedgerEntry
        from cuntong.funds.tests.factories import contract, contractor_org, contractor_user, milestone_request
        from cuntong.jobs.models import Job
        from cuntong.logistics import models as logistics
        from cuntong.logistics.tests import factories as deliveries
        from cuntong.people.tests.factories import make_resident
        from cuntong.programme.kpi import registry
        from cuntong.programme.models import Project
        from cuntong.stations import services as stations
        from cuntong.stations.models import CandidateSite, DisplayLink, ManagementProposal
        from cuntong.stations.rules import Figures
        from cuntong.stations.tests.factories import make_report, make_station

        load_base_data()
        prog = programme()
        office = make_user("walk-office", "office")
        village = f"{NANXI}201"
        station = make_station(village, name="走查南溪服务点")
        report = make_report(station, MONTH)
        link = DisplayLink.objects.create(
            programme=prog, area=station.area.parent, name="走查南溪大屏", prefix="walk1234", token_hash="0" * 64
        )
        candidate = CandidateSite.objects.create(
            programme=prog, village=station.area, name="走查南溪候选点", latitude="23.45", longitude="116.43"
        )
        resident = make_resident(NANXI, serial=901, name="走查居民")
        attachment = attach(
            resident,
            SimpleUploadedFile("走查证明.pdf", b"%PDF-1.4\n%route walk\n%%EOF\n", "application/pdf"),
            user=None,
            kind=Attachment.Kind.VOUCHER,
        )
        organisation = contractor_org()
        contractor = contractor_user("walk-contractor", organisation)
        signed = contract(office, amount_wan="1", number=1, title="走查合同")
        request = milestone_request(contractor, signed, 1, purpose="走查付款")
        funds.decide(office, request, "reject", reason="走查退回")
        decision = LedgerEntry.objects.get(request=request, event="request_rejected")
        appeal = funds.file_appeal(contractor, decision, "走查申诉")
        batch = funds.create_subsidy_batch(office, prog, MONTH, claim_source="station_subsidy")
        stations.save_report(station, MONTH, Figures(parcels_in=10), reason="录入错误", user=stations.SYSTEM)
        job = Job.objects.create(kind="walk", title="走查任务", programme=prog, created_by=office)
        token, _key = issue_token(office, "走查令牌")
        training = _training_records(station)
        parcel = deliveries.parcel("WALK-NANXI-0001", NANXI, village)
        route = logistics.Route.objects.create(programme=prog, code="walk", name="走查南溪线路", township=area(NANXI))
        carrier = deliveries.carrier("sf")
        logistics_records = {
            "lg_volume": deliveries.volume(NANXI, "zto", MONTH, 10),
            "lg_parcel": parcel,
            "lg_event": parcel.events.get(),
            "lg_outlet": logistics.Outlet.objects.create(
                programme=prog, carrier=carrier, name="走查南溪网点", area=area(NANXI)
            ),
            "lg_route": route,
            "lg_run": logistics.VehicleRun.objects.create(route=route, on=MONTH, vehicle="粤V走查"),
            "lg_fee": logistics.FeeBand.objects.create(programme=prog, carrier=carrier, max_weight_g=500, fee=1),
            "lg_price": logistics.PriceSample.objects.create(
                programme=prog, carrier=carrier, weight_kg=1, zone="far", price=12, on=MONTH, source="走查价格"
            ),
        }
        log_event("login_failed", username="walk-office")
        self.objects = {
            "station": station,
            "report": report,
            "revision": report.revisions.get(),
            "event": station.events.first(),
            "checkin": stations.check_in(station, user=stations.SYSTEM),
            "proposal": ManagementProposal.objects.create(station=station, kind="probation", basis={"months": []}),
            "candidate": candidate,
            "link": link,
            "resident": resident,
            "attachment": attachment,
            "contract": signed,
            "request": request,
            "appeal": appeal,
            "entry": decision,
            "batch": batch,
            "subsidy_line": batch.lines.get(subject_id=station.pk),
            "budget_line": signed.allocation,
            "job": job,
            "token": token,
            "user": office,
            "membership": Membership.objects.get(user=office),
            "role": Role.objects.get(code="office"),
            "organisation": organisation,
            "change": ChangeRecord.objects.filter(object_id=str(station.pk), area=station.area).first(),
            "security_event": SecurityEvent.objects.order_by("pk").first(),
            "area": station.area,
            "project": Project.objects.filter(programme=prog).order_by("number").first(),
            "programme": prog,
            **training,
            **logistics_records,
        }
        self.kpi_key = registry.keys()[0]
        # What a 洪阳镇 member may not open or read: 南溪镇's records, the programme's funds, other people's
        # jobs and tokens, the user register and the audit trail.
        self.hidden = set(self.objects) - {"project", "programme", "budget_line", "organisation", "role", *CATALOGUE}
        self.secrets = {
            "station": station.name,
            "candidate": candidate.name,
            "link": link.name,
            "resident": resident.name,
            "contract": signed.number,
            "contract title": signed.title,
            "request": request.code,
            "appeal": appeal.code,
            "job": job.title,
            "token": token.name,
            "village": station.area.name,
            "ledger head": ledger.current_head(prog.pk)[1],
            "training session": training["training_session"].title,
            "trainee": training["trainee"].name,
            "parcel": parcel.waybill,
            "outlet": "走查南溪网点",
            "delivery route": route.name,
        }
        # pages opened by a working secret in their URL, for the public pages' walk (core/tests/test_public_pages.py)
        from cuntong.training.services import signin_code

        self.tokens = {"training:signin": signin_code(training["training_day"])}
        self.content_type = ContentType.objects.get_for_model(resident)

    def urls(self, route: Route) -> list[tuple[str, set[str]]]:
        """The URLs to request for ``route`` (one per importer for the import page), each with the records it names."""
        values, used = self.values(route)
        if "name" not in route.params:
            return [(url_for(route, values), used)]
        return [(url_for(route, {**values, "name": name}), used) for name in sorted(IMPORTERS)]

    def values(self, route: Route) -> tuple[dict[str, str], set[str]]:
        """Path parameter values for ``route`` and the dataset records they name."""
        key = self.record_for(route)
        obj = self.objects[key] if key else None
        values, used = {}, {key} if key else set()
        for param in route.params:
            if param in ID_PARAMS and obj is not None:
                values[param] = str(obj.code if param == "code" else obj.pk)
            elif param == "name":  # an importer, see urls()
                continue
            elif param in ("pk", "object_id"):  # admin routes: no user of the walk is staff, any id will do
                values[param] = "1"
            else:
                values[param] = {
                    "month": MONTH.strftime("%Y-%m"),
                    "key": self.kpi_key,
                    "action": "review" if "request" in route.name else "start_review",
                    "content_type_id": str(self.content_type.pk),
                    "app_label": "stations",
                    "model_name": "station",
                    "field": "id_number",
                    "url": "walk/",
                    "label": "stations.station",
                    "panel": "attachments",
                    "source": "",
                    **SECRET_IN_URL,
                }[param]
        if route.name == "web:choices":  # a searching choice list: the report filter's stations
            values.update(source="cuntong.stations.filters.ReportFilter", field="station")
        if route.name == "people:reveal":
            values.update(app_label="people", model_name="resident", pk=str(self.objects["resident"].pk))
            used = {"resident"}
        elif route.name == "audit:object_history":
            used = {"station"}
        elif re.search(WHOLE_LEDGER, route.name):
            used = {"entry"}
        return values, used

    def record_for(self, route: Route) -> str | None:
        if not ID_PARAMS & set(route.params) or route.pattern.startswith("admin/"):
            return None
        for pattern, key in ROUTE_RECORDS:
            if re.search(pattern, route.name):
                return key
        raise AssertionError(f"route {route.name} ({route.pattern}) names a record: add it to ROUTE_RECORDS")


# Programme-wide training catalogue records (any member of the programme may read them).
CATALOGUE = {"provider", "trainer", "course", "employer", "job_post"}


def _training_records(station) -> dict:
    """A training session at the walk's 南溪镇 station (one day, today: its sign-in code works), a trainee of that
    village present and followed up, a fair there, and the programme-wide catalogue."""
    from django.utils import timezone

    from cuntong.core.actors import SYSTEM
    from cuntong.people.tests.factories import id_number
    from cuntong.training import services as training
    from cuntong.training.models import (
        Course,
        Employer,
        FairRegistration,
        FollowUp,
        Incubation,
        JobFair,
        JobPost,
        Provider,
        Session,
        Trainee,
        Trainer,
    )

    prog = programme()
    provider = Provider.objects.create(programme=prog, name="走查培训机构")
    course = Course.objects.create(programme=prog, title="走查课程", topic="live")
    session = Session(
        programme=prog,
        code="WALK1",
        title="走查南溪培训班",
        course=course,
        provider=provider,
        area=station.area,
        station=station,
    )
    training.save_session(SYSTEM, session, [timezone.localdate()])
    day = session.days.get()
    trainee = Trainee.objects.create(
        programme=prog, name="走查学员", id_number=id_number(903, born="19900101"), village=station.area
    )
    training.record_attendance(SYSTEM, day, trainee)
    fair = JobFair.objects.create(programme=prog, title="走查对接会", date=MONTH, area=station.area)
    employer = Employer.objects.create(programme=prog, name="走查用工单位")
    return {
        "provider": provider,
        "trainer": Trainer.objects.create(provider=provider, name="走查讲师"),
        "course": course,
        "training_session": session,
        "training_day": day,
        "trainee": trainee,
        "enrolment": session.enrolments.get(),
        "attendance": day.attendances.get(),
        "follow_up": FollowUp.objects.create(trainee=trainee, session=session, due_date=MONTH),
        "incubation": Incubation.objects.create(trainee=trainee, kind="shop", date=MONTH),
        "fair": fair,
        "fair_registration": FairRegistration.objects.create(fair=fair, trainee=trainee, attended=True),
        "employer": employer,
        "job_post": JobPost.objects.create(employer=employer, fair=fair, position="走查岗位"),
    }


# Routes that report on the programme's whole fund ledger: closed to a township scope like each entry.
WHOLE_LEDGER = r"^funds:(dashboard|export|ledger_verify)$|funds/ledger-(head|verify)$"
ID_PARAMS = {"pk", "object_id", "job_id", "entry", "code"}
# Which dataset record a route's id parameter names (first match wins).
ROUTE_RECORDS = [
    (r"^stations:(station_|report_form|checkin$)|^stations-stations-|^web:panel$", "station"),
    (r"^stations:report_detail|station-reports-detail", "report"),
    (r"station-report-revisions", "revision"),
    (r"station-events", "event"),
    (r"station-checkins", "checkin"),
    (r"^stations:proposal_|station-proposals", "proposal"),
    (r"^stations:candidate_|station-candidates", "candidate"),
    (r"^stations:display_link", "link"),
    (r"^stations:plan_result", "job"),
    (r"^people:|residents", "resident"),
    (r"^attachments:(download|thumbnail)", "attachment"),
    (r"^attachments:upload", "resident"),
    (r"^funds:contract_|funds/contracts", "contract"),
    (r"^funds:request_|funds/requests", "request"),
    (r"^funds:appeal_add", "entry"),
    (r"^funds:appeal_|funds/appeals", "appeal"),
    (r"^funds:ledger_|funds/ledger", "entry"),
    (r"^funds:subsidy_line|funds/subsidy-lines", "subsidy_line"),
    (r"^funds:subsidy_|funds/subsidy-batches", "batch"),
    (r"^funds:line_|funds/budget-lines", "budget_line"),
    (r"^jobs:", "job"),
    (r"^logistics:volume_|logistics/volumes-", "lg_volume"),
    (r"^logistics:(parcel_|keeper_return)|logistics/parcels-", "lg_parcel"),
    (r"logistics/parcel-events-", "lg_event"),
    (r"logistics/outlets-", "lg_outlet"),
    (r"logistics/routes-", "lg_route"),
    (r"logistics/runs-", "lg_run"),
    (r"logistics/fees-", "lg_fee"),
    (r"logistics/prices-", "lg_price"),
    (r"^accounts:api_token", "token"),
    (r"^accounts:user_|accounts-users", "user"),
    (r"^accounts:membership_|accounts-memberships", "membership"),
    (r"^accounts:role_|accounts-roles", "role"),
    (r"^accounts:organisation_|accounts-organisations", "organisation"),
    (r"^audit:change_|audit/changes", "change"),
    (r"^audit:event_|audit/events", "security_event"),
    (r"^audit:object_history", "station"),
    (r"^training:session_|training/sessions", "training_session"),
    (r"training/session-days", "training_day"),
    (r"^training:trainee_|training/trainees", "trainee"),
    (r"training/enrolments", "enrolment"),
    (r"training/attendance", "attendance"),
    (r"^training:follow_up_|training/follow-ups", "follow_up"),
    (r"training/incubations", "incubation"),
    (r"training/fair-registrations", "fair_registration"),
    (r"^training:fair_|training/fairs", "fair"),
    (r"^training:provider_|training/providers", "provider"),
    (r"training/trainers", "trainer"),
    (r"^training:course_|training/courses", "course"),
    (r"training/employers", "employer"),
    (r"training/job-posts", "job_post"),
    (r"^geo:|geo-areas", "area"),
    (r"^programme:project_", "project"),
    (r"^programme:|^funds:public_|programme-programmes|^portal$|programme-public/portal", "programme"),
]


# -- the walk ------------------------------------------------------------------------------------------------------


def _refusal(response, *, anonymous: bool) -> str | None:
    """None when ``response`` refuses; otherwise why it does not."""
    status = response.status_code
    if status not in REFUSED:
        return f"answered {status}"
    if status == 302:
        location = response.get("Location", "")
        if not any(login_path in location for login_path in LOGIN_PATHS):
            return f"redirected to {location} instead of a login page" if anonymous else None
    return None


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def walk_application(data: Dataset, routes) -> list[str]:
    """Every failure of the three outsiders on ``routes``, one line each."""
    township_user = make_user("walk-hongyang", "township", HONGYANG)
    # …who also holds the project office's permissions, scoped to 洪阳镇: a township scope opens no programme-wide
    # record (funds, ledger) and nothing of another township, whatever the role's permissions.
    Membership.objects.create(user=township_user, role=Role.objects.get(code="office"), area=area(HONGYANG))
    people = {
        ANONYMOUS: Client(raise_request_exception=False),
        NO_ROLE: _quiet(login(make_user("walk-norole", None))),
        TOWNSHIP: _quiet(login(township_user)),
    }
    failures = []
    for route in routes:
        declaration = declaration_of(route.resolved.callback)
        if route.name in PUBLIC or (declaration is not None and not declaration.by_token):
            continue
        for (url, used), (who, client) in itertools.product(data.urls(route), people.items()):
            if who != ANONYMOUS and route.name in ANY_MEMBER:
                continue
            for method in ("get", "post"):
                problem = _judge(who, getattr(client, method)(url), used, data)
                if problem:
                    failures.append(f"{method.upper()} {url} [{route.name}] as {who}: {problem}")
    return failures


ANONYMOUS, NO_ROLE, TOWNSHIP = "anonymous", "member without a role", "洪阳镇 member"


def _judge(who: str, response, used: set[str], data: Dataset) -> str | None:
    """What is wrong with ``response`` to ``who`` on a URL naming the records ``used``, or None."""
    if response.status_code >= 500:
        return f"server error {response.status_code}"
    if who != TOWNSHIP:
        return _refusal(response, anonymous=who == ANONYMOUS)
    if used & data.hidden:
        reason = _refusal(response, anonymous=False)
        if reason:
            return f"opens {', '.join(sorted(used))} of 南溪镇/the programme — {reason}"
    leaked = [what for what, text in data.secrets.items() if text in _body(response)]
    return f"shows what it may not see: {', '.join(leaked)}" if leaked else None


def _quiet(client: Client) -> Client:
    client.raise_request_exception = False
    return client


def test_every_route_refuses_outsiders(db):
    data = Dataset()
    failures = walk_application(data, list(walk()))
    assert not failures, f"{len(failures)} open routes:\n" + "\n".join(failures)


# -- proof that the walk catches an open route ------------------------------------------------------------------


def unguarded(request):
    from cuntong.stations.models import Station

    return HttpResponse(", ".join(Station.objects.values_list("name", flat=True)))


urlpatterns = [path("walk-unguarded/", unguarded, name="walk-unguarded"), path("", include("cuntong.urls"))]


def test_walker_reports_an_unguarded_route(db, settings):
    real = {route.pattern for route in walk()}
    settings.ROOT_URLCONF = __name__
    added = [route for route in walk() if route.pattern not in real]
    assert [route.name for route in added] == ["walk-unguarded"]
    failures = walk_application(Dataset(), added)
    assert f"GET /walk-unguarded/ [walk-unguarded] as {ANONYMOUS}: answered 200" in failures
    assert f"POST /walk-unguarded/ [walk-unguarded] as {NO_ROLE}: answered 200" in failures
    assert any(line.startswith(f"GET /walk-unguarded/ [walk-unguarded] as {TOWNSHIP}: shows") for line in failures)
    assert reverse("walk-unguarded") == "/walk-unguarded/"
