"""The generic import job: any registered importer, run in the background with progress, for the programme the
upload was made in (hence here: the web layer below starts it by its kind, it cannot know programmes)."""

from django.core.files.storage import default_storage

from cuntong.core.importer import IMPORTERS
from cuntong.jobs.services import handler

from .models import Programme


@handler("core.import")  # the kind keeps its name: jobs already recorded carry it
def run_import(
    progress,
    *,
    importer: str,
    path: str,
    filename: str,
    valid_only: bool = False,
    check_only: bool = False,
    user_id: int | None = None,
    programme_id: int | None = None,
) -> dict:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    programme = Programme.objects.filter(pk=programme_id).first() if programme_id else None
    try:
        with default_storage.open(path, "rb") as stream:
            report = IMPORTERS[importer](user=user, programme=programme).run(
                stream,
                filename,
                commit=not check_only,
                valid_only=valid_only,
                progress=lambda done, total: progress(done, total, ""),
            )
    finally:
        default_storage.delete(path)
    return report.as_dict()
