"""``python -m bench [name …]``: run benchmarks, print a table, write bench/results.json."""

import importlib
import json
import os
import platform
import sys
from datetime import datetime
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cuntong.settings")
HERE = Path(__file__).resolve().parent


def prepare_database(context) -> None:
    """A scratch SQLite database (or DATABASE_URL when set) with the demo dataset, shared by every benchmark."""
    os.environ.setdefault("CUNTONG_VAR_DIR", str(context.workdir))
    os.environ.setdefault("CUNTONG_TASKS", "immediate")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("demo", no_progress=True, quiet_logins=True, verbosity=0)


def main(argv: list[str]) -> int:
    from bench.harness import Context, quick

    wanted = set(argv)
    modules = sorted(p.stem for p in HERE.glob("bench_*.py") if not wanted or p.stem.removeprefix("bench_") in wanted)
    context = Context(quick=quick())
    prepare_database(context)
    results = []
    for name in modules:
        print(f"-- {name}", flush=True)
        module = importlib.import_module(f"bench.{name}")
        for result in module.run(context):
            results.append({"module": name, **result.as_dict()})
            ratio = f"{result.ratio:.2f}× {result.baseline_name}" if result.ratio is not None else ""
            print(
                f"   {result.name:<48} {result.value:>12.3f} {result.unit:<8} {ratio:<28} {result.target}", flush=True
            )
    output = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "machine": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "quick": context.quick,
        "results": results,
    }
    (HERE / "results.json").write_text(json.dumps(output, ensure_ascii=False, indent=2))
    print(f"wrote {HERE / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
