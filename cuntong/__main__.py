"""The ``cuntong`` console command: every management command is a subcommand (``cuntong migrate``, ``cuntong demo``)."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cuntong.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["cuntong", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
