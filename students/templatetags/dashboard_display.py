"""The school dashboards' student table: up to 200 rows built in one tag, every value escaped.

Plain string formatting with html.escape, as the roster's rows are (see roster_display), instead of
the template engine's loop, which cost more than the dashboard's statements; the cells the two tables
share come from students_display.
"""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from students.models import Student
from students.templatetags.students_display import (
    homeroom_text,
    label_html,
    latest_note_html,
    name_and_status,
    number_cell,
)

register = template.Library()


def _row(student: Student) -> str:
    homeroom = student.homeroom.name if student.homeroom else None
    note_day = timezone.localdate(student.latest_note_at) if student.latest_note_at else None
    return (
        f"<tr><td>{name_and_status(student)}</td><td>{label_html(student.grade, 'grade')}</td>"
        f"<td>{homeroom_text(homeroom)}</td>{number_cell(student.event_count)}"
        f"<td>{latest_note_html(note_day, student.latest_note_type)}</td></tr>\n"
    )


@register.simple_tag
def dashboard_body(students: list[Student]) -> str:
    """A dashboard's student rows; the columns match dashboards/school.html."""
    return mark_safe("".join(_row(student) for student in students))  # noqa: S308 (every value escaped)
