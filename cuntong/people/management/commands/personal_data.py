"""``cuntong personal_data export|delete --id-number … | --phone … --reason …``: a data subject's requests.

Pass ``-`` as the number to type it at a hidden prompt (or pipe it in), so it stays out of shell history and
the process list. ``export`` writes everything held about the person as JSON (in clear: it is for them); ``delete`` erases their
personal data wherever it is held. Both are logged as security events with the reason (e.g. the request number).
"""

import getpass
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from cuntong.audit.context import acting_as
from cuntong.people.personal_data import erase_subject, export_subject, holdings


class Command(BaseCommand):
    help = "Export or erase everything held about one person (by resident ID number or phone number)."

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["export", "delete"])
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--id-number", help="居民身份证号 (- : read it from a hidden prompt or standard input)")
        who.add_argument("--phone", help="电话号码 (- : read it from a hidden prompt or standard input)")
        parser.add_argument("--reason", required=True, help="why (the data subject's request reference); logged")
        parser.add_argument("--output", help="export: write JSON here instead of standard output")
        parser.add_argument("--yes", action="store_true", help="delete: do not ask for confirmation")

    def handle(self, verb, id_number, phone, reason, output, yes, **options):
        kind, value = ("resident_id", id_number) if id_number else ("phone", phone)
        if value == "-":
            value = getpass.getpass("number: ") if sys.stdin.isatty() else sys.stdin.readline()
            value = value.strip()
            if not value:
                raise CommandError("no number given")
        operator = f"cli:{getpass.getuser()}"
        with acting_as(None, via="command"):
            if verb == "export":
                self._export(kind, value, reason, operator, output)
            else:
                self._delete(kind, value, reason, operator, yes)

    def _export(self, kind, value, reason, operator, output):
        data = export_subject(kind, value, reason=reason, operator=operator)
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if output:
            with open(output, "w", encoding="utf-8") as stream:
                stream.write(text + "\n")
            self.stderr.write(f"{len(data['records'])} records written to {output}")
        else:
            self.stdout.write(text)

    def _delete(self, kind, value, reason, operator, yes):
        found = holdings(kind, value)
        if not found:
            raise CommandError("no records hold this person's data")
        labels = ", ".join(f"{r._meta.label}#{r.pk}" for r in found)
        if not yes:
            if not sys.stdin.isatty():
                raise CommandError("refusing to erase without --yes when not interactive")
            answer = input(f"erase personal data in {labels}? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("cancelled; nothing erased")
        erased = erase_subject(kind, value, reason=reason, operator=operator)
        self.stdout.write(self.style.SUCCESS(f"erased: {', '.join(erased)}"))
