"""Importing a signed attendance sheet (签到表) of 100,000 rows: one row per person and session day.

Modelled on ``bench_imports``: each import runs in a fresh process per observation through the importer the import
page and ``cuntong import`` use (``training_attendance``), acting as the system; its baseline is a bare openpyxl
read of the same file, run the same way in the same rounds. Memory: the importing process's peak RSS less an idle
process's, at the size and at a tenth of it (a streamed read keeps the ratio near 1).

The sheet: sessions made for the bench in the ``bench-imports`` programme, each of 5 days with 20 trainees (100 rows
a session); the trainees are new people (valid ID numbers), so each import also registers them. Between observations
the imported attendance, enrolments and trainees are removed (raw SQL, untimed).
"""

from __future__ import annotations

import datetime
import random
from pathlib import Path

from bench.bench_imports import GIVEN, PROGRAMME, SEED, SURNAMES, _id_number, _programme, _run, _write_xlsx
from bench.harness import Result, Timing, measure

ROWS = {"tiny": 1_000, "small": 10_000, "full": 100_000}
TIMING = {"tiny": Timing(repeat=1), "small": Timing(repeat=3), "full": Timing(repeat=3)}
DAYS, PEOPLE = 5, 20
FIRST_DAY = datetime.date(2020, 3, 2)
HEADER = ["培训班编号", "日期", "姓名", "身份证号", "手机号"]


def _sessions(programme, count: int) -> list[tuple[str, list[datetime.date]]]:
    """``count`` sessions of the bench programme with their days (made directly: no rule check)."""
    from cuntong.geo.models import Area
    from cuntong.training.models import Course, Provider, Session, SessionDay

    provider, _made = Provider.objects.get_or_create(programme=programme, name="基准测试培训机构")
    course, _made = Course.objects.get_or_create(
        programme=programme, title="基准测试课程", defaults={"topic": "live", "level": "inclusive"}
    )
    villages = list(Area.objects.current().filter(code__startswith=programme.county.code, level="village"))
    codes = [f"BT{index:05d}" for index in range(count)]
    have = set(Session.objects.filter(programme=programme, code__in=codes).values_list("code", flat=True))
    plan = []
    for index, code in enumerate(codes):
        start = FIRST_DAY + datetime.timedelta(days=7 * (index % 150))
        days = [start + datetime.timedelta(days=n) for n in range(DAYS)]
        plan.append((code, days))
        if code in have:
            continue
        session = Session.objects.create(
            programme=programme,
            code=code,
            title=f"基准测试培训班{index}",
            course=course,
            provider=provider,
            area=villages[index % len(villages)],
            start_date=days[0],
            end_date=days[-1],
        )
        SessionDay.objects.bulk_create(SessionDay(session=session, date=day) for day in days)
    return plan


def _rows(sessions, count: int):
    rng = random.Random(SEED)
    for number, (code, days) in enumerate(sessions):
        people = [
            (
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                _id_number(400_000 + number * PEOPLE + n),
                f"13{rng.randint(0, 999_999_999):09d}",
            )
            for n in range(PEOPLE)
        ]
        for day in days:
            for name, id_number, phone in people:
                if count <= 0:
                    return
                count -= 1
                yield [code, f"{day:%Y-%m-%d}", name, id_number, phone]


def _clean(programme) -> None:
    from django.db import connection

    from cuntong.training.models import Attendance, Enrolment, Session, SessionDay, Trainee

    with connection.cursor() as cursor:
        sessions = f"SELECT id FROM {Session._meta.db_table} WHERE programme_id = %s"
        cursor.execute(
            f"DELETE FROM {Attendance._meta.db_table} WHERE day_id IN "
            f"(SELECT id FROM {SessionDay._meta.db_table} WHERE session_id IN ({sessions}))",
            [programme.pk],
        )
        cursor.execute(f"DELETE FROM {Enrolment._meta.db_table} WHERE session_id IN ({sessions})", [programme.pk])
        cursor.execute(f"DELETE FROM {Trainee._meta.db_table} WHERE programme_id = %s", [programme.pk])


def _importing(path: Path, programme):
    def observe() -> dict[str, float]:
        try:
            return _run("training_attendance", path)
        finally:
            _clean(programme)

    return observe


def run(context):
    from django.db import connection

    from cuntong.audit.context import acting_as

    rows = context.pick(ROWS)
    tenth = rows // 10
    with acting_as(None, via="bench"):
        programme = _programme()
        sessions = _sessions(programme, rows // (DAYS * PEOPLE))
    assert programme.code == PROGRAMME
    files = {}
    for count in (rows, tenth):
        files[count] = path = context.workdir / f"attendance-{count}.xlsx"
        _write_xlsx(path, HEADER, _rows(sessions, count))
    _clean(programme)
    samples = measure(
        {
            "idle": lambda: _run(None),
            "read": lambda: _run("read", files[rows]),
            f"import {rows}": _importing(files[rows], programme),
            f"import {tenth}": _importing(files[tenth], programme),
        },
        context.pick(TIMING),
    )
    idle = samples["idle"]["rss_mb"]
    full, small, read = samples[f"import {rows}"], samples[f"import {tenth}"], samples["read"]
    detail = {
        "database": connection.vendor,
        "rows": rows,
        "queries": int(full["queries"].value),
        f"queries_at_{tenth}": int(small["queries"].value),
        "rows_per_second": round(rows / full["seconds"].value),
    }
    return [
        Result(
            f"attendance sheet import {rows:,} rows (CPU)",
            full["cpu_seconds"],
            "s",
            baseline_sample=read["cpu_seconds"],
            baseline_name="openpyxl read",
            detail=detail,
        ),
        Result(
            f"attendance sheet import {rows:,} rows (wall clock)",
            full["seconds"],
            "s",
            baseline_sample=read["seconds"],
            baseline_name="openpyxl read",
            detail=detail,
        ),
        Result(
            f"attendance sheet import RSS growth above idle at {rows:,}",
            full["rss_mb"].minus(idle),
            "MB",
            baseline_sample=small["rss_mb"].minus(idle),
            baseline_name=f"growth at {tenth:,}",
            target="≤ 1.2×",
            detail={"idle_process_rss_mb": idle.value, "peak_rss_mb": full["rss_mb"].value},
        ),
    ]
