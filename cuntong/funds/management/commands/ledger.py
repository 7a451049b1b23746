"""``cuntong ledger verify`` checks every chain; ``cuntong ledger snapshot`` records today's heads (run daily)."""

from django.core.management.base import BaseCommand, CommandError

from cuntong.core.progress import progress_bar
from cuntong.programme.models import Programme

from ... import ledger


class Command(BaseCommand):
    help = "Verify the fund ledger's hash chains (names the first bad entry), or record today's head snapshots."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "snapshot", "head"])
        parser.add_argument("--programme", help="programme code (default: every programme)")
        parser.add_argument("--chunk-size", type=int, default=5000)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, action, programme=None, chunk_size=5000, no_progress=False, **options):
        programmes = Programme.objects.order_by("pk")
        if programme:
            programmes = programmes.filter(code=programme)
            if not programmes.exists():
                raise CommandError(f"no programme {programme}")
        if action == "verify":
            return self.verify(programmes.first() if programme else None, chunk_size, not no_progress)
        for item in programmes:
            if action == "snapshot":
                snapshot = ledger.snapshot_today(item.pk)
                self.stdout.write(f"{item.code} {snapshot.day} #{snapshot.seq} {snapshot.hash}")
            else:
                head = ledger.current_head(item.pk)
                self.stdout.write(f"{item.code} #{head[0]} {head[1]}")

    def verify(self, programme, chunk_size: int, show_progress: bool):
        with progress_bar("ledger verify", enabled=show_progress) as bar:
            report = ledger.verify(programme.pk if programme else None, chunk_size=chunk_size, progress=bar)
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"ledger verification FAILED: {len(report.problems)} broken chain(s)")
        self.stdout.write(
            self.style.SUCCESS(
                f"ledger OK: {report.entries} entries in {report.chains} chain(s), {report.snapshots} daily head(s) match"
            )
        )
