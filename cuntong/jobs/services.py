"""Starting and running background jobs.

Long work (imports, optimisation, reports) runs through django-tasks — the database queue by default, RQ on Redis
as an option — and reports progress on a :class:`Job` row that the job page polls. The command line runs the same
handlers inline with a progress bar, so both paths share one implementation.

A handler reports progress at least every ``JOBS_HEARTBEAT_TIMEOUT`` seconds; a running job silent for longer is
taken for dead (its worker killed, its machine restarted) and marked failed by :func:`expire_stalled`, which the job
pages, every worker before each job and ``cuntong jobs sweep`` run.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tasks import task

from cuntong.audit.context import acting_as

from .models import Job

Handler = Callable[..., dict]
HANDLERS: dict[str, Handler] = {}

logger = logging.getLogger(__name__)

DEFAULT_HEARTBEAT_TIMEOUT = 15 * 60  # seconds; the setting JOBS_HEARTBEAT_TIMEOUT overrides it


def heartbeat_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "JOBS_HEARTBEAT_TIMEOUT", DEFAULT_HEARTBEAT_TIMEOUT))


def handler(kind: str):
    """Register ``fn(progress, **params) -> result dict`` as the job ``kind``."""

    def decorate(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return decorate


class JobProgress:
    """``progress(done, total, message)``: writes to the job row (and its heartbeat) at most twice a second, and
    always at the end."""

    def __init__(self, job: Job, min_interval: float = 0.5):
        self.job = job
        self.min_interval = min_interval
        self._last = 0.0

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        now = time.monotonic()
        final = total is not None and done >= total
        if not final and now - self._last < self.min_interval:
            return
        self._last = now
        Job.objects.filter(pk=self.job.pk).update(
            done=done, total=total, message=message[:200], heartbeat_at=timezone.now()
        )


def start(kind: str, *, title: str, user=None, programme=None, params: dict | None = None) -> Job:
    """Queue a job; it is enqueued when the surrounding transaction commits."""
    if kind not in HANDLERS:
        raise KeyError(f"no job handler named {kind}")
    job = Job.objects.create(
        kind=kind, title=title, created_by=user, programme=programme if programme else None, params=params or {}
    )
    transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


def run(job: Job) -> Job:
    """Run a queued job's handler, recording the outcome on its row; a failure is logged and raised again.

    Raising again makes the task fail too, so the task backend's record never tells another story than the job's.
    """
    expire_stalled()
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=now, heartbeat_at=now)
    try:
        with acting_as(job.created_by, via="task"):
            result = HANDLERS[job.kind](JobProgress(job), **job.params)
    except Exception:
        # The traceback (which may name tables, codes and records outside the user's scope) stays in the log,
        # found by the reference the job page shows.
        logger.exception("job %s (%s) failed, reference %s", job.pk, job.kind, job.reference)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, failure=Job.Failure.CRASHED, finished_at=timezone.now()
        )
        raise
    # A job taken for dead that finishes after all is recorded as what it is: finished.
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.SUCCEEDED, failure="", result=result, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


@task()
def run_job(job_id: str) -> None:
    """Carry a job to a worker; its state is on the job row (the task fails when the job does)."""
    job = Job.objects.filter(pk=job_id).first()
    if job is not None:
        run(job)


def expire_stalled() -> int:
    """Mark failed every running job whose last sign of life is older than the heartbeat timeout."""
    cutoff = timezone.now() - heartbeat_timeout()
    stalled = list(
        Job.objects.filter(status=Job.Status.RUNNING)
        .alias(last_seen=Coalesce("heartbeat_at", "started_at", "created_at"))
        .filter(last_seen__lt=cutoff)
        .only("pk")
    )
    for job in stalled:
        logger.error("job %s silent since before %s: marked failed, reference %s", job.pk, cutoff, job.reference)
    return Job.objects.filter(pk__in=[job.pk for job in stalled], status=Job.Status.RUNNING).update(
        status=Job.Status.FAILED, failure=Job.Failure.STALLED, finished_at=timezone.now()
    )


def run_inline(kind: str, progress: Callable[[int, int | None, str], None], **params) -> dict:
    """Run a handler in this process (command line), reporting to ``progress``."""
    return HANDLERS[kind](progress, **params)
