"""``cuntong serve``: the development server and a background-task worker together (what ``make run`` starts)."""

import os
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server on 127.0.0.1:8000 with a task worker beside it."

    def add_arguments(self, parser):
        parser.add_argument("address", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-worker", action="store_true")
        parser.add_argument("--noreload", action="store_true")

    def handle(self, address, no_worker, noreload, **options):
        worker = None
        # With the autoreloader, this runs in a watcher and again in the child (RUN_MAIN); start one worker only.
        if not no_worker and os.environ.get("RUN_MAIN") != "true":
            worker = subprocess.Popen([sys.executable, "-m", "cuntong", "db_worker", "--interval", "1"])
        try:
            call_command("runserver", address, use_reloader=not noreload)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
