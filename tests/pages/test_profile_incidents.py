"""The profile's discipline table: each incident's day (with its time when the time is known), code, place
and description, every value escaped, written as the template language's date filters write them."""

import datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from students.models import DisciplineIncident
from students.templatetags.students_display import incident_row

pytestmark = pytest.mark.django_db

# The row as the profile's template wrote it with the template language.
TEMPLATE_ROW = Template(
    '<tr><td class="nowrap">{% if incident.has_exact_time %}{{ incident.occurred_at|date:"M j, Y g:i a" }}'
    '{% else %}{{ incident.occurred_at|date:"M j, Y" }}{% endif %}</td><td>{{ incident.incident_code }}</td>'
    "<td>{{ incident.incident_location }}</td><td>{{ incident.incident_description }}</td></tr>"
)


@pytest.mark.parametrize(
    ("hour", "minute", "exact"),
    [(0, 0, True), (0, 5, True), (9, 7, True), (11, 59, True), (12, 0, True), (13, 30, True), (23, 45, True)]
    + [(10, 0, False), (23, 59, False)],
)
def test_each_row_reads_as_the_template_languages_date_filters_write_it(demo, hour, minute, exact):
    local = timezone.make_aware(datetime.datetime(2026, 3, 9, hour, minute))
    incident = DisciplineIncident(
        student=demo.student("mateo"),
        incident_code="Disruption & <noise>",
        incident_location='Room "12"',
        incident_description="Threw a <b>book</b>.",
        occurred_at=local.astimezone(datetime.UTC),
        has_exact_time=exact,
    )
    assert incident_row(incident) == TEMPLATE_ROW.render(Context({"incident": incident}))


def test_the_profile_lists_each_incident_with_its_values_escaped(client_for, demo):
    mateo = demo.student("mateo")
    moment = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(14, 5)))
    DisciplineIncident.objects.create(
        student=mateo,
        incident_code="Zebrafight",
        incident_location="Gym <east>",
        incident_description="Pushed & shoved.",
        occurred_at=moment,
        has_exact_time=True,
    )
    page = client_for("teacher.5").get(reverse("students:profile", args=[mateo.pk])).content.decode()
    local = timezone.localtime(moment)
    assert (
        f'<tr><td class="nowrap">{local:%b} {local.day}, {local.year} 2:05 p.m.</td><td>Zebrafight</td>'
        "<td>Gym &lt;east&gt;</td><td>Pushed &amp; shoved.</td></tr>"
    ) in page
