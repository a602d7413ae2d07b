"""`make bench`: runs every benchmarks/bench_*.py and prints each figure beside its baseline.

Machines here are noisy, so every figure is reported as a ratio to a baseline measured in the
same run, never as an absolute goal. Benchmarks that need a large district seed it themselves
into the development database (BENCH_STUDENTS, default 50,000; reused when already that size).
"""

import importlib
import os
import pkgutil
import sys
import time

import django

# These replace the seeded district with one they import: they run last, and leave the database
# without students, so that a later benchmark seeds again instead of measuring an imported district
# (it lacks the cast's hand-made grants) as if it were the seeded one.
REPLACE_THE_DISTRICT = ("bench_import", "bench_oneroster")


def report(name: str, seconds: float, baseline_seconds: float | None = None, note: str = "") -> None:
    if baseline_seconds:
        ratio = seconds / baseline_seconds
        line = f"{name:<58} {seconds * 1000:>10.2f} ms   baseline {baseline_seconds * 1000:>9.2f} ms"
        line += f"   ratio {ratio:>6.2f}x"
    else:
        line = f"{name:<58} {seconds * 1000:>10.2f} ms"
    print(f"{line}   {note}".rstrip(), flush=True)


def main(selected: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insights.settings")
    django.setup()
    from students.demo.generate import reset_demo_data  # noqa: PLC0415 - needs the apps set up

    package_dir = os.path.dirname(__file__)
    names = sorted(m.name for m in pkgutil.iter_modules([package_dir]) if m.name.startswith("bench_"))
    # bench_seed first: the others reuse the district it seeds.
    names.sort(key=lambda name: (name != "bench_seed", name in REPLACE_THE_DISTRICT))
    if selected:
        names = [n for n in names if any(s in n for s in selected)]
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"\n== {name} — {(module.__doc__ or '').strip().splitlines()[0]}", flush=True)
        started = time.monotonic()
        module.run(report)
        if name in REPLACE_THE_DISTRICT:
            reset_demo_data()
        print(f"   ({time.monotonic() - started:.0f}s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
