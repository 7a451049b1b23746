"""Writes to the area tree; every caller (import, demo, admin) goes through here."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from cuntong.core import freshness
from cuntong.core.actors import require_actor, restrict

from . import rules
from .models import Area


@transaction.atomic
def upsert_areas(rows: list[rules.AreaRow], *, user) -> int:
    """Create or update current areas by code, parents first; returns the number written. ``user`` must be able to
    add each new area and change each existing one (their scope, by code): else nothing is written."""
    require_actor(user)
    by_code = {
        a.code: a
        for a in Area.objects.current().filter(
            code__in=[r.code for r in rows] + [rules.parent_code(r.code) for r in rows if rules.parent_code(r.code)]
        )
    }
    written = {"add": [], "change": []}
    for row in sorted(rows, key=lambda r: (len(r.code), r.code)):
        area = by_code.get(row.code) or Area(code=row.code)
        action = "change" if area.pk else "add"
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
        written[action].append(area.pk)
    for action, pks in written.items():
        if restrict(Area.objects.filter(pk__in=pks), user, action).count() != len(pks):
            raise PermissionDenied(_("部分区划超出了您的管辖范围，未导入任何数据。"))
    freshness.bump_areas(by_code)
    return sum(len(pks) for pks in written.values())
