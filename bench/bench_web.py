"""The figure pages (home, KPI board, wall data, map data) against a trivial view, all served by one server in one run.

A real HTTP server (gunicorn, one sync worker) serves every URL; a client thread pool issues the same number of
requests to each over keep-alive connections, the pages in turns, the same number of times (``harness.measure``).
The ratios (a page's cost per request ÷ the trivial view's) are the figures that matter: what the real page costs
relative to what the framework alone costs on this machine at this moment. The goal is within 2× (issue 12).

The pages' figures are cached per programme data version (``core.freshness``): with nothing written between
requests, as here, every request after the first is a cache hit, which is what a screen or a busy office sees.

Each scale's data comes from a builder run before its server starts (``SCALES``): ``county`` is what
``python -m bench`` prepared (the demo county, or the tiny base data); with ``--province`` the province's 124
generated counties are added and every page is measured again, and each page's growth between the scales is reported.
"""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection

from bench.harness import Result, Sample, Timing, measure

# Requests per observation, and how often each side is observed.
REQUESTS = {"tiny": 40, "small": 150, "full": 400}
TIMING = {"tiny": Timing(repeat=1), "small": Timing(repeat=3, statistic="median"), "full": Timing(5, "median")}
THREADS = 4
PAGES = {
    "home page (programme overview)": "/",
    "KPI board": "/programme/kpi/",
    "wall data (大屏 JSON)": "/stations/wall/data/",
    "map data (markers JSON)": "/stations/map/data/",
}
TARGET = "within 2× trivial (issue 12)"
# The province (``--province``): Guangdong's 124 counties, generated villages, stations and months of reports
# (bench/province.py). ``full`` is the size of the measurement behind issue 12: ~30,000 villages, ~21,000 stations,
# ~500,000 monthly reports.
PROVINCE = {
    "tiny": {"counties": 6, "villages_per_township": 2, "stations_per_township": 1, "report_months": 2},
    "small": {"counties": 124, "villages_per_township": 3, "stations_per_township": 2, "report_months": 6},
    "full": {"counties": 124, "villages_per_township": 17, "stations_per_township": 12, "report_months": 24},
}


def _build_province(context) -> None:
    from bench.province import build_province

    started = time.perf_counter()
    summary = build_province(**context.pick(PROVINCE))
    print(f"   built the province in {time.perf_counter() - started:.1f} s: {summary}", flush=True)


# Dataset builders by scale: None keeps what `python -m bench` prepared (the demo county, whose office user the
# benchmark signs in as at both scales: the same page for the same user, with the province's data beside it).
SCALES: dict[str, Callable | None] = {"county": None, "province": _build_province}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _session_cookie() -> str:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="office"))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _serve(port: int, path: str, cookie: str, requests: int) -> dict[str, float]:
    """Seconds for ``requests`` GETs of ``path``, shared among the client threads."""
    remaining = iter(range(requests))
    lock = threading.Lock()

    def worker() -> None:
        connection = HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                if next(remaining, None) is None:
                    return
            connection.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}")

    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(lambda _: worker(), range(THREADS)))
    return {"seconds": time.perf_counter() - started}


def run(context):
    """The county scale, and with ``--province`` the province scale after it, with each page's growth between them."""
    results, county = _run_scale(context, "county")
    if not context.province:
        return results
    province_results, province = _run_scale(context, "province")
    results += province_results
    for name in PAGES:
        results.append(
            Result(
                f"{name}: province ÷ county",
                province[name],
                "ms/request",
                baseline_sample=county[name],
                baseline_name="county",
                target="growth reported",
            )
        )
    return results


def _run_scale(context, scale: str, *, dataset: Callable | None = None) -> tuple[list[Result], dict[str, Sample]]:
    """Results at one scale, and each page's sample (ms/request) for the growth between scales."""
    build = dataset if dataset is not None else SCALES[scale]
    if build is not None:
        build(context)
    port = _free_port()
    env = {**os.environ, "CUNTONG_BENCH_TRIVIAL_VIEW": "1", "CUNTONG_DEBUG": "0", "CUNTONG_ALLOWED_HOSTS": "127.0.0.1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "cuntong.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}"]
        + ["--log-level", "warning"],
        env=env,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/trivial/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        cookie = _session_cookie()
        requests = context.pick(REQUESTS)
        paths = {"trivial": "/bench/trivial/", **PAGES}
        samples = measure(
            {name: (lambda path=path: _serve(port, path, cookie, requests)) for name, path in paths.items()},
            context.pick(TIMING),
            warmup=True,  # caches and connections warm for every page alike
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    detail = {"requests_per_observation": requests, "client_threads": THREADS, "scale": scale}
    trivial_ms = _ms_per_request(samples["trivial"]["seconds"], requests)
    label = f" [{scale}]"
    results = [
        Result("trivial view (baseline)" + label, samples["trivial"]["seconds"].per(requests), "req/s", detail=detail),
        Result("trivial view (baseline)" + label, trivial_ms, "ms/request", detail=detail),
    ]
    pages = {name: _ms_per_request(samples[name]["seconds"], requests) for name in PAGES}
    for name, path in PAGES.items():
        results.append(
            Result(
                name + label,
                pages[name],
                "ms/request",
                baseline_sample=trivial_ms,
                baseline_name="trivial",
                target=TARGET,
                detail={**detail, "path": path},
            )
        )
    return results, pages


def _ms_per_request(seconds: Sample, requests: int) -> Sample:
    """Each observation's milliseconds per request: a cost, so the ratio reads "this page costs n× the trivial"."""
    return Sample(tuple(1000 * s / requests for s in seconds.observations), seconds.timing)
