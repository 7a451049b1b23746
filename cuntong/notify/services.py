"""Sending notifications: ``notify`` writes the inbox messages and one delivery per recipient and channel; a
background task sends each delivery, retrying with back-off (``rules.next_retry``) and recording every attempt.

``notify`` runs inside the caller's transaction: nothing is sent for a change that is rolled back, and deliveries
are enqueued when it commits. Each task carries only a delivery's id; its state lives on the row. A delivery is
claimed by a conditional update before it is sent (and the claim is a lease: a worker that dies mid-send leaves
it due again after ``LEASE``), so a queued task and ``send_due`` (``cuntong notify send``, run by cron or after a
worker outage) never send it twice at once.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from cuntong.core.actors import recorded_user, require_actor
from cuntong.core.personal import PersonalValue, mask_text

from . import channels, registry, rules
from .channels import CHANNELS, ChannelError, Outgoing
from .models import Delivery, DeliveryAttempt, Message, Notification, Preference

logger = logging.getLogger(__name__)

LEASE = datetime.timedelta(minutes=15)
ERROR_LENGTH = 500


class PermanentFailure(ChannelError):
    """A send that retrying cannot mend (no address, channel switched off): failed at once."""


# --- writing ------------------------------------------------------------------------------------------------------


def notify(
    kind: str,
    recipients: Iterable,
    subject: str,
    body: str = "",
    link: str | None = None,
    *,
    actor,
    programme=None,
    area=None,
    dedupe_key: str = "",
    dedupe_period: str = "once",
) -> Notification | None:
    """Tell ``recipients`` (users) about something of ``kind``; None when nobody is left to tell.

    ``actor`` is who causes it (a user, or ``core.actors.SYSTEM`` for scheduled reminders; None is refused).
    ``dedupe_key`` with ``dedupe_period`` ("once", "day", "week", "month") sends one notification per kind,
    recipient and key within the period: a reminder run twice a day reaches nobody twice.
    """
    require_actor(actor)
    spec = registry.get(kind)
    token = rules.dedupe_token(dedupe_key, dedupe_period, timezone.localdate())
    users = list({u.pk: u for u in recipients if u is not None and getattr(u, "is_active", True)}.values())
    for _try in range(2):  # a concurrent notify with the same dedupe key: the second pass skips its recipients
        try:
            with transaction.atomic():
                return _write(spec, users, subject, body, link or "", actor, programme, area, token)
        except IntegrityError:
            if not token:
                raise
    return None


def _write(spec, users, subject, body, link, actor, programme, area, token) -> Notification | None:
    if token:
        told = set(
            Message.objects.filter(kind=spec.code, dedupe=token, recipient__in=users).values_list(
                "recipient_id", flat=True
            )
        )
        users = [u for u in users if u.pk not in told]
    if not users:
        return None
    now = timezone.now()
    notification = Notification.objects.create(
        kind=spec.code,
        subject=rules.clip(subject, 200),
        body=body,
        link=link,
        actor=recorded_user(actor),
        programme=programme,
        area=area,
        created_at=now,
    )
    Message.objects.bulk_create(
        Message(notification=notification, recipient=u, kind=spec.code, dedupe=token, created_at=now) for u in users
    )
    enabled = channels.enabled()
    personal = [c for c in enabled if not CHANNELS[c].group]
    chosen = dict(Preference.objects.filter(user__in=users, kind=spec.code).values_list("user_id", "channels"))
    deliveries = []
    for user in users:
        for code in rules.chosen_channels(spec.default_channels, chosen.get(user.pk), personal):
            delivery = Delivery(notification=notification, recipient=user, channel=code, created_at=now)
            if code == rules.INBOX:  # already there
                delivery.status, delivery.attempts, delivery.sent_at = Delivery.Status.SENT, 1, now
            else:
                address = CHANNELS[code].address(user)
                delivery.address = CHANNELS[code].mask(address) if address else ""
            deliveries.append(delivery)
    for code in spec.default_channels:  # group robots: once per notification, when the kind asks for them
        if code in enabled and CHANNELS[code].group:
            deliveries.append(Delivery(notification=notification, channel=code, created_at=now))
    Delivery.objects.bulk_create(deliveries)
    pending = [d.pk for d in deliveries if d.status == Delivery.Status.PENDING]
    if pending:
        transaction.on_commit(lambda: enqueue(pending))
    return notification


PHONE_CHANNELS = ("sms", "file", "console")  # the channels that can carry a text to a bare phone number


def send_to_phone(
    kind: str,
    phone: str,
    subject: str,
    body: str = "",
    *,
    recorded_subject: str | None = None,
    actor,
    programme=None,
    area=None,
) -> Delivery | None:
    """One text message to ``phone``, a number that is no user's (a parcel's recipient), over the first of the
    kind's channels that can carry it and is enabled (the SMS gateway; the file or console backend in development),
    sent when the caller's transaction commits. The log keeps a notification titled ``recorded_subject`` (what may
    be kept: a pickup code may not) and one delivery to the masked number. The plain number lives only in memory
    until the send, so a failed send is recorded as failed, not retried. None without a number or such a channel."""
    require_actor(actor)
    spec = registry.get(kind)
    phone = (phone.reveal() if isinstance(phone, PersonalValue) else phone or "").strip()
    enabled = channels.enabled()
    code = next((c for c in spec.default_channels if c in PHONE_CHANNELS and c in enabled), None)
    if code is None or not phone:
        return None
    now = timezone.now()
    notification = Notification.objects.create(
        kind=spec.code,
        subject=rules.clip(subject if recorded_subject is None else recorded_subject, 200),
        actor=recorded_user(actor),
        programme=programme,
        area=area,
        created_at=now,
    )
    masked = rules.mask_phone(phone)
    # "Sending" without a lease: ``send_due`` never picks it up (it could not know the number).
    delivery = Delivery.objects.create(
        notification=notification, channel=code, address=masked, status=Delivery.Status.SENDING, created_at=now
    )
    message = Outgoing(
        kind=spec.code,
        kind_label=str(spec.label),
        subject=subject,
        body=body,
        link="",
        address=phone if code == "sms" else masked,  # development backends never see the plain number
    )
    transaction.on_commit(lambda: _send_now(delivery, CHANNELS[code], message))
    return delivery


def _send_now(delivery: Delivery, channel: channels.Channel, message: Outgoing) -> Delivery:
    try:
        channel.send(message)
    except Exception as exc:  # recorded (masked) like any delivery's failure; no retry without the number
        if not isinstance(exc, ChannelError):
            logger.exception("text to a phone, delivery %s over %s, crashed", delivery.pk, delivery.channel)
        return _failed(delivery, exc, permanent=True)
    return _sent(delivery)


def enqueue(delivery_ids: Iterable[int], run_after: datetime.datetime | None = None) -> None:
    """Queue the deliveries' sends; without a deferring backend a later retry waits for ``send_due``."""
    for pk in delivery_ids:
        if run_after is None:
            send_delivery.enqueue(pk)
        elif send_delivery.get_backend().supports_defer:
            send_delivery.using(run_after=run_after).enqueue(pk)


@task()
def send_delivery(delivery_id: int) -> None:
    """Carry one delivery to a worker; what happened is on its row and its attempts."""
    deliver(delivery_id)


# --- sending ------------------------------------------------------------------------------------------------------


def _due(now: datetime.datetime) -> Q:
    waiting = Q(status__in=[Delivery.Status.PENDING, Delivery.Status.RETRYING]) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    abandoned = Q(status=Delivery.Status.SENDING, next_attempt_at__lte=now)
    return waiting | abandoned


def deliver(delivery_id: int) -> Delivery | None:
    """One attempt at one delivery, if it is due; None when it is not (sent, failed, waiting, or taken)."""
    now = timezone.now()
    claimed = Delivery.objects.filter(_due(now), pk=delivery_id).update(
        status=Delivery.Status.SENDING, next_attempt_at=now + LEASE
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("notification", "recipient").get(pk=delivery_id)
    channel = CHANNELS.get(delivery.channel)
    try:
        if channel is None or delivery.channel not in channels.enabled():
            raise PermanentFailure(_("渠道“%(channel)s”未启用。") % {"channel": delivery.channel})
        message = outgoing(delivery, channel)
        if not channel.group and channel.code != rules.INBOX and not message.address:
            raise PermanentFailure(_("接收人在该渠道没有地址。"))
        channel.send(message)
    except Exception as exc:  # any failure is recorded and retried, an unexpected one's traceback logged
        if not isinstance(exc, ChannelError):
            logger.exception("notification delivery %s over %s crashed", delivery.pk, delivery.channel)
        return _failed(delivery, exc, permanent=isinstance(exc, PermanentFailure))
    return _sent(delivery)


def outgoing(delivery: Delivery, channel: channels.Channel) -> Outgoing:
    notification = delivery.notification
    link = notification.link
    if link.startswith("/"):
        link = channels.conf()["site_url"].rstrip("/") + link
    user = delivery.recipient
    return Outgoing(
        kind=notification.kind,
        kind_label=notification.kind_label,
        subject=notification.subject,
        body=notification.body,
        link=link,
        address=channel.address(user) if user is not None else "",
        recipient_name=(user.get_full_name() or user.username) if user is not None else "",
    )


def _sent(delivery: Delivery) -> Delivery:
    now = timezone.now()
    number = delivery.attempts + 1
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.SENT, attempts=number, sent_at=now, next_attempt_at=None, error=""
        )
        DeliveryAttempt.objects.create(
            delivery=delivery, number=number, channel=delivery.channel, outcome=DeliveryAttempt.Outcome.SENT, at=now
        )
    delivery.refresh_from_db()
    return delivery


def _failed(delivery: Delivery, exc: Exception, *, permanent: bool) -> Delivery:
    now = timezone.now()
    number = delivery.attempts + 1
    reason = str(exc) if isinstance(exc, ChannelError) else f"{type(exc).__name__}: {exc}"
    error = rules.clip(mask_text(reason or type(exc).__name__), ERROR_LENGTH)
    delay = None if permanent else rules.next_retry(number, channels.retry_policy())
    retry_at = now + datetime.timedelta(seconds=delay) if delay is not None else None
    status = Delivery.Status.RETRYING if retry_at else Delivery.Status.FAILED
    outcome = DeliveryAttempt.Outcome.RETRY if retry_at else DeliveryAttempt.Outcome.FAILED
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            status=status, attempts=number, next_attempt_at=retry_at, error=error
        )
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=number,
            channel=delivery.channel,
            outcome=outcome,
            error=error,
            at=now,
            retry_at=retry_at,
        )
        if retry_at:
            transaction.on_commit(lambda: enqueue([delivery.pk], run_after=retry_at))
    logger.warning(
        "notification delivery %s over %s failed (attempt %s): %s", delivery.pk, delivery.channel, number, error
    )
    delivery.refresh_from_db()
    return delivery


def send_due(limit: int = 1000) -> dict[str, int]:
    """Attempt every due delivery (first sends a worker missed, retries whose time has come, abandoned claims)."""
    ids = list(Delivery.objects.filter(_due(timezone.now())).order_by("pk").values_list("pk", flat=True)[:limit])
    counts = {"attempted": 0, "sent": 0, "retrying": 0, "failed": 0}
    for pk in ids:
        delivery = deliver(pk)
        if delivery is None:
            continue
        counts["attempted"] += 1
        counts[delivery.status] = counts.get(delivery.status, 0) + 1
    return counts


# --- the user's own inbox and choices -----------------------------------------------------------------------------


def inbox(user):
    """The user's messages, newest first, with what the inbox page shows."""
    return Message.objects.filter(recipient=user).select_related("notification").order_by("-created_at", "-pk")


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's messages ``ids`` read (all of them when None); others' messages are never touched."""
    unread = Message.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def preferences(user) -> dict[str, tuple[str, ...]]:
    """Kind code → the personal channels the user gets (their choice, else the kind's defaults), inbox first."""
    enabled = [c for c in channels.enabled() if not CHANNELS[c].group]
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "channels"))
    return {
        kind.code: rules.chosen_channels(kind.default_channels, chosen.get(kind.code), enabled)
        for kind in registry.kinds()
    }


@transaction.atomic
def save_preferences(user, choices: dict[str, Iterable[str]]) -> None:
    """Store the user's channels per kind; unknown kinds and channels not offered are refused."""
    require_actor(user)
    offered = {c for c in channels.enabled() if not CHANNELS[c].group and c != rules.INBOX}
    for code, picked in choices.items():
        registry.get(code)
        picked = sorted(set(picked))
        unknown = set(picked) - offered
        if unknown:
            raise ValidationError(_("不提供的渠道：%(names)s") % {"names": ", ".join(sorted(unknown))})
        Preference.objects.update_or_create(user=user, kind=code, defaults={"channels": picked})
