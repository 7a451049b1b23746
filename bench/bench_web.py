"""Home page throughput against a trivial view, both served by the same server in the same run.

A real HTTP server (gunicorn, one sync worker) serves both URLs; a client thread pool issues the same number of
requests to each over keep-alive connections, the two in turns, the same number of times (``harness.measure``).
The ratio (home ÷ trivial) is the figure that matters: the cost of the real page relative to what the framework alone
costs on this machine at this moment.
"""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection

from bench.harness import Result, Timing, measure

# Requests per observation, and how often each side is observed.
REQUESTS = {"tiny": 40, "small": 150, "full": 400}
TIMING = {"tiny": Timing(repeat=1), "small": Timing(repeat=3, statistic="median"), "full": Timing(5, "median")}
THREADS = 4


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
    port = _free_port()
    env = {**os.environ, "CUNTONG_BENCH_TRIVIAL_VIEW": "1", "CUNTONG_DEBUG": "0", "CUNTONG_ALLOWED_HOSTS": "127.0.0.1"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cuntong.wsgi",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
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
        samples = measure(
            {
                "trivial": lambda: _serve(port, "/bench/trivial/", cookie, requests),
                "home": lambda: _serve(port, "/", cookie, requests),
            },
            context.pick(TIMING),
            warmup=True,  # caches and connections warm for both pages alike
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    trivial, home = samples["trivial"]["seconds"].per(requests), samples["home"]["seconds"].per(requests)
    detail = {"requests_per_observation": requests, "client_threads": THREADS}
    return [
        Result("trivial view (baseline)", trivial, "req/s", detail=detail),
        Result(
            "home page (programme overview)",
            home,
            "req/s",
            baseline_sample=trivial,
            baseline_name="trivial",
            target="ratio reported",
            detail=detail,
        ),
    ]
