"""``cuntong init_secrets``: write var/secrets.env with fresh keys for a local installation (never production)."""

import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cuntong.core.crypto import new_key


class Command(BaseCommand):
    help = "Create git-ignored local keys (secret key, personal-data encryption key, blind-index key) if missing."

    def handle(self, **options):
        if settings.PRODUCTION:
            raise CommandError("production keys come from the environment, not from a file")
        path = settings.VAR_DIR / "secrets.env"
        if path.exists():
            self.stdout.write(f"{path} exists; keys kept")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"CUNTONG_SECRET_KEY={secrets.token_urlsafe(50)}\n"
            f"CUNTONG_DATA_KEYS={new_key()}\n"
            f"CUNTONG_HASH_KEY={secrets.token_urlsafe(32)}\n"
        )
        path.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"wrote {path}"))
