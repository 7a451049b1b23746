"""Writes to the area tree; every caller (import, demo, admin) goes through here."""

from django.db import transaction

from . import rules
from .models import Area


@transaction.atomic
def upsert_areas(rows: list[rules.AreaRow]) -> int:
    """Create or update current areas by code, parents first; returns the number written."""
    by_code = {
        a.code: a
        for a in Area.objects.current().filter(
            code__in=[r.code for r in rows] + [rules.parent_code(r.code) for r in rows if rules.parent_code(r.code)]
        )
    }
    written = 0
    for row in sorted(rows, key=lambda r: (len(r.code), r.code)):
        area = by_code.get(row.code) or Area(code=row.code)
        parent_code = rules.parent_code(row.code)
        area.parent = by_code.get(parent_code) if parent_code else None
        area.name = row.name
        area.level = rules.level_of(row.code)
        area.kind = row.kind
        for attr in ("population", "poor_labour_count", "latitude", "longitude", "valid_from", "valid_to"):
            value = getattr(row, attr)
            if value is not None:
                setattr(area, attr, value)
        area.is_provincial_poverty_village = row.is_provincial_poverty_village
        area.save()
        by_code[row.code] = area
        written += 1
    return written
