"""Starting and running background jobs.

Long work (imports, optimisation, reports) runs through django-tasks — the database queue by default, RQ on Redis
as an option — and reports progress on a :class:`Job` row that the job page polls. The command line runs the same
handlers inline with a progress bar, so both paths share one implementation.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from cuntong.audit.context import acting_as

from .models import Job

Handler = Callable[..., dict]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str):
    """Register ``fn(progress, **params) -> result dict`` as the job ``kind``."""

    def decorate(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return decorate


class JobProgress:
    """``progress(done, total, message)``: writes to the job row at most twice a second, and always at the end."""

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
        Job.objects.filter(pk=self.job.pk).update(done=done, total=total, message=message[:200])


def start(kind: str, *, title: str, user=None, programme=None, params: dict | None = None) -> Job:
    """Queue a job; it is enqueued when the surrounding transaction commits."""
    if kind not in HANDLERS:
        raise KeyError(f"no job handler named {kind}")
    job = Job.objects.create(
        kind=kind, title=title, created_by=user, programme=programme if programme else None, params=params or {}
    )
    from .tasks import run_job

    transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


def run(job: Job) -> Job:
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
    try:
        with acting_as(job.created_by, via="task"):
            result = HANDLERS[job.kind](JobProgress(job), **job.params)
    except Exception as exc:  # the job page must show what went wrong, whatever it was
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, error=f"{exc}\n\n{traceback.format_exc()}"[-4000:], finished_at=timezone.now()
        )
    else:
        Job.objects.filter(pk=job.pk).update(status=Job.Status.SUCCEEDED, result=result, finished_at=timezone.now())
    job.refresh_from_db()
    return job


def run_inline(kind: str, progress: Callable[[int, int | None, str], None], **params) -> dict:
    """Run a handler in this process (command line), reporting to ``progress``."""
    return HANDLERS[kind](progress, **params)
