"""Exit export: the whole benchmark district as one zip, as a ratio to COPY of the same tables to files.

The export (``manage.py exit_export --wait`` in a child process, so its peak memory can be read)
writes every table, the data dictionary, the manifest and the Insights import format into a zip
and stores it as an encrypted one-time download; the baseline is PostgreSQL's COPY of the same
tables to plain files, the floor any export has. Peak memory should not grow with the district:
it is printed beside the zip's size.
"""

import tempfile
import time
from pathlib import Path

from django.contrib.auth.models import Permission
from django.db import connection

from benchmarks.child import run_manage
from benchmarks.district import BENCH_STUDENTS, ensure_bench_district
from destruction.export import exported_fields, exported_models
from educators.models import Educator
from insights.database import job_timeouts
from privacy.models import DownloadLink

OFFICER = "bench.privacy@district.example"


def _officer() -> None:
    officer = Educator.objects.filter(email=OFFICER).first() or Educator.objects.create_user(
        OFFICER, None, full_name="Bench privacy officer"
    )
    officer.user_permissions.add(
        Permission.objects.get(content_type__app_label="privacy", codename="privacy_operations")
    )


def _copy_baseline(folder: Path) -> float:
    started = time.monotonic()
    with connection.cursor() as cursor:
        for model in exported_models():
            columns = ", ".join(connection.ops.quote_name(field.column) for field in exported_fields(model))
            statement = f"COPY (SELECT {columns} FROM {model._meta.db_table}) TO STDOUT WITH (FORMAT csv, HEADER)"  # noqa: S608
            with (folder / f"{model._meta.db_table}.csv").open("wb") as out, cursor.copy(statement) as copy:
                for data in copy:
                    out.write(bytes(data))
    return time.monotonic() - started


def _export() -> tuple[float, int]:
    seconds, peak, _ = run_manage("exit_export", "--actor", OFFICER, "--wait")
    return seconds, peak


@job_timeouts()
def run(report):
    ensure_bench_district()
    _officer()
    with tempfile.TemporaryDirectory() as scratch:
        baseline = _copy_baseline(Path(scratch))
        written = sum(path.stat().st_size for path in Path(scratch).glob("*.csv"))
    seconds, peak = _export()
    link = DownloadLink.objects.filter(owner__email=OFFICER).order_by("-id").first()
    report(
        f"exit export of {BENCH_STUDENTS:,} students ({written / 1e6:.0f} MB of tables)",
        seconds,
        baseline,
        "baseline: COPY of the same tables to files",
    )
    print(
        f"   zip {link.size / 1e6:.0f} MB; peak memory of the export {peak / 1024:.0f} MiB (RUSAGE_CHILDREN max)",
        flush=True,
    )
