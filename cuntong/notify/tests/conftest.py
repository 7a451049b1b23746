"""Fixtures of the notification tests: channels switched on by settings, a channel that fails on demand, and a
local HTTP server standing in for webhooks and the SMS gateway."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cuntong.notify import channels
from cuntong.notify.channels import Channel, ChannelError


@pytest.fixture
def notify_settings(settings):
    """Console and the fake channels on; three attempts, 60 s doubling, capped at 10 min."""
    settings.NOTIFY = {
        **channels.DEFAULTS,
        "channels": ["console", "email", "flaky"],
        "max_attempts": 3,
        "retry_base": 60,
        "retry_cap": 600,
        "site_url": "https://cuntong.example.gov.cn",
    }
    return settings.NOTIFY


class FlakyChannel(Channel):
    """Fails ``failures`` times (with a phone number in its error, which must be recorded masked), then sends."""

    code, label = "flaky", "flaky"

    def __init__(self):
        self.failures = 0
        self.calls = []

    def address(self, user) -> str:
        return user.username

    def send(self, message):
        self.calls.append(message)
        if self.failures:
            self.failures -= 1
            raise ChannelError("gateway down for 13812345678")


@pytest.fixture
def flaky(notify_settings):
    channel = FlakyChannel()
    channels.register_channel(channel)
    yield channel
    channels.CHANNELS.pop("flaky", None)


class Gateway:
    """What the fake server was sent, and what it answers next."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        self.answer: dict = {"errcode": 0, "errmsg": "ok"}


@pytest.fixture
def gateway():
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            state.requests.append(
                {"path": self.path, "headers": dict(self.headers), "json": json.loads(self.rfile.read(length))}
            )
            body = json.dumps(state.answer).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()
