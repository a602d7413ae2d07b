"""The access policy: counting and paging an educator's visible students, per role, against the unfiltered table.

For each role archetype of the demo cast (plus a caseload of single-student grants, alone and beside
a homeroom, made for the run and rolled back), the time to count the visible students and to fetch the first page of 50
by name, each beside the same query on the whole student table, measured alternately in the same
run; medians of several repetitions. Also the single-student check against a plain lookup by id.
"""

from django.contrib.auth.models import Permission
from django.db import transaction

from benchmarks.district import ensure_bench_district
from benchmarks.timing import interleaved_medians
from educators.models import Educator
from permissions.holdings import once_per_request
from permissions.models import StudentGrant
from permissions.policy import get_visible_student_or_404, visible_students
from students.demo import cast
from students.models import Student

REPETITIONS = 15
PAGE = 50
NAME_ORDER = ("last_name", "first_name", "pk")
# (label, the cast member or None for a new educator, whether they get a caseload made for the run)
ARCHETYPES = (
    ("districtwide", "district", False),
    ("schoolwide", "principal.baker", False),
    ("grade level", "gradelead.baker", False),
    ("homeroom", "teacher.5", False),
    ("section", "teacher.biology", False),
    ("single-student grants", None, True),
    ("SPED only (schoolwide)", "sped.ashford", False),
    ("homeroom and single-student grants", "teacher.5", True),
)
CASELOAD = 25


def _median_pair(measured, baseline) -> tuple[float, float]:
    """Median seconds of the measured callable and of its baseline, run alternately after one warm-up each."""
    seconds, baseline_seconds = interleaved_medians([measured, baseline], rounds=REPETITIONS)
    return seconds, baseline_seconds


def _educator(key: str | None, caseload: bool) -> Educator:
    """The cast member, or a new educator; with a caseload of CASELOAD single-student grants made in
    bulk, as a sync makes them (fewer than 50 rows: autovacuum does not analyze the table for them)."""
    if key is not None:
        educator = Educator.objects.get(email=f"{key}@{cast.EMAIL_DOMAIN}")
    else:
        educator = Educator.objects.create_user("bench.caseload@bench.example", None, full_name="Bench Caseload")
    if caseload:
        _give_caseload(educator)
    return educator


def _give_caseload(educator: Educator) -> None:
    permission = Permission.objects.get(content_type__app_label="students", codename="view_student_record")
    step = max(Student.objects.count() // CASELOAD, 1)
    students = Student.objects.order_by("pk").values_list("pk", flat=True)[::step][:CASELOAD]
    StudentGrant.objects.bulk_create(
        StudentGrant(user=educator, permission=permission, content_object_id=pk, reason="bench") for pk in students
    )


def run(report):
    ensure_bench_district()
    with transaction.atomic():
        teacher = Educator.objects.get(email=f"teacher.5@{cast.EMAIL_DOMAIN}")
        once_per_request(teacher)
        student_id = visible_students(teacher).values_list("pk", flat=True).first()
        seconds, baseline = _median_pair(
            lambda: get_visible_student_or_404(teacher, student_id), lambda: Student.objects.get(pk=student_id)
        )
        report("single-student check (homeroom teacher)", seconds, baseline, note="one query")
        for label, key, caseload in ARCHETYPES:
            educator = _educator(key, caseload)
            once_per_request(educator)
            visible = visible_students(educator).count()
            seconds, baseline = _median_pair(
                lambda educator=educator: visible_students(educator).count(), lambda: Student.objects.count()
            )
            report(f"count visible: {label}", seconds, baseline, note=f"{visible:,} students")
            seconds, baseline = _median_pair(
                lambda educator=educator: list(visible_students(educator).order_by(*NAME_ORDER)[:PAGE]),
                lambda: list(Student.objects.order_by(*NAME_ORDER)[:PAGE]),
            )
            report(f"first page of {PAGE} by name: {label}", seconds, baseline)
        transaction.set_rollback(True)
