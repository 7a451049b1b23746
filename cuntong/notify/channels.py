"""Outbound channels behind one interface: ``Channel.send(message)`` returns when the message is handed over and
raises :class:`ChannelError` (with a short, masked reason) when it is not, so the delivery is retried and recorded.

Built in: the inbox (always; the message is already in it), e-mail (Django's mail), WeCom and DingTalk group robots
(webhooks), an SMS gateway over HTTP, and console/file backends for development and tests. Which are enabled, and
their gateways, come from ``settings.NOTIFY`` (environment variables, see the README's configuration section).
HTTP goes through the standard library, so no client library is needed.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext_lazy as _

from cuntong.core.personal import PersonalValue, mask_text

from . import rules

DEFAULTS = {
    "channels": ["inbox"],
    "site_url": "",
    "max_attempts": 5,
    "retry_base": 60,
    "retry_cap": 3600,
    "timeout": 10,
    "file_path": "",
    "wecom_webhook": "",
    "dingtalk_webhook": "",
    "dingtalk_secret": "",
    "sms_url": "",
    "sms_template": "",
    "sms_sign": "",
    "sms_key": "",
    "sms_secret": "",
}


def conf() -> dict:
    return {**DEFAULTS, **getattr(settings, "NOTIFY", {})}


def retry_policy() -> rules.RetryPolicy:
    c = conf()
    return rules.RetryPolicy(max_attempts=c["max_attempts"], base=c["retry_base"], cap=c["retry_cap"])


class ChannelError(Exception):
    """A message the channel did not take; ``str()`` is the reason recorded on the delivery (masked again there)."""


@dataclass(frozen=True)
class Outgoing:
    """What a channel sends. ``address`` is the plain phone or e-mail, only ever in memory while sending."""

    kind: str
    kind_label: str
    subject: str
    body: str
    link: str  # absolute when CUNTONG_SITE_URL is set
    address: str = ""
    recipient_name: str = ""

    def text(self) -> str:
        return "\n\n".join(part for part in (self.body, self.link) if part)


class Channel(ABC):
    """One way out. ``group`` channels post once per notification (a group robot), not once per recipient."""

    code = ""
    label = ""
    group = False

    def configured(self, c: dict) -> bool:
        return True

    def address(self, user) -> str:
        """The user's plain address on this channel, "" when they have none (the delivery fails at once)."""
        return ""

    def mask(self, address: str) -> str:
        return address

    @abstractmethod
    def send(self, message: Outgoing) -> None:
        """Hand ``message`` over, or raise :class:`ChannelError` with the reason."""


class InboxChannel(Channel):
    code, label = rules.INBOX, _("站内消息")

    def send(self, message: Outgoing) -> None:
        """Nothing to do: ``services.notify`` wrote the message into the inbox."""


class EmailChannel(Channel):
    code, label = "email", _("电子邮件")

    def address(self, user) -> str:
        return (getattr(user, "email", "") or "").strip()

    def mask(self, address: str) -> str:
        return rules.mask_email(address)

    def send(self, message: Outgoing) -> None:
        if not message.address:
            raise ChannelError(_("该用户没有电子邮件地址。"))
        try:
            send_mail(
                f"[{message.kind_label}] {message.subject}",
                message.text(),
                None,
                [message.address],
                fail_silently=False,
            )
        except OSError as exc:  # smtplib errors derive from OSError
            raise ChannelError(f"smtp: {exc}") from exc


class SmsChannel(Channel):
    """An HTTP SMS gateway: POST JSON ``{phone, template, sign, params: {kind, subject, link}}`` to ``sms_url`` with
    ``X-Api-Key``, ``X-Timestamp`` and ``X-Signature`` (hex HMAC-SHA256 of ``timestamp + "\\n" + body`` under
    ``sms_secret``); a 2xx answer whose JSON ``code`` (if any) is 0/"0"/"OK" means taken."""

    code, label = "sms", _("短信")

    def configured(self, c: dict) -> bool:
        return bool(c["sms_url"])

    def address(self, user) -> str:
        phone = getattr(user, "phone", "")
        return phone.reveal() if isinstance(phone, PersonalValue) else (phone or "")

    def mask(self, address: str) -> str:
        return rules.mask_phone(address)

    def send(self, message: Outgoing) -> None:
        c = conf()
        if not c["sms_url"]:
            raise ChannelError(_("短信网关未配置（CUNTONG_SMS_URL）。"))
        if not message.address:
            raise ChannelError(_("该用户没有手机号。"))
        payload = {
            "phone": message.address,
            "template": c["sms_template"],
            "sign": c["sms_sign"],
            "params": {"kind": message.kind_label, "subject": rules.clip(message.subject, 60), "link": message.link},
        }
        body = json.dumps(payload, ensure_ascii=False).encode()
        timestamp = str(int(time.time()))
        signature = hmac.new(c["sms_secret"].encode(), timestamp.encode() + b"\n" + body, hashlib.sha256).hexdigest()
        headers = {"X-Api-Key": c["sms_key"], "X-Timestamp": timestamp, "X-Signature": signature}
        answer = post_json(c["sms_url"], body, headers, c["timeout"])
        code = answer.get("code", 0) if isinstance(answer, dict) else 0
        if str(code) not in ("0", "OK", "ok"):
            raise ChannelError(f"sms gateway: code {code} {answer.get('message', '')}".strip())


class RobotChannel(Channel):
    """A group robot: one post per notification to the configured webhook, answered ``{"errcode": 0}``."""

    group = True
    setting = ""

    def configured(self, c: dict) -> bool:
        return bool(c[self.setting])

    @abstractmethod
    def payload(self, message: Outgoing) -> dict:
        """The robot's JSON body for ``message`` (each vendor's documented format)."""

    def url(self, c: dict) -> str:
        return c[self.setting]

    def send(self, message: Outgoing) -> None:
        c = conf()
        if not c[self.setting]:
            raise ChannelError(_("机器人地址未配置。"))
        body = json.dumps(self.payload(message), ensure_ascii=False).encode()
        answer = post_json(self.url(c), body, {}, c["timeout"])
        if not isinstance(answer, dict) or answer.get("errcode", 0) != 0:
            detail = answer.get("errmsg", "") if isinstance(answer, dict) else ""
            raise ChannelError(
                f"{self.code}: errcode {answer.get('errcode') if isinstance(answer, dict) else '?'} {detail}"
            )


def _markdown(message: Outgoing, heading: str) -> str:
    lines = [f"{heading} {message.subject}", "", message.body]
    if message.link:
        lines += ["", f"[查看 View]({message.link})"]
    return "\n".join(lines).strip()


class WeComChannel(RobotChannel):
    """企业微信群机器人: ``{"msgtype": "markdown", "markdown": {"content": …}}`` to the robot's webhook URL."""

    code, label, setting = "wecom", _("企业微信群"), "wecom_webhook"

    def payload(self, message: Outgoing) -> dict:
        return {"msgtype": "markdown", "markdown": {"content": _markdown(message, "###")}}


class DingTalkChannel(RobotChannel):
    """钉钉群机器人: ``{"msgtype": "markdown", "markdown": {"title", "text"}}``; with a signing secret the URL
    carries ``timestamp`` (ms) and ``sign`` = base64(HMAC-SHA256(secret, timestamp + "\\n" + secret))."""

    code, label, setting = "dingtalk", _("钉钉群"), "dingtalk_webhook"

    def payload(self, message: Outgoing) -> dict:
        return {"msgtype": "markdown", "markdown": {"title": message.subject, "text": _markdown(message, "####")}}

    def url(self, c: dict) -> str:
        url = c[self.setting]
        if not c["dingtalk_secret"]:
            return url
        timestamp = str(int(time.time() * 1000))
        return (
            url
            + ("&" if "?" in url else "?")
            + urllib.parse.urlencode({"timestamp": timestamp, "sign": dingtalk_sign(c["dingtalk_secret"], timestamp)})
        )


def dingtalk_sign(secret: str, timestamp: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class ConsoleChannel(Channel):
    """Development: the message on standard output (the address masked)."""

    code, label = "console", _("控制台（开发）")

    def address(self, user) -> str:
        return getattr(user, "username", "")

    def send(self, message: Outgoing) -> None:
        sys.stdout.write(
            f"[notify] {message.kind} → {message.address}: {message.subject}\n{mask_text(message.text())}\n"
        )
        sys.stdout.flush()


class FileChannel(Channel):
    """Development and tests: one JSON line per message appended to ``NOTIFY["file_path"]``."""

    code, label = "file", _("文件（开发）")

    def configured(self, c: dict) -> bool:
        return bool(c["file_path"])

    def address(self, user) -> str:
        return getattr(user, "username", "")

    def send(self, message: Outgoing) -> None:
        path = conf()["file_path"]
        if not path:
            raise ChannelError(_("文件渠道未配置（CUNTONG_NOTIFY_FILE）。"))
        line = {
            "at": datetime.datetime.now(datetime.UTC).isoformat(),
            "kind": message.kind,
            "to": message.address,
            "subject": message.subject,
            "body": mask_text(message.body),
            "link": message.link,
        }
        try:
            with Path(path).open("a", encoding="utf-8") as out:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise ChannelError(f"file: {exc}") from exc


def post_json(url: str, body: bytes, headers: dict, timeout: float) -> dict:
    """POST ``body`` as JSON; the answer's JSON, or :class:`ChannelError` naming what went wrong (never the body)."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8", **headers}
    )
    host = urllib.parse.urlsplit(url).netloc
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # a configured gateway or robot URL
            raw = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise ChannelError(f"HTTP {exc.code} from {host}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ChannelError(f"{host} unreachable: {reason}") from exc
    try:
        return json.loads(raw or b"{}")
    except ValueError as exc:
        raise ChannelError(f"{host} answered no JSON") from exc


CHANNELS: dict[str, Channel] = {}


def register_channel(channel: Channel) -> Channel:
    CHANNELS[channel.code] = channel
    return channel


for _channel in (
    InboxChannel(),
    EmailChannel(),
    SmsChannel(),
    WeComChannel(),
    DingTalkChannel(),
    ConsoleChannel(),
    FileChannel(),
):
    register_channel(_channel)


def enabled() -> list[str]:
    """Channels this installation sends on: named in ``NOTIFY["channels"]``, known and configured; inbox always."""
    c = conf()
    names = [rules.INBOX, *c["channels"]]
    return [n for i, n in enumerate(names) if n in CHANNELS and n not in names[:i] and CHANNELS[n].configured(c)]


def label_of(code: str) -> str:
    channel = CHANNELS.get(code)
    return channel.label if channel else code
