"""How the poverty office's roster spreadsheets say things, turned into the roster's values. No ORM.

The national registration system (全国扶贫开发信息系统) exports labour capacity and work status as phrases
(普通劳动力, 丧失劳动力, 省外务工 …); clerks also type 是/否. Both are accepted.
"""

from django.utils.translation import gettext_lazy as _

# 劳动能力: the first three count as labour-capable (有劳动能力) in the programme's statistics.
LABOUR_CAPABLE = {"普通劳动力", "技能劳动力", "弱劳动力或半劳动力", "弱劳动力", "半劳动力", "有劳动能力"}
NOT_LABOUR_CAPABLE = {"丧失劳动力", "无劳动力", "无劳动能力"}
# 务工状态: working outside the county is "外出务工", which the poverty-training target excludes.
MIGRANT = {"省外务工", "省内县外务工", "县外务工", "外出务工"}
NOT_MIGRANT = {"县内务工", "乡镇内务工", "未务工", "在家", "本地务工"}
YES = {"是", "1", "y", "yes", "true", "√", "✓"}
NO = {"否", "", "0", "n", "no", "false", "×"}

POVERTY_STATUS_WORDS = {
    "poor": {"poor", "未脱贫", "贫困户", "贫困"},
    "lifted": {"lifted", "已脱贫", "脱贫户", "脱贫", "已脱贫户"},
    "monitored": {
        "monitored",
        "防返贫监测对象",
        "监测对象",
        "监测户",
        "边缘易致贫户",
        "脱贫不稳定户",
        "突发严重困难户",
    },
}


class Unrecognised(ValueError):
    """The cell says something the rule does not know; the message lists what is accepted."""


def _flag(value: str, true_words: set[str], false_words: set[str]) -> bool:
    word = value.strip().lower()
    if word in true_words or word in YES:
        return True
    if word in false_words or word in NO:
        return False
    raise Unrecognised(
        _("“%(v)s”无法识别，可填：是、否、%(words)s")
        % {"v": value, "words": "、".join(sorted(true_words | false_words))}
    )


def labour_capable(value: str) -> bool:
    return _flag(value, LABOUR_CAPABLE, NOT_LABOUR_CAPABLE)


def migrant_worker(value: str) -> bool:
    return _flag(value, MIGRANT, NOT_MIGRANT)


def poverty_status(value: str) -> str:
    word = value.strip().lower()
    if not word:
        return "poor"
    for status, words in POVERTY_STATUS_WORDS.items():
        if word in words:
            return status
    chinese = sorted(w for words in POVERTY_STATUS_WORDS.values() for w in words if not w.isascii())
    raise Unrecognised(_("“%(v)s”无法识别，可填：%(words)s") % {"v": value, "words": "、".join(chinese)})


def reveal_reason_error(reason: str) -> str | None:
    """A reveal must say why (PIPL: purpose limitation); a few characters of real text at least."""
    if len((reason or "").strip()) < 4:
        return _("请填写查看事由（至少4个字），该事由将记入安全日志。")
    return None
