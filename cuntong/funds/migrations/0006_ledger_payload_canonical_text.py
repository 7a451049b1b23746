"""Ledger payloads are written as canonical JSON text (``CanonicalJSONEncoder``), so on SQLite verification hashes
the stored text as it is. The encoder lives in Python only: no table is rebuilt and no stored row changes (the hash
chain's definition is unchanged; rows written before verify through their decoded payload)."""

from django.db import migrations, models

import cuntong.funds.models


class Migration(migrations.Migration):
    dependencies = [
        ("funds", "0005_claim_sources"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ledgerentry",
                    name="payload",
                    field=models.JSONField(
                        default=dict, encoder=cuntong.funds.models.CanonicalJSONEncoder, verbose_name="内容"
                    ),
                ),
            ],
        ),
    ]
