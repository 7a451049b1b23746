"""``cuntong rotate_keys [--rehash]``: re-encrypt all personal data under the first key of CUNTONG_DATA_KEYS.

Rotating the encryption key: put the new key first in CUNTONG_DATA_KEYS, keep the old one after it, run this, then
drop the old key. Rotating the blind-index key: set the new CUNTONG_HASH_KEY and run with ``--rehash`` (the key never
appears on a command line).
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from cuntong.audit.context import acting_as
from cuntong.core.progress import progress_bar
from cuntong.people.personal_data import rotate_keys


class Command(BaseCommand):
    help = "Re-encrypt every encrypted personal-data column with the current primary key; --rehash recomputes blind indexes."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rehash", action="store_true", help="recompute blind indexes with the configured CUNTONG_HASH_KEY"
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, rehash, no_progress, **options):
        try:
            with acting_as(None, via="command"), progress_bar("rotate", enabled=not no_progress) as bar:
                counts = rotate_keys(rehash=rehash, progress=bar)
        except ImproperlyConfigured as exc:
            raise CommandError(f"{exc}; nothing was changed") from exc
        for label, rows in counts.items():
            self.stdout.write(f"{label}: {rows} rows")
        self.stdout.write(self.style.SUCCESS("re-encrypted" + (" and re-indexed" if rehash else "")))
