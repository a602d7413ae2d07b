"""The load test's district: seeded once into the load database, then reused while it is the one asked for.

Seeding 50,000 students takes many minutes, so a run reuses the district an earlier run seeded.
Once a seeding has finished, the database is marked (a comment on it) with the district's size and
the generator's seed; a run reuses a district marked with the size it asks for and the benchmark
seed, and reseeds any other. It never replaces a district it did not seed: a database holding
students or educators but no mark (DATABASE_URL pointing at a development or a real district)
makes it stop and say so, as reseeding deletes every student and educator. The private load
database that `make load` creates holds only what earlier runs seeded, so an unmarked district
there (seeded before runs marked them) is reused when its size is right.
"""

import re

from django.db import connection
from psycopg import sql

from benchmarks.district import BENCH_SEED, prepare_database, seed_bench_district
from students.demo.generate import has_demo_data
from students.models import Student

MARK = "Insights load-test district: {students} students, seed {seed}"
MARK_PATTERN = re.compile(r"Insights load-test district: (?P<students>\d+) students, seed (?P<seed>\d+)")


class NotALoadDatabase(SystemExit):
    """The database holds a district the load test did not seed: replacing it would delete it."""


def database_mark() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
        )
        return cursor.fetchone()[0]


def mark_database(student_count: int) -> None:
    text = MARK.format(students=student_count, seed=BENCH_SEED)
    statement = sql.SQL("COMMENT ON DATABASE {} IS {}").format(
        sql.Identifier(connection.settings_dict["NAME"]), sql.Literal(text)
    )
    with connection.cursor() as cursor:
        cursor.execute(statement)


def ensure_load_district(student_count: int, *, private_database: bool) -> bool:
    """Reuse the load district of student_count students, or seed it; returns whether it seeded."""
    prepare_database()
    found = MARK_PATTERN.fullmatch(database_mark() or "")
    if found is None and has_demo_data():
        if not private_database:
            raise NotALoadDatabase(
                f"The database {connection.settings_dict['NAME']!r} holds students or educators that `make load` "
                "did not seed; it replaces a district it seeds itself, so it stops here. Point DATABASE_URL at an "
                "empty database (or leave it unset for the private load database)."
            )
        if Student.objects.count() == student_count:  # seeded by an earlier run, before runs marked it
            mark_database(student_count)
            return False
    elif (
        found is not None
        and (int(found["students"]), int(found["seed"])) == (student_count, BENCH_SEED)
        and Student.objects.count() == student_count
    ):
        return False
    seed_bench_district(student_count)
    mark_database(student_count)
    return True
