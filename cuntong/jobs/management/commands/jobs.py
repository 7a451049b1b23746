"""``cuntong jobs sweep``: mark failed the running jobs whose worker stopped reporting (e.g. from cron)."""

from django.core.management.base import BaseCommand

from cuntong.jobs.services import expire_stalled


class Command(BaseCommand):
    help = "Background jobs: `sweep` marks failed every running job silent past the heartbeat timeout."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("sweep", help="mark stalled running jobs failed")

    def handle(self, action, **options):
        self.stdout.write(f"{expire_stalled()} stalled jobs marked failed")
