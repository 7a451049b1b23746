"""``cuntong demo``: build the deterministic Puning demo dataset (safe to run twice)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from cuntong.audit.context import acting_as
from cuntong.core.demo import DEMO_PASSWORD, STEPS, DemoContext
from cuntong.core.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Load the Puning plan and a generated demo dataset (villages, users, stations …), clearly marked as generated."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the demo logins")
        parser.add_argument(
            "--if-empty", action="store_true", help="only when no programme is loaded yet (first start)"
        )

    def handle(self, no_progress, quiet_logins, if_empty, **options):
        from cuntong.programme.models import Programme

        if if_empty and Programme.objects.exists():
            if not quiet_logins:
                self.print_logins()
            return
        context = DemoContext()
        steps = sorted(STEPS, key=lambda s: s.order)
        with acting_as(None, via="demo"), progress_bar("demo", enabled=not no_progress) as bar:
            for index, step in enumerate(steps):
                bar(index, len(steps), step.label)
                context.progress = lambda done, total=None, message="", i=index, label=step.label: bar(
                    i, len(steps), f"{label} {message}".strip()
                )
                with transaction.atomic():
                    step.run(context)
            bar(len(steps), len(steps), "done")
        if not quiet_logins:
            self.print_logins()

    def print_logins(self):
        from cuntong.accounts.demo import DEMO_USERS

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for username, _name, role, _scope, note in DEMO_USERS:
            self.stdout.write(f"  {username:<14} {role:<18} {note}")
        self.stdout.write("Roles marked 2FA ask you to enrol an authenticator app on first login.")
