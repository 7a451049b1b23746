"""``cuntong audit purge [--days N] [--dry-run]``: remove audit rows past retention; never younger than 180 days."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cuntong.audit.context import acting_as
from cuntong.audit.services import RetentionError, purge


class Command(BaseCommand):
    help = "Audit trail maintenance: purge change records and security events older than the retention period."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        purge_parser = sub.add_parser("purge", help="remove records older than the retention period")
        purge_parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"keep this many days (at least AUDIT_RETENTION_DAYS={settings.AUDIT_RETENTION_DAYS})",
        )
        purge_parser.add_argument("--dry-run", action="store_true", help="count only; remove nothing")

    def handle(self, verb, days, dry_run, **options):
        try:
            with acting_as(None, via="command"):
                counts = purge(days, dry_run=dry_run)
        except RetentionError as exc:
            raise CommandError(str(exc)) from exc
        verb_text = "would remove" if dry_run else "removed"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb_text} {counts['change_records']} change records and {counts['security_events']} security events"
            )
        )
