"""Ledger verification as a background job: the page shows its progress, the result names any bad entry."""

from cuntong.jobs.services import handler

from . import ledger


@handler("funds.verify_ledger")
def verify_ledger(progress, *, programme_id: int | None = None) -> dict:
    report = ledger.verify(programme_id, progress=progress)
    return {
        "ok": report.ok,
        "entries": report.entries,
        "chains": report.chains,
        "daily_heads_checked": report.snapshots,
        "problems": [str(p) for p in report.problems],
    }
