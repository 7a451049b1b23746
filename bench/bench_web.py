"""Home page throughput against a trivial view, both served by the same server in the same run.

A real HTTP server (gunicorn, one sync worker) serves both URLs; a client thread pool issues requests over keep-alive
connections for a fixed time. The ratio (home ÷ trivial) is the figure that matters: the cost of the real page
relative to what the framework alone costs on this machine at this moment.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection

from bench.harness import Result

SECONDS = 8


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


def _throughput(port: int, path: str, cookie: str, seconds: float, threads: int = 4) -> float:
    deadline = time.perf_counter() + seconds

    def worker() -> int:
        connection = HTTPConnection("127.0.0.1", port, timeout=30)
        count = 0
        while time.perf_counter() < deadline:
            connection.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}")
            count += 1
        return count

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        total = sum(pool.map(lambda _: worker(), range(threads)))
    return total / (time.perf_counter() - started)


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
        seconds = 3 if context.quick else SECONDS
        _throughput(port, "/", cookie, 1)  # warm caches and connections
        trivial = _throughput(port, "/bench/trivial/", cookie, seconds)
        home = _throughput(port, "/", cookie, seconds)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return [
        Result("trivial view (baseline)", trivial, "req/s"),
        Result(
            "home page (programme overview)",
            home,
            "req/s",
            baseline=trivial,
            baseline_name="trivial",
            target="ratio reported",
        ),
    ]
