"""A district's plans are read a batch of students at a time (a statement carries at most 65,535 values)."""

import datetime

import pytest

from students.models import Plan504
from students.sis import plans
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def test_every_students_plans_are_read_across_batches(monkeypatch):
    students = StudentFactory.create_batch(5)
    made = {Plan504.objects.create(student=student, start_date=datetime.date(2025, 9, 1)).pk for student in students}
    monkeypatch.setattr(plans, "STUDENTS_PER_QUERY", 2)
    ids = [student.pk for student in students]
    assert {plan.pk for plan in plans.plans_of(Plan504, ids)} == made
    assert {plan.pk for plan in plans.plans_of(Plan504, ids[1:4])} == made - {
        plan.pk for plan in Plan504.objects.filter(student_id__in=[ids[0], ids[4]])
    }
