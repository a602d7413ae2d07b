"""Recording a service a student receives, and discontinuing one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from students import selectors, services
from students.forms import ServiceForm
from students.views.decorators import educator_page


def _profile_services_url(student_id: int) -> str:
    return reverse("students:profile", args=[student_id]) + "#services"


@educator_page("GET", "POST")
def service_create(request, student_id: int):
    student = selectors.student_for_form(educator=request.user, student_id=student_id)
    form = ServiceForm(request.POST if request.method == "POST" else None, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        try:
            services.service_create(recorded_by=request.user, student=student, **form.service_values())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Service recorded.")
            return redirect(_profile_services_url(student.pk))
    return render(request, "students/service_form.html", {"student": student, "form": form})


@educator_page("GET", "POST")
def service_discontinue(request, student_id: int, service_id: int):
    """GET asks for confirmation; POST discontinues the service as of now."""
    student, service = selectors.active_service(educator=request.user, student_id=student_id, service_id=service_id)
    error = None
    if request.method == "POST":
        try:
            services.service_discontinue(educator=request.user, service=service)
        except ValidationError as problem:
            error = problem.messages[0]
        else:
            messages.success(request, "Service discontinued; it stays on the record as a past service.")
            return redirect(_profile_services_url(student.pk))
    return render(
        request, "students/service_discontinue.html", {"student": student, "service": service, "error": error}
    )
