"""The benchmark district: the demo district at benchmark size.

`make bench` points DATABASE_URL at its own database (insights_bench), never at the demo one.
"""

import datetime
import os
import time

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from insights.database import job_timeouts
from students.demo.generate import DemoDistrictBuilder, has_demo_data, reset_demo_data
from students.models import Student

BENCH_STUDENTS = int(os.environ.get("BENCH_STUDENTS", "50000"))
BENCH_SEED = 1


def prepare_database() -> None:
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


def seed_bench_district(student_count: int = BENCH_STUDENTS) -> float:
    """Replace the database's district with one of student_count students; returns the seconds it took."""
    prepare_database()
    with job_timeouts():  # as seed_demo runs: rebuilding a large district's indexes takes minutes
        if has_demo_data():
            reset_demo_data()
        started = time.monotonic()
        DemoDistrictBuilder(
            student_count=student_count,
            seed=BENCH_SEED,
            today=datetime.date.today(),
            password=settings.DEMO_PASSWORD,
        ).build()
        seconds = time.monotonic() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return seconds


def ensure_bench_district(student_count: int = BENCH_STUDENTS) -> None:
    """Seed the benchmark district unless the database already holds one of that size."""
    prepare_database()
    if Student.objects.count() != student_count:
        seed_bench_district(student_count)
