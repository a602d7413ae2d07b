"""SIS import: the benchmark district's package, as ratios to PostgreSQL COPY of the same CSVs.

The package is the benchmark district written out by export_demo_sis (every file, its years of
attendance). Its import into an empty database is compared with COPY of the same CSV files into
unindexed text tables, the floor any import has; re-runs (identical package, the same data in a
new package, 1% of students changed) are compared with the first import. Peak memory is the
import command's maximum resident size, run in a child process, at 5,000 and BENCH_STUDENTS.

Seeding a district to export is the slow part: the big package is exported from the benchmark district
the other benchmarks use when the database still holds it, and each exported package is kept under
.local/bench-packages/, named by its size, seed, date and the generator's and exporter's source:
`make bench ARGS=import` run again imports the kept packages without seeding anything.
"""

import csv
import datetime
import hashlib
import shutil
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection

from benchmarks.child import run_manage
from benchmarks.district import BENCH_SEED, BENCH_STUDENTS, ensure_bench_district, prepare_database
from educators.models import Educator
from insights.database import job_timeouts
from students.demo.generate import reset_demo_data
from students.sis.export import export_package

IMPORTER = "bench.importer@district.example"
KEPT_PACKAGES = Path(settings.BASE_DIR) / ".local" / "bench-packages"
GENERATOR_SOURCES = ("students/demo", "students/sis/export.py")


def _source_fingerprint() -> str:
    digest = hashlib.sha256()
    for source in GENERATOR_SOURCES:
        path = Path(settings.BASE_DIR) / source
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def _package(students: int, scratch: Path) -> Path:
    """A working copy of the exported package of a ``students``-student district, exported once per day and source."""
    kept = KEPT_PACKAGES / f"{students}-seed{BENCH_SEED}-{datetime.date.today()}-{_source_fingerprint()}"
    if not (kept / "manifest.csv").exists():
        for older in KEPT_PACKAGES.glob(f"{students}-*"):  # other days' and sources' packages of this size
            shutil.rmtree(older)
        ensure_bench_district(students)  # the benchmark district itself, when it is that size already
        export_package(kept.with_suffix(".partial"))
        kept.with_suffix(".partial").rename(kept)
    copy = Path(tempfile.mkdtemp(prefix=f"{students}-", dir=scratch))  # BENCH_STUDENTS=5000 copies it twice
    shutil.copytree(kept, copy, dirs_exist_ok=True)
    return copy


def _empty_with_importer() -> None:
    reset_demo_data()
    importer = Educator.objects.create_user(IMPORTER, None, full_name="Bench importer")
    importer.user_permissions.add(Permission.objects.get(content_type__app_label="sis", codename="run_imports"))
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE sis_importrun CASCADE")


def _copy_baseline(folder: Path) -> float:
    """COPY every CSV of the package into unindexed text tables."""
    started = time.monotonic()
    with connection.cursor() as cursor:
        for path in sorted(folder.glob("*.csv")):
            with path.open(encoding="utf-8", newline="") as source:
                header = next(csv.reader(source))
            table = f"bench_copy_{path.stem}"
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE UNLOGGED TABLE {table} ({', '.join(f'c{i} text' for i in range(len(header)))})")
            with path.open("rb") as source, cursor.copy(f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER)") as copy:
                while data := source.read(1 << 20):
                    copy.write(data)
            cursor.execute(f"DROP TABLE {table}")
    return time.monotonic() - started


def _import(folder: Path) -> tuple[float, int, str]:
    """Run `manage.py import_sis` in a child process: wall seconds, peak RSS in KiB, its report."""
    return run_manage("import_sis", str(folder), "--actor", IMPORTER)


def _change_students(folder: Path, share: float) -> None:
    path = folder / "students.csv"
    with path.open(encoding="utf-8", newline="") as source:
        rows = list(csv.reader(source))
    step = int(1 / share)
    for index in range(1, len(rows), step):
        rows[index][4] = rows[index][4] + "-Changed"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)


def _restamp(folder: Path) -> None:
    """The same data in a new package: only the manifest's generated_at differs."""
    manifest = folder / "manifest.csv"
    lines = [line for line in manifest.read_text(encoding="utf-8").splitlines() if not line.startswith("generated_at")]
    lines.insert(1, f"generated_at,{datetime.datetime.now(datetime.UTC).isoformat(timespec='seconds')}")
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")


@job_timeouts()
def run(report):
    with tempfile.TemporaryDirectory() as scratch:
        prepare_database()
        # The big package first: it is exported from the district the other benchmarks seeded, if still there.
        big = _package(BENCH_STUDENTS, Path(scratch))
        small = _package(5000, Path(scratch))
        _empty_with_importer()
        small_seconds, small_peak, _ = _import(small)

        size = sum(path.stat().st_size for path in big.glob("*.csv"))
        copy_seconds = _copy_baseline(big)
        _empty_with_importer()
        first, big_peak, first_report = _import(big)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        report(
            f"import {BENCH_STUDENTS:,} students ({size / 1e6:.0f} MB)",
            first,
            copy_seconds,
            "baseline: COPY, goal <= 4x",
        )
        identical, _, _ = _import(big)
        report("re-run, identical package (no-op)", identical, first, "baseline: first import, goal <= 0.1x")
        _restamp(big)
        same, _, _ = _import(big)
        report("re-run, same data in a new package", same, first, "baseline: first import")
        _change_students(big, 0.01)
        changed, _, _ = _import(big)
        report("re-run, 1% of students changed", changed, first, "baseline: first import, goal <= 0.5x")
        print(
            f"   peak memory of the import: {small_peak / 1024:.0f} MiB at 5,000 students, "
            f"{big_peak / 1024:.0f} MiB at {BENCH_STUDENTS:,} (RUSAGE_CHILDREN max; small run first)",
            flush=True,
        )
        print(f"   (5,000-student import took {small_seconds:.1f}s)", flush=True)
        for line in first_report.splitlines():
            if line.strip().startswith("timings:"):
                print(f"   first import's stage {line.strip()}", flush=True)
