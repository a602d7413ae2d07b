"""IEPs and 504 plans are compared and written a batch of students at a time, with the same outcome as all at once.

The worker builds each batch's plans as objects, so its memory is flat in the district's size; a
district larger than one batch must get exactly the plans, counts and changed students it would
get in one batch.
"""

import pytest

from audit.models import AccessEvent
from students.models import Iep, Plan504, Student
from students.sis import plans
from students.sis.models import ImportRun
from tests.sis.conftest import STUDENTS
from tests.sis.test_bad_input import import_package

pytestmark = pytest.mark.django_db


def programs(begin="2023-09-01", skip=()):
    rows = []
    for number in range(1, 13):
        if number in skip:
            continue
        program = "sped_iep" if number % 2 else "section_504"
        rows.append({"plan_source_id": f"P{number}", "local_id": f"S{number}", "program": program, "begin_date": begin})
    return rows


def accommodations(text="Seat"):
    return [
        {
            "accommodation_id": f"A{number}",
            "plan_source_id": f"P{number}",
            "local_id": f"S{number}",
            "description": text,
        }
        for number in range(2, 13, 2)
    ]


def plans_now():
    return sorted(
        [("iep", plan.student.local_id, plan.start_date, plan.case_manager) for plan in Iep.objects.all()]
        + [("504", p.student.local_id, p.start_date, p.accommodations) for p in Plan504.objects.all()]
    )


def changed_students(run: ImportRun) -> set[str]:
    event = AccessEvent.objects.filter(action="sis_import", details__run=run.pk, details__status="applied").get()
    return set(Student.objects.filter(pk__in=event.changed_student_ids).values_list("local_id", flat=True))


def import_three_times(packages, importer):
    """A first load, a run changing some plans, one removing a student's plan; what each left and reported."""
    outcomes = []
    for program_rows, accommodation_rows in (
        (programs(), accommodations()),
        (programs(), accommodations("Front seat")[:2] + accommodations()[2:]),
        (programs(skip=(3,)), accommodations()),
    ):
        run = import_package(packages.basic(programs=program_rows, accommodations=accommodation_rows), importer)
        assert run.status == ImportRun.Status.APPLIED, run.error
        counts = {kind: run.counts[kind] for kind in ("ieps", "504 plans")}
        outcomes.append((plans_now(), counts))
    return outcomes


def test_a_district_larger_than_a_batch_gets_the_plans_one_batch_would_give(packages, importer, monkeypatch):
    monkeypatch.setattr(plans, "STUDENTS_PER_BATCH", 5)  # twelve students: three batches
    batched = import_three_times(packages, importer)
    assert len(STUDENTS) > 2 * plans.STUDENTS_PER_BATCH
    assert batched[0][1] == {
        "ieps": {"inserted": 6, "updated": 0, "deleted": 0},
        "504 plans": {"inserted": 6, "updated": 0, "deleted": 0},
    }
    assert batched[1][1]["504 plans"] == {"inserted": 0, "updated": 2, "deleted": 0, "unchanged": 4}
    assert batched[2][1]["ieps"] == {"inserted": 0, "updated": 0, "deleted": 1, "unchanged": 5}
    assert ("iep", "S3") not in {(kind, student) for kind, student, _, _ in batched[2][0]}

    Iep.objects.all().delete()
    Plan504.objects.all().delete()
    ImportRun.objects.all().delete()  # the same runs again, from nothing, in one batch
    monkeypatch.setattr(plans, "STUDENTS_PER_BATCH", 1000)
    assert import_three_times(packages, importer) == batched


def test_each_batchs_changed_students_are_named_by_the_runs_audit_event(packages, importer, monkeypatch):
    monkeypatch.setattr(plans, "STUDENTS_PER_BATCH", 5)
    import_package(packages.basic(programs=programs(), accommodations=accommodations()), importer)
    changed = accommodations("Front seat")
    changed[0]["description"] = changed[-1]["description"] = "Extra time"  # S2 (first batch), S12 (last)
    run = import_package(packages.basic(programs=programs(), accommodations=changed), importer)
    assert changed_students(run) == {"S2", "S4", "S6", "S8", "S10", "S12"}
