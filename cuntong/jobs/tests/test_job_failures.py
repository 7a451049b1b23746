"""Jobs that end and reveal nothing: a dead worker's job fails after the heartbeat timeout; a crash shows a
reference, while the exception and its traceback go to the server log only."""

import datetime
import io
import logging

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone
from django_tasks import TaskResultStatus

from cuntong.jobs import services
from cuntong.jobs.models import Job
from cuntong.jobs.services import run_job
from cuntong.web.testing import login, make_user

T0 = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC)
SQL_ERROR = "UNIQUE constraint failed: stations_station.programme_id, stations_station.code"


@services.handler("test.integrity")
def violate(progress):
    raise IntegrityError(SQL_ERROR)


@services.handler("test.succeed")
def succeed(progress):
    return {"ok": True}


@pytest.fixture
def user(base_data):
    return make_user("job-user", "office")


def test_a_crashing_job_shows_a_reference_and_logs_the_traceback(user, caplog, django_capture_on_commit_callbacks):
    with caplog.at_level(logging.ERROR, logger="cuntong.jobs"), django_capture_on_commit_callbacks(execute=True):
        job = services.start("test.integrity", title="导入站点", user=user)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    client = login(user)
    for html in (client.get(job.get_absolute_url()).content.decode(), client.get("/jobs/").content.decode()):
        assert "IntegrityError" not in html and "stations_station" not in html and "Traceback" not in html
    page = client.get(job.get_absolute_url()).content.decode()
    assert job.reference in page and "请联系管理员" in page
    [record] = [r for r in caplog.records if r.name == "cuntong.jobs.services"]
    assert job.reference in record.getMessage() and record.exc_info[0] is IntegrityError
    assert SQL_ERROR in caplog.text and "Traceback" in caplog.text


def test_the_task_fails_exactly_when_the_job_does(user):
    failing = Job.objects.create(kind="test.integrity", title="失败", created_by=user)
    passing = Job.objects.create(kind="test.succeed", title="成功", created_by=user)
    assert run_job.enqueue(str(failing.pk)).status == TaskResultStatus.FAILED
    result = run_job.enqueue(str(passing.pk))
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value is None  # no second copy of the state
    passing.refresh_from_db()
    assert passing.status == Job.Status.SUCCEEDED and passing.result == {"ok": True}


def running_job(user) -> Job:
    return Job.objects.create(
        kind="test.succeed", title="运行中", created_by=user, status=Job.Status.RUNNING, started_at=T0, heartbeat_at=T0
    )


def test_a_job_whose_worker_died_fails_after_the_heartbeat_timeout(user, caplog):
    job = running_job(user)
    client = login(user)
    with time_machine.travel(T0 + services.heartbeat_timeout() - datetime.timedelta(seconds=1), tick=False):
        assert 'data-status="running"' in client.get(job.get_absolute_url()).content.decode()
    with time_machine.travel(T0 + services.heartbeat_timeout() + datetime.timedelta(seconds=1), tick=False):
        html = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
        job.refresh_from_db()
        assert job.status == Job.Status.FAILED and job.failure == Job.Failure.STALLED
        assert job.finished_at == timezone.now()
    assert 'data-status="failed"' in html and "every 1s" not in html and job.reference in html
    assert "长时间没有响应" in html
    assert job.reference in caplog.text


def test_progress_is_a_heartbeat(user):
    job = running_job(user)
    with time_machine.travel(T0 + datetime.timedelta(minutes=10), tick=False):
        services.JobProgress(job)(3, 10)
    with time_machine.travel(T0 + services.heartbeat_timeout() + datetime.timedelta(minutes=5), tick=False):
        assert services.expire_stalled() == 0
        login(user).get("/jobs/")
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.done == 3


def test_the_job_list_expires_stalled_jobs_and_leaves_queued_ones(user, settings):
    settings.JOBS_HEARTBEAT_TIMEOUT = 60
    stalled = running_job(user)
    queued = Job.objects.create(kind="test.succeed", title="排队", created_by=user, created_at=T0)
    with time_machine.travel(T0 + datetime.timedelta(seconds=61), tick=False):
        login(user).get("/jobs/")
    statuses = dict(Job.objects.values_list("pk", "status"))
    assert statuses == {stalled.pk: Job.Status.FAILED, queued.pk: Job.Status.QUEUED}  # waiting is not dying


def test_the_sweep_command_expires_stalled_jobs(user, settings):
    settings.JOBS_HEARTBEAT_TIMEOUT = 60
    job = running_job(user)
    out = io.StringIO()
    with time_machine.travel(T0 + datetime.timedelta(seconds=61), tick=False):
        call_command("jobs", "sweep", stdout=out)
    job.refresh_from_db()
    assert out.getvalue().startswith("1 stalled") and job.status == Job.Status.FAILED


@services.handler("test.slow")
def slow(progress):
    """Silent for twice the timeout, while a page sweeps; then finishes after all."""
    with time_machine.travel(timezone.now() + services.heartbeat_timeout() * 2, tick=False):
        assert services.expire_stalled() == 1
    return {"ok": True}


def test_a_job_taken_for_dead_that_finishes_after_all_is_recorded_as_finished(user):
    job = services.run(Job.objects.create(kind="test.slow", title="慢", created_by=user))
    assert job.status == Job.Status.SUCCEEDED and job.failure == "" and job.error == ""
