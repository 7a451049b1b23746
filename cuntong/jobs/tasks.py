from django_tasks import task

from .models import Job
from .services import run


@task()
def run_job(job_id: str) -> None:
    """Carry a job to a worker; its state is on the job row (the task fails when the job does)."""
    job = Job.objects.filter(pk=job_id).first()
    if job is not None:
        run(job)
