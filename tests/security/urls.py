"""A test-only URLconf: views that load seeded students as a selector will, remember them, then fail.

The educator pages live elsewhere; these stand in for them so the error-report tests go through
real requests, real middleware, real templates and the real sentry-sdk.
"""

import logging

import sentry_sdk
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from insights.scrubbing import remember_student
from students.models import Student

logger = logging.getLogger("tests.security")


def _student_as_a_selector_returns_it(student_id: int) -> Student:
    """Every student is loaded and remembered, as students.selectors do for what they return."""
    students = list(Student.objects.order_by("pk"))
    for student in students:
        remember_student(student)
    return next(student for student in students if student.pk == student_id)


@login_required
def duplicate_local_id(request, student_id):
    student = _student_as_a_selector_returns_it(student_id)
    with transaction.atomic():  # PostgreSQL quotes the duplicate id back in its error
        Student.objects.create(
            local_id=student.local_id, first_name="Copy", last_name="Copy", grade="6", school_id=student.school_id
        )
    return HttpResponse("unreachable")


@login_required
def summary(request, student_id):
    student = _student_as_a_selector_returns_it(student_id)
    logger.warning("Summarising %s (%s), born %s", student.full_name, student.local_id, student.date_of_birth)
    sentry_sdk.set_tag("student", student.last_name)
    sentry_sdk.set_extra("guardian", {"name": student.guardian_name, "phone": student.primary_phone})
    sentry_sdk.set_context("contact", {"email": student.primary_email, "address": student.address})
    raise ValueError(f"Cannot summarise {student.full_name}, born {student.date_of_birth:%m/%d/%Y}")


@login_required
def card(request, student_id):
    student = _student_as_a_selector_returns_it(student_id)
    template = engines["django"].from_string(
        "<h1>{{ student.first_name }}</h1><a href=\"{% url 'security-summary' student.full_name %}\">summary</a>"
    )
    return HttpResponse(template.render({"student": student}, request))


urlpatterns = [
    path("students/<int:student_id>/duplicate/", duplicate_local_id, name="security-duplicate"),
    path("students/<int:student_id>/summary/", summary, name="security-summary"),
    path("students/<int:student_id>/card/", card, name="security-card"),
]
