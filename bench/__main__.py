"""``python -m bench [--size tiny|small|full] [name …]``: run benchmarks, print a table, write bench/results.json.

``--size tiny`` runs every benchmark on small data in well under a minute: CI runs it so that a benchmark that no
longer runs fails the build, while no timing ever does (figures are printed, never judged).
"""

import argparse
import importlib
import json
import os
import platform
import shutil
import sys
import time
from datetime import datetime
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cuntong.settings")
HERE = Path(__file__).resolve().parent


def prepare_database(context) -> None:
    """A scratch SQLite database (or DATABASE_URL when set) shared by every benchmark: the demo dataset, or for
    ``tiny`` only what the benchmarks need (the plan, the county's areas and roles, the office user the web
    benchmark logs in as), which builds in seconds."""
    os.environ.setdefault("CUNTONG_VAR_DIR", str(context.workdir))
    os.environ.setdefault("CUNTONG_TASKS", "immediate")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    if context.size == "tiny":
        from cuntong.web.testing import load_base_data, make_user

        load_base_data()
        make_user("office", "office")
    else:
        call_command("demo", no_progress=True, quiet_logins=True, verbosity=0)


def run(context, modules: list[str]) -> list[dict]:
    started = time.perf_counter()
    prepare_database(context)
    print(f"-- prepared the database in {time.perf_counter() - started:.1f} s (size {context.size})", flush=True)
    results = []
    for name in modules:
        print(f"-- {name}", flush=True)
        module = importlib.import_module(f"bench.{name}")
        for result in module.run(context):
            results.append({"module": name, **result.as_dict()})
            ratio = f"{result.ratio:.2f}× {result.baseline_name}" if result.ratio is not None else ""
            print(
                f"   {result.name:<58} {result.value:>12.3f} {result.unit:<11} {result.sample.timing!s:<11} "
                f"{ratio:<30} {result.target}",
                flush=True,
            )
    return results


def main(argv: list[str]) -> int:
    from bench.harness import SIZES, Context

    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=SIZES, default="full", help="data sizes (default: full)")
    parser.add_argument(
        "--province", action="store_true", help="the pages again with Guangdong's 124 generated counties added"
    )
    parser.add_argument("names", nargs="*", help="modules to run (funds, stations, web; default: all)")
    options = parser.parse_args(argv)
    wanted = set(options.names)
    modules = sorted(p.stem for p in HERE.glob("bench_*.py") if not wanted or p.stem.removeprefix("bench_") in wanted)
    context = Context(size=options.size, province=options.province)
    started = time.perf_counter()
    try:
        results = run(context, modules)
    finally:
        shutil.rmtree(context.workdir, ignore_errors=True)
    output = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "machine": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "size": context.size,
        "province": context.province,
        "seconds": round(time.perf_counter() - started, 1),
        "results": results,
    }
    (HERE / "results.json").write_text(json.dumps(output, ensure_ascii=False, indent=2))
    print(f"wrote {HERE / 'results.json'} after {output['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
