"""Test data for the roster: residents with valid ID numbers (GB 11643 check digit computed, never hand-typed)."""

from stdnum.cn import ric

from cuntong.audit.context import acting_as
from cuntong.people.models import Resident
from cuntong.web.testing import TEST_VILLAGES, area, programme


def id_number(serial: int, region: str = "445281", born: str = "19850315") -> str:
    body = f"{region}{born}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum ignores the last character


def make_resident(township_code: str, serial: int, *, name: str | None = None, **fields) -> Resident:
    """A resident of the township's first test village."""
    village_code = fields.pop("village_code", TEST_VILLAGES[township_code][0][0])
    with acting_as(None, via="test"):
        return Resident.objects.create(
            programme=programme(),
            village=area(village_code),
            name=name or f"测试人员{serial}",
            id_number=fields.pop("id_number", id_number(serial)),
            phone=fields.pop("phone", f"138{serial:08d}"[-11:]),
            household_number=fields.pop("household_number", f"H{serial:05d}"),
            **fields,
        )
