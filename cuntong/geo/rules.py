"""Pure rules about administrative areas: code structure, kinds and pinyin keys (no ORM)."""

import re
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

LEVEL_BY_LENGTH = {2: "province", 4: "city", 6: "county", 9: "township", 12: "village"}
PARENT_LENGTH = {4: 2, 6: 4, 9: 6, 12: 9}

# Suffixes decide the kind when the name says it; NBS code ranges decide otherwise.
_TOWNSHIP_SUFFIXES = (
    ("街道", "subdistrict"),
    ("镇", "town"),
    ("乡", "xiang"),
    ("农场", "farm"),
    ("园区", "park"),
    ("工业园", "park"),
    ("区", "special"),
)
_VILLAGE_SUFFIXES = (("居委会", "community"), ("社区", "community"), ("村委会", "village"), ("村", "village"))


class CodeError(ValueError):
    """A division code that breaks the NBS structure."""


def normalise_code(raw: str) -> str:
    """Strip padding: NBS lists write township 445281102 as 445281102000 and counties as 445281000000."""
    code = re.sub(r"\s", "", str(raw or ""))
    if code.endswith(".0"):  # spreadsheets turn codes into numbers
        code = code[:-2]
    if not code.isdigit():
        raise CodeError(f"区划代码只能包含数字：{raw!r}")
    if len(code) == 12:
        for length in (2, 4, 6, 9):
            if code[length:] == "0" * (12 - length):
                return code[:length]
        return code
    if len(code) not in LEVEL_BY_LENGTH:
        raise CodeError(f"区划代码应为2、4、6、9或12位，当前为{len(code)}位：{code}")
    return code


def level_of(code: str) -> str:
    return LEVEL_BY_LENGTH[len(code)]


def parent_code(code: str) -> str | None:
    length = PARENT_LENGTH.get(len(code))
    return code[:length] if length else None


def check_extends(code: str, parent: str) -> None:
    if not code.startswith(parent) or len(code) <= len(parent):
        raise CodeError(f"区划代码 {code} 不是上级代码 {parent} 的下级")


def kind_of(code: str, name: str) -> str:
    """Kind from the name's suffix, else from the NBS code range of the last segment."""
    level = level_of(code)
    if level in ("province", "city", "county"):
        return level
    suffixes = _TOWNSHIP_SUFFIXES if level == "township" else _VILLAGE_SUFFIXES
    for suffix, kind in suffixes:
        if name.endswith(suffix):
            return kind
    serial = int(code[-3:])
    if level == "township":
        return "subdistrict" if serial < 100 else "town" if serial < 200 else "xiang" if serial < 400 else "special"
    return "community" if serial < 200 else "village"


def pinyin_of(name: str) -> tuple[str, str]:
    """('liushadongjiedao', 'lsdjd') — what people type on a phone keyboard."""
    syllables = lazy_pinyin(name, errors="ignore")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(syllables).lower(), "".join(initials).lower()


def pinyin_key(text: str) -> str:
    """A search term as pinyin: Chinese text becomes its pinyin, Latin text is lower-cased."""
    if re.search(r"[\u4e00-\u9fff]", text):
        return pinyin_of(text)[0]
    return re.sub(r"[\s']", "", text).lower()


@dataclass(frozen=True)
class AreaRow:
    """One validated row of an areas file."""

    code: str
    name: str
    kind: str
    population: int | None = None
    poor_labour_count: int | None = None
    is_provincial_poverty_village: bool = False
    latitude: str | None = None
    longitude: str | None = None
    valid_from: object = None
    valid_to: object = None
