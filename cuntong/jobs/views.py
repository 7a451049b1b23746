from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, render

from .models import Job
from .services import expire_stalled


def visible_jobs(user):
    """A user sees their own jobs, and those their scope opens (an office manager sees the programme's imports)."""
    return Job.objects.filter(Q(created_by=user) | Q(pk__in=Job.objects.restrict(user, "view").values("pk")))


@login_required
def job_detail(request, pk):
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    if job.status == Job.Status.RUNNING and expire_stalled():
        job.refresh_from_db()
    template = "jobs/_progress.html" if getattr(request, "htmx", False) else "jobs/job_detail.html"
    return render(request, template, {"job": job})


@login_required
def job_list(request):
    expire_stalled()
    jobs = visible_jobs(request.user).select_related("created_by")[:100]
    return render(request, "jobs/job_list.html", {"jobs": jobs})
