from django_tasks import task

from .models import Job
from .services import run


@task()
def run_job(job_id: str) -> str:
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    return run(job).status
