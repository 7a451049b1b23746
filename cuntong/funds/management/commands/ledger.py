"""``cuntong ledger verify`` checks every chain (``--head``/``--head-file``: also against a head hash published
outside the database; ``--all``: each programme in turn, then a summary, exiting with the worst programme's status,
see ``programme.selection``); ``cuntong ledger snapshot`` records today's heads (run daily)."""

import json
import re
from contextlib import nullcontext
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cuntong.programme import selection
from cuntong.programme.models import Programme

from ... import ledger

HASH = re.compile(r"[0-9a-fA-F]{64}")


def progress(description: str, enabled: bool):
    """A progress bar, or (``--no-progress``) nothing: the bar's library is then not even imported, which is a good
    part of a small ledger's verification time."""
    if not enabled:
        return nullcontext(None)
    from cuntong.core.progress import progress_bar

    return progress_bar(description)


def published_hash(head: str | None, head_file: str | None) -> str | None:
    """The head hash given on the command line, or read from a file: the bare hash, or the public page's
    ``head.json`` (its ``today`` head)."""
    if head_file:
        try:
            text = Path(head_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CommandError(f"cannot read head file {head_file}: {exc.strerror}") from exc
        try:
            head = json.loads(text)["today"]["hash"] if text.startswith("{") else text
        except (ValueError, KeyError, TypeError) as exc:
            raise CommandError(f"{head_file} is neither a head hash nor the public page's head.json") from exc
    if head is not None and not HASH.fullmatch(head):
        raise CommandError(f"not a SHA-256 head hash (64 hexadecimal digits): {head!r}")
    return head.lower() if head else None


class Command(BaseCommand):
    help = "Verify the fund ledger's hash chains (names the first bad entry), or record today's head snapshots."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "snapshot", "head"])
        selection.add_programme_options(parser, default="every chain in one pass")
        parser.add_argument("--chunk-size", type=int, default=5000)
        parser.add_argument("--no-progress", action="store_true")
        published = parser.add_mutually_exclusive_group()
        published.add_argument("--head", help="verify: a head hash published earlier (the public page's)")
        published.add_argument("--head-file", help="verify: a file holding that hash, or the public head.json")

    def handle(self, action, programme=None, chunk_size=5000, no_progress=False, all_programmes=False, **options):
        if action == "verify" and all_programmes:
            if options.get("head") or options.get("head_file"):
                raise CommandError("a published head belongs to one programme: use --head with --programme")
            return self.verify_all(chunk_size, not no_progress)
        programmes = Programme.objects.order_by("pk")
        if programme:
            programmes = programmes.filter(code=programme)
            if not programmes.exists():
                raise CommandError(f"no programme {programme}")
        if action == "verify":
            published = published_hash(options.get("head"), options.get("head_file"))
            return self.verify(programmes.first() if programme else None, chunk_size, not no_progress, published)
        for item in programmes:
            if action == "snapshot":
                snapshot = ledger.snapshot_today(item.pk)
                self.stdout.write(f"{item.code} {snapshot.day} #{snapshot.seq} {snapshot.hash}")
            else:
                head = ledger.current_head(item.pk)
                self.stdout.write(f"{item.code} #{head[0]} {head[1]}")

    def verify(self, programme, chunk_size: int, show_progress: bool, published: str | None):
        with progress("ledger verify", show_progress) as bar:
            report = ledger.verify(
                programme.pk if programme else None, chunk_size=chunk_size, progress=bar, published=published
            )
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"ledger verification FAILED: {len(report.problems)} problem(s)")
        matched = f"; the published head {published} is in the chain" if published else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"ledger OK: {report.entries} entries in {report.chains} chain(s), "
                f"{report.snapshots} daily head(s) match{matched}"
            )
        )

    def verify_all(self, chunk_size: int, show_progress: bool):
        def run(programme) -> selection.Outcome:
            with progress(f"ledger verify {programme.code}", show_progress) as bar:
                report = ledger.verify(programme.pk, chunk_size=chunk_size, progress=bar)
            for problem in report.problems:
                self.stderr.write(str(problem))
            counts = {"entries": report.entries, "snapshots": report.snapshots, "problems": len(report.problems)}
            if report.ok:
                text = f"{report.entries} entries, {report.snapshots} daily head(s) match"
                self.stdout.write(self.style.SUCCESS(f"ledger OK: {text}"))
                return selection.Outcome(programme, selection.OK, text, counts=counts)
            text = f"{len(report.problems)} problem(s) in {report.entries} entries: {report.problems[0]}"
            self.stdout.write(self.style.ERROR(f"ledger verification FAILED: {text}"))
            return selection.Outcome(programme, selection.FOUND, text, counts=counts)

        selection.finish(self, selection.run_each(self, selection.every(), run), "ledger verify")
