"""Background jobs: queued through django-tasks, progress on the job row, result and failures shown."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cuntong.geo.models import Area
from cuntong.jobs import services
from cuntong.jobs.models import Job
from cuntong.web.testing import login, make_user


@services.handler("test.count")
def count_to(progress, *, n: int):
    for i in range(n + 1):
        progress(i, n, f"step {i}")
    return {"counted": n}


@services.handler("test.fail")
def fail(progress):
    raise ValueError("boom")


@pytest.fixture
def user(base_data):
    return make_user("job-user", "office")


def test_job_runs_and_records_result(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start("test.count", title="数数", user=user, params={"n": 5})
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.result == {"counted": 5}
    assert (job.done, job.total, job.percent) == (5, 5, 100)


def test_failed_job_shows_a_reference_not_the_exception(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start("test.fail", title="失败", user=user)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.reference in job.error and "boom" not in job.error


def test_unknown_kind_is_refused(user):
    with pytest.raises(KeyError):
        services.start("no.such", title="x", user=user)


def test_job_page_polls_until_finished(user):
    job = Job.objects.create(
        kind="test.count", title="进行中", created_by=user, status=Job.Status.RUNNING, done=3, total=10
    )
    client = login(user)
    html = client.get(job.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in html and "30%" in html
    partial = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert partial.strip().startswith('<div id="job-progress"')
    Job.objects.filter(pk=job.pk).update(status=Job.Status.SUCCEEDED)
    assert "every 1s" not in client.get(job.get_absolute_url()).content.decode()


def test_other_users_jobs_are_private(user):
    job = Job.objects.create(kind="test.count", title="别人的", created_by=user)
    stranger = login(make_user("stranger", "township", "445281105"))
    assert stranger.get(job.get_absolute_url()).status_code == 404


def test_import_through_the_page_runs_as_a_job(user, django_capture_on_commit_callbacks):
    client = login(user)
    upload = SimpleUploadedFile("villages.csv", "区划代码,名称,常住人口\n445281104301,新村委会,2100\n坏,x,1\n".encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/import/areas/", {"file": upload})
    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert job.result["errors"][0]["row"] == 3 and not job.result["committed"]
    assert not Area.objects.filter(code="445281104301").exists()
    html = client.get(job.get_absolute_url()).content.decode()
    assert "未写入任何数据" in html and "<td>3</td>" in html


def test_import_page_offers_a_template(user):
    client = login(user)
    response = client.get("/import/areas/?template=xlsx")
    from openpyxl import load_workbook

    headers = next(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert headers[:2] == ("区划代码", "名称")


def test_import_page_needs_add_permission(base_data):
    client = login(make_user("reader", "evaluator"))
    assert client.get("/import/areas/").status_code == 403
