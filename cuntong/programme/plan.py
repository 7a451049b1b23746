"""Reading and checking a plan file (pure: no ORM).

A plan is YAML, checked first against ``plan_schema.json`` (shape) and then by the sum rules below (the figures
must add up: sub-items to their project, projects to the totals by source). Every problem is reported with its
path in the file, so a county clerk can find the line to fix.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator, FormatChecker

from cuntong.core.money import to_decimal, wan_to_yuan

SCHEMA = json.loads((Path(__file__).with_name("plan_schema.json")).read_text(encoding="utf-8"))
SOURCES = ("national", "local")


class PlanLoader(yaml.SafeLoader):
    """YAML without implicit dates: the schema checks date strings, and nothing silently becomes a datetime."""


PlanLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class PlanError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class PlanInvalid(Exception):
    def __init__(self, errors: list[PlanError]):
        super().__init__("\n".join(map(str, errors)))
        self.errors = errors


@dataclass(frozen=True)
class SubItemSpec:
    code: str
    name: str
    amount: Decimal  # yuan
    source: str = ""
    description: str = ""


@dataclass(frozen=True)
class ProjectSpec:
    number: int
    category: str
    name: str
    content: str
    due: datetime.date
    budget: dict[str, Decimal]  # yuan by source
    sub_items: tuple[SubItemSpec, ...] = ()
    expected_effect: str = ""
    lead_unit: str = ""
    cooperating_units: str = ""
    status: str = "planned"

    @property
    def total(self) -> Decimal:
        return sum(self.budget.values(), Decimal(0))


@dataclass(frozen=True)
class Plan:
    """A checked plan; amounts in yuan."""

    data: dict
    text: str
    projects: tuple[ProjectSpec, ...] = field(default_factory=tuple)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    @property
    def code(self) -> str:
        return self.data["programme"]["code"]

    def total(self, source: str | None = None) -> Decimal:
        return sum((p.budget[source] if source else p.total for p in self.projects), Decimal(0))


def _json_path(error) -> str:
    parts = []
    for part in error.absolute_path:
        parts.append(f"[{part}]" if isinstance(part, int) else (f".{part}" if parts else str(part)))
    return "".join(parts)


def parse_date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def _yuan(wan) -> Decimal:
    return wan_to_yuan(to_decimal(str(wan)))


def _check_amount_precision(data: dict) -> list[PlanError]:
    """Amounts in 万元 may carry at most six decimals (one fen)."""
    errors = []

    def visit(path: str, value):
        exponent = to_decimal(str(value)).as_tuple().exponent
        if isinstance(exponent, int) and exponent < -6:
            errors.append(PlanError(path, f"金额 {value} 万元精确到分以下（最多6位小数）"))

    budget = data.get("budget", {})
    for key in ("total", "national", "local"):
        if key in budget:
            visit(f"budget.{key}", budget[key])
    for i, project in enumerate(data.get("projects", [])):
        for source, amount in project.get("budget", {}).items():
            visit(f"projects[{i}].budget.{source}", amount)
        for j, item in enumerate(project.get("sub_items", [])):
            visit(f"projects[{i}].sub_items[{j}].amount", item["amount"])
    return errors


def check_sums(data: dict, projects: list[ProjectSpec]) -> list[PlanError]:
    """The plan's figures must add up: each project's sub-items, and projects to each source total and the total."""
    errors: list[PlanError] = []
    for i, project in enumerate(projects):
        if project.sub_items:
            items_total = sum((s.amount for s in project.sub_items), Decimal(0))
            if items_total != project.total:
                errors.append(
                    PlanError(
                        f"projects[{i}].sub_items",
                        f"子项合计 {items_total / 10000:f} 万元，与项目“{project.name}”投入 {project.total / 10000:f} 万元不符",
                    )
                )
            for source in SOURCES:
                sourced = sum((s.amount for s in project.sub_items if s.source == source), Decimal(0))
                if sourced > project.budget[source]:
                    errors.append(
                        PlanError(
                            f"projects[{i}].sub_items",
                            f"标明{source}来源的子项合计 {sourced / 10000:f} 万元，超过该来源预算 {project.budget[source] / 10000:f} 万元",
                        )
                    )
            codes = [s.code for s in project.sub_items]
            for code in {c for c in codes if codes.count(c) > 1}:
                errors.append(PlanError(f"projects[{i}].sub_items", f"子项代码 {code} 重复"))
    budget = data["budget"]
    for source in SOURCES:
        declared = _yuan(budget[source])
        actual = sum((p.budget[source] for p in projects), Decimal(0))
        if declared != actual:
            errors.append(
                PlanError(
                    f"budget.{source}", f"各项目合计 {actual / 10000:f} 万元，与申报 {declared / 10000:f} 万元不符"
                )
            )
    declared_total = _yuan(budget["total"])
    if declared_total != _yuan(budget["national"]) + _yuan(budget["local"]):
        errors.append(
            PlanError(
                "budget.total",
                f"总额 {budget['total']} 万元不等于国家专项 {budget['national']} + 本级配套 {budget['local']}",
            )
        )
    numbers = [p.number for p in projects]
    for number in {n for n in numbers if numbers.count(n) > 1}:
        errors.append(PlanError("projects", f"项目序号 {number} 重复"))
    return errors


def check_dates(data: dict) -> list[PlanError]:
    errors = []
    programme = data["programme"]
    start, end = parse_date(programme["start_date"]), parse_date(programme["end_date"])
    if end < start:
        errors.append(PlanError("programme.end_date", "结束日期早于开始日期"))
    for i, phase in enumerate(data["phases"]):
        phase_start, phase_end = parse_date(phase["start"]), parse_date(phase["end"])
        if phase_end < phase_start:
            errors.append(PlanError(f"phases[{i}].end", f"阶段“{phase['name']}”结束日期早于开始日期"))
        if phase_start < start or phase_end > end:
            errors.append(PlanError(f"phases[{i}]", f"阶段“{phase['name']}”超出项目期限 {start} 至 {end}"))
    codes = [p["code"] for p in data["phases"]]
    for code in {c for c in codes if codes.count(c) > 1}:
        errors.append(PlanError("phases", f"阶段代码 {code} 重复"))
    seen = set()
    for i, target in enumerate(data.get("targets", [])):
        key = (target["kpi"], target.get("year"))
        if key in seen:
            errors.append(PlanError(f"targets[{i}].kpi", f"指标 {target['kpi']} 的目标重复"))
        seen.add(key)
    return errors


def _project_specs(data: dict) -> list[ProjectSpec]:
    return [
        ProjectSpec(
            number=p["number"],
            category=p["category"],
            name=p["name"],
            content=" ".join(p["content"].split()),
            due=parse_date(p["due"]),
            budget={source: _yuan(p["budget"][source]) for source in SOURCES},
            sub_items=tuple(
                SubItemSpec(s["code"], s["name"], _yuan(s["amount"]), s.get("source", ""), s.get("description", ""))
                for s in p.get("sub_items", [])
            ),
            expected_effect=" ".join(p.get("expected_effect", "").split()),
            lead_unit=p.get("lead_unit", ""),
            cooperating_units=p.get("cooperating_units", ""),
            status=p.get("status", "planned"),
        )
        for p in data["projects"]
    ]


def parse_plan(text: str) -> Plan:
    """Parse and check a plan; raises PlanInvalid listing every problem found."""
    try:
        data = yaml.load(text, Loader=PlanLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行第{mark.column + 1}列" if mark else ""
        raise PlanInvalid([PlanError(where, f"YAML 格式错误：{getattr(exc, 'problem', exc)}")]) from exc
    if not isinstance(data, dict):
        raise PlanInvalid([PlanError("", "计划文件应为 YAML 映射（键: 值）")])
    validator = Draft202012Validator(SCHEMA, format_checker=FormatChecker())
    errors = [
        PlanError(_json_path(e), e.message)
        for e in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    ]
    if errors:
        raise PlanInvalid(errors)
    errors = _check_amount_precision(data)
    if errors:
        raise PlanInvalid(errors)
    projects = _project_specs(data)
    errors = check_sums(data, projects) + check_dates(data)
    if errors:
        raise PlanInvalid(errors)
    return Plan(data=data, text=text, projects=tuple(projects))


def read_plan(path: str | Path) -> Plan:
    return parse_plan(Path(path).read_text(encoding="utf-8"))
