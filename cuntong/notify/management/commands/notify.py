"""``cuntong notify send``: attempt every due delivery (retries whose time has come, sends a worker missed); run it
from cron every minute or two where the task backend cannot defer (``CUNTONG_TASKS=immediate``) or after an outage.
``cuntong notify test USERNAME``: send a test notification to one user over their channels."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cuntong.core.actors import SYSTEM
from cuntong.notify import registry, services


class Command(BaseCommand):
    help = "Notifications: `send` attempts due deliveries; `test USERNAME` notifies one user."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("send", help="attempt every due delivery")
        test = sub.add_parser("test", help="send a test notification to one user")
        test.add_argument("username")

    def handle(self, action, **options):
        if action == "send":
            counts = services.send_due()
            self.stdout.write(", ".join(f"{key} {value}" for key, value in counts.items()))
            return
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']}")
        notification = services.notify(registry.TEST.code, [user], "测试通知 Test notification", "", actor=SYSTEM)
        self.stdout.write(f"notification {notification.pk}: {notification.deliveries.count()} deliveries")
