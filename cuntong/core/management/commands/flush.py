"""``cuntong flush`` (and the test runner's flush between transactional tests) wipes every table, the fund ledger
and the audit trail included: Django's flush, with their append-only triggers lifted for that one transaction on
PostgreSQL.

Wiping a whole database is an explicit, confirmed administrator action; editing or deleting ledger or audit rows
stays refused, and a wiped ledger simply starts a new chain.
"""

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS

from cuntong.core.appendonly import triggers_disabled


class Command(flush.Command):
    def handle(self, **options):
        with triggers_disabled(options.get("database") or DEFAULT_DB_ALIAS):
            return super().handle(**options)
