"""XLSX imports at a province's scale: 100,000 monthly station reports and a 100,000-person roster.

Each import runs in a fresh process per observation (``cuntong`` set up before the clock starts), through the same
importer class the import page and ``cuntong import`` use, acting as the system. Its baseline is a bare openpyxl read
of the same file (``load_workbook(read_only=True)``, every row's values), run the same way in the same rounds: the
ratio is what checking and writing cost on top of reading. CPU is the importing process's own (``process_time``:
on SQLite the database's work is inside it; on PostgreSQL the server's is not, so the wall-clock ratio is given too).

Memory: each process's peak RSS (VmHWM) less an idle process's (Django set up, nothing run), at the size and at a
tenth of it; a flat import keeps the ratio near 1. The queries each import sends are counted (they must not grow
with the rows, but for the batches of inserts). The processes run with DEBUG off, as in production (Django's debug
log of queries would otherwise hold the SQL of the last 9,000 statements).

The files are built once per run in the scratch directory: reports for stations made for the bench in a programme of
its own (``bench-imports``), every station 50 months; a roster of valid ID numbers spread over the county's villages.
Between observations the imported rows are removed (raw SQL, untimed) so every observation imports the same file
into the same database.
"""

from __future__ import annotations

import datetime
import os
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from bench.harness import Result, Timing, measure

ROWS = {"tiny": 1_000, "small": 10_000, "full": 100_000}
TIMING = {"tiny": Timing(repeat=1), "small": Timing(repeat=3), "full": Timing(repeat=3)}
MONTHS = 50
FIRST_MONTH = datetime.date(2019, 1, 1)
PROGRAMME = "bench-imports"
SEED = 20190518

REPORT_HEADER = [
    "站点编号",
    "月份",
    "收件量（下行，件）",
    "寄件量（上行，件）",
    "农产品网销额（元）",
    "代购金额（元）",
    "金融服务笔数",
    "金融服务金额（元）",
    "直播场次",
    "直播销售额（元）",
    "到站人次",
    "确认",
    "修改原因",
]
ROSTER_HEADER = [
    "姓名",
    "身份证号",
    "村",
    "户编号",
    "与户主关系",
    "联系电话",
    "劳动能力",
    "务工状态",
    "贫困状态",
    "脱贫年度",
]
SURNAMES = "陈林黄张李王吴刘蔡杨郑许谢洪郭邱曾廖赖徐周叶苏庄吕江何萧罗高潘简朱钟彭游詹胡施沈余卢梁赵颜柯翁魏孙戴"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅春燕文辉海燕德胜美玲金凤"


def _programme():
    from bench.bench_funds import _bench_programme

    return _bench_programme(PROGRAMME)


def _month(index: int) -> datetime.date:
    year, month = divmod(FIRST_MONTH.month - 1 + index, 12)
    return datetime.date(FIRST_MONTH.year + year, month + 1, 1)


def _stations(programme, count: int) -> list[str]:
    """``count`` operating stations of the bench programme (made directly: no rule check), their codes in order."""
    from cuntong.geo.models import Area
    from cuntong.stations.models import Station

    codes = [f"BI{index:05d}" for index in range(count)]
    have = set(Station.objects.filter(programme=programme, code__in=codes).values_list("code", flat=True))
    villages = list(Area.objects.current().filter(code__startswith=programme.county.code, level="village"))
    missing = [
        Station(
            programme=programme,
            code=code,
            name=f"基准测试服务点{index}",
            level="village",
            area=villages[index % len(villages)],
            latitude=Decimal("23.300000") + Decimal(index % 100) / 1000,
            longitude=Decimal("116.200000") + Decimal(index // 100) / 1000,
            services=",express,",
            status="operating",
            opened_on=datetime.date(2015, 1, 1),
        )
        for index, code in enumerate(codes)
        if code not in have
    ]
    Station.objects.bulk_create(missing, batch_size=1000)  # bench set-up: no history wanted
    return codes


def _write_xlsx(path: Path, header: list[str], rows) -> None:
    """Written as Excel and WPS write theirs: with the sheet's ``<dimension>`` (openpyxl's write-only mode leaves it
    out, and a reader of such a file parses the whole sheet once more just to size it)."""
    import zipfile

    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header)
    count = 1
    for row in rows:
        sheet.append(row)
        count += 1
    draft = path.with_suffix(".draft.xlsx")
    book.save(draft)
    member = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(draft) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == member:
                dimension = f'<dimension ref="A1:{get_column_letter(len(header))}{count}"/>'
                data = data.replace(b"<sheetViews>", dimension.encode() + b"<sheetViews>", 1)
                assert b"<dimension" in data
            target.writestr(item, data)
    draft.unlink()


def _report_rows(codes: list[str], count: int):
    rng = random.Random(SEED)
    for code in codes:
        for index in range(MONTHS):
            if count <= 0:
                return
            count -= 1
            sessions = rng.randint(0, 4)
            yield [
                code,
                f"{_month(index):%Y-%m}",
                rng.randint(200, 1500),
                rng.randint(50, 600),
                f"{rng.randint(1000, 30000)}.{rng.randint(0, 99):02d}",
                rng.randint(500, 9000),
                rng.randint(1, 60),
                rng.randint(1000, 40000),
                sessions,
                rng.randint(100, 5000) if sessions else 0,
                rng.randint(100, 900),
                "",
                "",
            ]


def _id_number(serial: int) -> str:
    from stdnum.cn import ric

    born = datetime.date(1940, 1, 1) + datetime.timedelta(days=serial // 500)
    body = f"445281{born:%Y%m%d}{serial % 500:03d}"
    return body + ric.calc_check_digit(body + "0")


def _roster_rows(villages: list[str], count: int):
    rng = random.Random(SEED)
    for serial in range(count):
        lifted = rng.random() < 0.8
        yield [
            rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else ""),
            _id_number(serial),
            villages[serial // 4 % len(villages)],
            f"H{serial // 4:07d}",
            "户主" if serial % 4 == 0 else rng.choice(["配偶", "之子", "之女", "之孙子"]),
            f"13{rng.randint(0, 999_999_999):09d}",
            rng.choice(["普通劳动力", "丧失劳动力", "无劳动力"]),
            rng.choice(["县内务工", "省外务工", "未务工"]),
            "已脱贫" if lifted else "未脱贫",
            rng.choice([2016, 2017, 2018, 2019]) if lifted else None,
        ]


def _prepare(context) -> dict:
    """The bench programme, its stations and the four files (each kind at the size and at a tenth of it)."""
    from cuntong.audit.context import acting_as
    from cuntong.geo.models import Area

    rows = context.pick(ROWS)
    with acting_as(None, via="bench"):
        programme = _programme()
        codes = _stations(programme, rows // MONTHS)
    villages = list(
        Area.objects.current()
        .filter(code__startswith=programme.county.code, level="village")
        .order_by("code")
        .values_list("code", flat=True)
    )
    files = {}
    for count in (rows, rows // 10):
        files[("station-reports", count)] = path = context.workdir / f"reports-{count}.xlsx"
        _write_xlsx(path, REPORT_HEADER, _report_rows(codes, count))
        files[("residents", count)] = path = context.workdir / f"roster-{count}.xlsx"
        _write_xlsx(path, ROSTER_HEADER, _roster_rows(villages, count))
    return {"programme": programme, "files": files, "rows": rows}


def _clean(programme) -> None:
    """Remove what an observation imported (raw SQL: no history, untimed)."""
    from django.db import connection

    from cuntong.people.models import Resident
    from cuntong.stations.models import MonthlyReport, Station

    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {MonthlyReport._meta.db_table} WHERE station_id IN "
            f"(SELECT id FROM {Station._meta.db_table} WHERE programme_id = %s)",
            [programme.pk],
        )
        cursor.execute(f"DELETE FROM {Resident._meta.db_table} WHERE programme_id = %s", [programme.pk])


_SCRIPT = """
import os, time
def peak_mb():
    status = open('/proc/self/status').read().split('VmHWM:')[1]
    return int(status.split()[0]) / 1024
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'cuntong.settings')
import django
django.setup()
import openpyxl
from django.db import connection
from cuntong.audit.context import acting_as
from cuntong.core.actors import SYSTEM
from cuntong.core.importer import IMPORTERS
from cuntong.programme.models import Programme
queries = [0]
kind, path, code = {kind!r}, {path!r}, {code!r}
programme = Programme.objects.get(code=code) if kind else None
cpu, wall = time.process_time(), time.perf_counter()
if kind == 'read':
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for row in book.worksheets[0].iter_rows(values_only=True):
        pass
    book.close()
elif kind:
    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)
    with connection.execute_wrapper(count), acting_as(None, via='bench'), open(path, 'rb') as stream:
        report = IMPORTERS[kind](user=SYSTEM, programme=programme).run(stream, os.path.basename(path))
    assert report.committed and not report.errors, report.errors[:5]
    written = report.written
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
print('BENCH', cpu, wall, peak_mb(), queries[0])
"""


def _run(kind: str | None, path: Path | None = None) -> dict[str, float]:
    script = _SCRIPT.format(kind=kind or "", path=str(path or ""), code=PROGRAMME)
    # As in production, DEBUG off: Django's debug log of queries would keep the SQL of the last 9,000 statements.
    env = {**os.environ, "CUNTONG_DEBUG": "0"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    if done.returncode:
        raise RuntimeError(f"bench import of {path} failed:\n{done.stderr[-3000:]}")
    line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH"))
    _tag, cpu, wall, rss, queries = line.split()
    return {"cpu_seconds": float(cpu), "seconds": float(wall), "rss_mb": float(rss), "queries": float(queries)}


def _importing(kind: str, path: Path, programme):
    def observe() -> dict[str, float]:
        try:
            return _run(kind, path)
        finally:
            _clean(programme)

    return observe


def run(context):
    from django.db import connection

    prepared = _prepare(context)
    programme, files, rows = prepared["programme"], prepared["files"], prepared["rows"]
    _clean(programme)
    tenth = rows // 10
    sides = {"idle": lambda: _run(None)}
    for kind in ("station-reports", "residents"):
        sides[f"read {kind}"] = lambda path=files[(kind, rows)]: _run("read", path)
        sides[f"{kind} {rows}"] = _importing(kind, files[(kind, rows)], programme)
        sides[f"{kind} {tenth}"] = _importing(kind, files[(kind, tenth)], programme)
    samples = measure(sides, context.pick(TIMING))
    idle = samples["idle"]["rss_mb"]
    results = []
    for kind, label in (("station-reports", "station reports"), ("residents", "roster")):
        full, small, read = samples[f"{kind} {rows}"], samples[f"{kind} {tenth}"], samples[f"read {kind}"]
        detail = {
            "database": connection.vendor,
            "rows": rows,
            "queries": int(full["queries"].value),
            f"queries_at_{tenth}": int(small["queries"].value),
            "rows_per_second": round(rows / full["seconds"].value),
            "openpyxl_read_cpu_seconds": read["cpu_seconds"].value,
        }
        results += [
            Result(
                f"{label} import {rows:,} rows (CPU)",
                full["cpu_seconds"],
                "s",
                baseline_sample=read["cpu_seconds"],
                baseline_name="openpyxl read",
                target="≤ 5×",
                detail=detail,
            ),
            Result(
                f"{label} import {rows:,} rows (wall clock)",
                full["seconds"],
                "s",
                baseline_sample=read["seconds"],
                baseline_name="openpyxl read",
                detail=detail,
            ),
            Result(
                f"{label} import RSS growth above idle at {rows:,}",
                full["rss_mb"].minus(idle),
                "MB",
                baseline_sample=small["rss_mb"].minus(idle),
                baseline_name=f"growth at {tenth:,}",
                target="≤ 1.2×",
                detail={"idle_process_rss_mb": idle.value, "peak_rss_mb": full["rss_mb"].value},
            ),
        ]
    return results
