"""``cuntong logistics remind`` — remind the postal administration of last month's volumes (once a month per person,
from three days before the due day); ``cuntong logistics return-overdue`` — send back parcels past their holding
period. Both act as the system, for every programme, and are safe to run daily."""

from django.core.management.base import BaseCommand

from cuntong.core.actors import SYSTEM
from cuntong.logistics import services
from cuntong.programme.models import Programme


class Command(BaseCommand):
    help = "Logistics reminders and the daily return of overdue parcels."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["remind", "return-overdue"])

    def handle(self, *args, what, **options):
        for programme in Programme.objects.order_by("code"):
            if what == "remind":
                told = services.remind_volume_reports(programme, actor=SYSTEM)
                self.stdout.write(f"{programme.code}: {told} reminded")
            else:
                returned = services.return_overdue(programme, user=SYSTEM)
                self.stdout.write(f"{programme.code}: {returned} returned")
