"""Parcel events at volume: carriers' status events through the API in batches against a raw bulk insert of the
same rows, in the same run.

A carrier's account (its own token, scoped to its outlet's parcels) posts ``EVENTS`` status events to
``/api/v1/logistics/parcel-events/batch/`` in batches of 1,000 (Django's test client in-process: the request, token
authentication, the scoped lookup of the waybills, one append-only batch insert per request); the baseline inserts
the same rows with ``append_rows`` alone. Both sides are observed in turns, the same number of times, the same
statistic (``harness.measure``). The ratio is the price of the API's checks over the database's own work.
"""

from __future__ import annotations

import json

from bench.harness import Result, Timing, measure, timed

EVENTS = {"tiny": 2_000, "small": 10_000, "full": 50_000}
PARCELS = {"tiny": 200, "small": 1_000, "full": 5_000}
TIMING = {"tiny": Timing(repeat=1), "small": Timing(repeat=3), "full": Timing(repeat=3)}
BATCH = 1_000


def _setup(parcels: int):
    """A carrier's own outlet and organisation (the demo's outlets have none), its account and token, its parcels."""
    from cuntong.accounts.api_auth import issue_token
    from cuntong.accounts.models import Organisation
    from cuntong.core.actors import SYSTEM
    from cuntong.logistics import services
    from cuntong.logistics.models import Carrier, Outlet
    from cuntong.web.testing import HONGYANG, PUNING, area, make_user, programme

    organisation = Organisation.objects.create(
        name="基准测试快递公司", kind="enterprise", area=area(PUNING), programme=programme()
    )
    outlet = Outlet.objects.create(
        programme=programme(),
        carrier=Carrier.objects.get(code="zto"),
        name="基准测试网点",
        area=area(PUNING),
        organisation=organisation,
    )
    user = make_user("bench-carrier", "contractor", organisation=organisation)
    _token, key = issue_token(user, "bench")
    rows = [services.ManifestRow(f"BENCH{n:07d}", HONGYANG) for n in range(parcels)]
    for start in range(0, parcels, BATCH):
        services.announce(outlet, rows[start : start + BATCH], user=SYSTEM)
    return user, key, [row.waybill for row in rows]


def run(context):
    from django.test import Client

    from cuntong.core.appendonly import append_rows
    from cuntong.logistics.models import Parcel, ParcelEvent

    events, parcels = context.pick(EVENTS), context.pick(PARCELS)
    user, key, waybills = _setup(parcels)
    items = [(waybills[n % parcels], f"派送中 {n}") for n in range(events)]
    batches = [items[start : start + BATCH] for start in range(0, events, BATCH)]
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    found = {p["waybill"]: p for p in Parcel.objects.filter(waybill__in=waybills).values()}

    def through_api():
        for batch in batches:
            body = json.dumps({"events": [{"waybill": w, "note": note} for w, note in batch]})
            response = client.post("/api/v1/logistics/parcel-events/batch/", body, content_type="application/json")
            if response.status_code != 201:
                raise RuntimeError(f"batch refused: {response.status_code} {response.content[:200]!r}")

    def raw_insert():
        append_rows(
            ParcelEvent,
            (
                ParcelEvent(
                    parcel_id=found[w]["id"],
                    programme_id=found[w]["programme_id"],
                    township_id=found[w]["township_id"],
                    step="carrier",
                    status=found[w]["status"],
                    by=user,
                    note=note,
                )
                for w, note in items
            ),
        )

    before = ParcelEvent.objects.filter(step="carrier").count()
    timing = context.pick(TIMING)
    samples = measure({"api": timed(through_api), "raw": timed(raw_insert)}, timing)
    written = ParcelEvent.objects.filter(step="carrier").count() - before
    if written != 2 * events * timing.repeat:
        raise RuntimeError(f"expected {2 * events * timing.repeat} events, found {written}")
    api, raw = samples["api"]["seconds"], samples["raw"]["seconds"]
    detail = {"events": events, "parcels": parcels, "batch": BATCH}
    return [
        Result(
            f"{events:,} parcel events through the API (batches of {BATCH:,})",
            api.per(events),
            "events/s",
            raw.per(events),
            "raw bulk insert",
            detail=detail,
        ),
        Result(f"{events:,} parcel events, raw bulk insert", raw.per(events), "events/s", detail=detail),
    ]
