"""``cuntong import NAME FILE``: run a registered importer; every bad row is reported and nothing is written."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cuntong.audit.context import acting_as
from cuntong.core.actors import SYSTEM
from cuntong.core.importer import IMPORTERS
from cuntong.core.progress import progress_bar


class Command(BaseCommand):
    help = "Import records from an XLSX/CSV file (areas, stations, reports …)."

    def add_arguments(self, parser):
        parser.add_argument("name", help=f"what to import: {', '.join(sorted(IMPORTERS)) or 'none registered'}")
        parser.add_argument("file", type=Path)
        parser.add_argument("--valid-only", action="store_true", help="import the valid rows even when others are bad")
        parser.add_argument("--check", action="store_true", help="validate only; write nothing")
        parser.add_argument("--programme", help="programme code the rows belong to (default: the only one)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, name, file, valid_only, check, programme, no_progress, **options):
        if name not in IMPORTERS:
            raise CommandError(f"unknown import '{name}'; choose from: {', '.join(sorted(IMPORTERS))}")
        if not file.exists():
            raise CommandError(f"no such file: {file}")
        from cuntong.programme.models import Programme

        target = (
            Programme.objects.filter(code=programme).first() if programme else Programme.objects.order_by("pk").first()
        )
        if programme and target is None:
            raise CommandError(f"no programme with code {programme}")
        with (
            acting_as(None, via="command"),
            file.open("rb") as stream,
            progress_bar(f"import {name}", enabled=not no_progress) as bar,
        ):
            report = IMPORTERS[name](user=SYSTEM, programme=target).run(
                stream, file.name, commit=not check, valid_only=valid_only, progress=bar
            )
        for error in report.errors:
            self.stderr.write(str(error))
        summary = (
            f"{report.rows} rows, {report.valid_rows} valid, {len(report.errors)} errors, {report.written} written"
        )
        if report.errors and not report.committed:
            self.stderr.write(self.style.ERROR(f"{summary}; nothing was written"))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(summary))
