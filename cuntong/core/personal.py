"""Personal data values that mask themselves.

A decrypted ID number or phone number reaches Python as a :class:`PersonalValue`, whose ``str()`` is the masked
form. Templates, API serializers, exports and log lines therefore show ``445281********1234`` unless code calls
``reveal()`` — which only the reveal service does, after checking permission and writing a log entry.
"""

import logging
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError


@dataclass(frozen=True)
class PersonalKind:
    name: str
    keep_start: int
    keep_end: int

    def normalise(self, value: str) -> str:
        return re.sub(r"[\s-]", "", str(value)).upper()

    def validate(self, value: str) -> str:
        return self.normalise(value)

    def mask(self, value: str) -> str:
        hidden = max(len(value) - self.keep_start - self.keep_end, 0)
        return value[: self.keep_start] + "*" * hidden + value[len(value) - self.keep_end :]


class ResidentIdKind(PersonalKind):
    """居民身份证号 (GB 11643-1999): 18 characters, the last a check digit (0-9 or X).

    The region prefix is that of the issuing registry, not the birthplace at the time of birth: a Puning resident
    born in 1980 carries 445281 although that code dates from 1993. So python-stdnum's date-bound birthplace test
    is not applied; the check digit, the birth date and the province are.
    """

    # GB/T 2260 province-level codes (83 and 91 for Taiwan residents' and foreigners' permanent-residence numbers).
    PROVINCES = frozenset(
        [
            "11",
            "12",
            "13",
            "14",
            "15",
            "21",
            "22",
            "23",
            "31",
            "32",
            "33",
            "34",
            "35",
            "36",
            "37",
            "41",
            "42",
            "43",
            "44",
            "45",
            "46",
            "50",
            "51",
            "52",
            "53",
            "54",
            "61",
            "62",
            "63",
            "64",
            "65",
            "71",
            "81",
            "82",
            "83",
            "91",
        ]
    )

    def validate(self, value: str) -> str:
        number = self.normalise(value)
        if len(number) != 18:
            raise ValidationError(_("身份证号应为18位，当前为%(n)d位。"), code="length", params={"n": len(number)})
        if not number[:17].isdigit() or number[:2] not in self.PROVINCES:
            raise ValidationError(_("身份证号格式不正确：前17位应为数字，前2位应为省级代码。"), code="format")
        if ric.calc_check_digit(number) != number[-1]:
            raise ValidationError(_("身份证号校验码不正确（GB 11643）。"), code="checksum")
        try:
            ric.get_birth_date(number)
        except StdnumError as exc:
            raise ValidationError(_("身份证号中的出生日期无效。"), code="birth_date") from exc
        return number


class MobileKind(PersonalKind):
    """Mainland mobile numbers (11 digits starting 1) and landlines with area code."""

    def normalise(self, value: str) -> str:
        number = re.sub(r"[\s()-]", "", str(value))
        return number[3:] if number.startswith("+86") else number

    def validate(self, value: str) -> str:
        number = self.normalise(value)
        if not re.fullmatch(r"1[3-9]\d{9}|0\d{9,11}", number):
            raise ValidationError(_("电话号码格式不正确：手机号为以1开头的11位数字，座机需带区号。"), code="format")
        return number


RESIDENT_ID = ResidentIdKind("resident_id", keep_start=6, keep_end=4)
PHONE = MobileKind("phone", keep_start=3, keep_end=4)
KINDS = {kind.name: kind for kind in (RESIDENT_ID, PHONE)}


class PersonalValue:
    """A decrypted personal value: masked when shown, plaintext only through ``reveal()``."""

    __slots__ = ("_plain", "kind")

    def __init__(self, kind: PersonalKind, plain: str):
        self.kind = kind
        self._plain = plain

    def reveal(self) -> str:
        return self._plain

    @property
    def masked(self) -> str:
        return self.kind.mask(self._plain)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"<{self.kind.name} {self.masked}>"

    def __eq__(self, other) -> bool:
        if isinstance(other, PersonalValue):
            return self.kind == other.kind and self._plain == other._plain
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.kind.name, self._plain))

    def __bool__(self) -> bool:
        return bool(self._plain)


_ID_PATTERN = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?![\dXx])")
_MOBILE_PATTERN = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    """Mask anything in free text that looks like an ID or mobile number (log lines, error messages)."""
    text = _ID_PATTERN.sub(lambda m: m.group(1) + "********" + m.group(2), text)
    return _MOBILE_PATTERN.sub(lambda m: m.group(1) + "****" + m.group(2), text)


class MaskPersonalDataFilter(logging.Filter):
    """Logging filter: no log line carries an unmasked ID or phone number."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_text(record.getMessage())
        record.args = None
        return True
