"""Seeding: time to build the benchmark district (BENCH_STUDENTS, default 50,000) with seed_demo's bulk generator.

The baseline is the default 600-student demo district, built (and rolled back) in the same run.
Runs first: the other benchmarks reuse the district it leaves behind.
"""

import datetime
import time

from django.db import transaction

from benchmarks.district import BENCH_STUDENTS, prepare_database, seed_bench_district
from students.demo.generate import DemoDistrictBuilder, has_demo_data, reset_demo_data


def run(report):
    prepare_database()
    with transaction.atomic():
        if has_demo_data():
            reset_demo_data()
        started = time.monotonic()
        DemoDistrictBuilder(student_count=600, seed=1, today=datetime.date.today(), password="").build()
        small = time.monotonic() - started
        transaction.set_rollback(True)
    seconds = seed_bench_district()
    report(f"seed_demo --students {BENCH_STUDENTS}", seconds, small, note="baseline: 600 students")
