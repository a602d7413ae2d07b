"""__str__ of student-bearing models never reveals who the student is (it lands in logs and reports)."""

import pytest
from django.apps import apps
from django.db import models

from tests.factories import AbsenceFactory, EventNoteFactory, ServiceFactory, StudentFactory

pytestmark = pytest.mark.django_db


def student_fields(student) -> list[str]:
    return [student.first_name, student.last_name, student.local_id, str(student.date_of_birth)]


def test_student_str_is_an_opaque_id():
    student = StudentFactory(first_name="Zenobia", last_name="Quartermaine", local_id="987654")
    text = str(student)
    assert text == f"Student #{student.pk}"
    assert not any(value in text for value in student_fields(student))


@pytest.mark.parametrize("factory", [AbsenceFactory, EventNoteFactory, ServiceFactory])
def test_history_rows_str_names_no_student_data(factory):
    row = factory()
    text = str(row)
    assert not any(value in text for value in student_fields(row.student))
    assert str(row.pk) in text


def test_every_student_model_defines_its_own_opaque_str():
    """A new model holding student data must not fall back to a field-revealing __str__."""
    student_models = [
        model
        for model in apps.get_app_config("students").get_models()
        if any(
            getattr(field, "related_model", None) is apps.get_model("students", "Student")
            for field in model._meta.fields
        )
        or model._meta.model_name == "student"
    ]
    assert len(student_models) >= 12
    for model in student_models:
        assert model.__str__ is not models.Model.__str__, model  # its own, or an abstract base's
