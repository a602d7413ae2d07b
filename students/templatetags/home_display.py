"""The home page's rows: a note of the feed, a student who may need attention, a birthday.

A districtwide home shows about 85 rows, and the template engine spent more on them than the
database spent finding them, so each row is built here with plain string formatting, every value
escaped with html.escape, as the roster's rows and the profile's notes are (students_display).
"""

import datetime
from html import escape

from django import template
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from students.models import EventNote, Student
from students.templatetags.students_display import label, profile_url, short_date

register = template.Library()

NOTE_WORDS = 60  # the feed shows the start of each note; the profile shows it whole


def _month_day(day: datetime.date) -> str:
    return f"{day:%b} {day.day}"


def _student_link(student: Student, anchor: str = "") -> str:
    return f'<a href="{profile_url(student.pk)}{anchor}">{escape(student.full_name)}</a>'


@register.simple_tag
def feed_note(note: EventNote) -> str:
    """A note of the feed: whom it is about (a link to their notes), its kind, day and author, its start."""
    moment = timezone.localtime(note.recorded_at)
    return mark_safe(  # noqa: S308 (every value is escaped or a date)
        f'<article class="note" aria-label="Note about {escape(note.student.full_name)}"><header>'
        f"{_student_link(note.student, '#notes')} <strong>{escape(label(note.note_type, 'note_type'))}</strong> "
        f'<time datetime="{moment.isoformat()}">{short_date(moment)}</time> '
        f"<span>by {escape(note.author.full_name)}</span></header>"
        f'<p class="text">{escape(Truncator(note.text).words(NOTE_WORDS))}</p></article>'
    )


def _attention_row(student: Student, where: str, why: str) -> str:
    return mark_safe(  # noqa: S308 (every value is escaped or a number)
        f'<li>{_student_link(student)} <span class="muted">grade {escape(label(student.grade, "grade"))}'
        f"{where}</span> — {why}</li>"
    )


@register.simple_tag
def absent_often_row(student: Student) -> str:
    """A student absent often: their grade and homeroom, how many absences, and since when."""
    where = f", {escape(student.homeroom.name)}" if student.homeroom else ""
    since = _month_day(student.first_recent_absence)
    return _attention_row(student, where, f"{int(student.recent_absences)} absences since {since}")


@register.simple_tag
def failing_row(student: Student) -> str:
    """A student failing a class: their grade and school, how many sections, and the lowest grade."""
    sections = int(student.failing_sections)
    failing = f"failing {sections} section{'' if sections == 1 else 's'}, lowest {floatformat(student.lowest_grade, 0)}"
    return _attention_row(student, f", {escape(student.school.name)}", failing)


@register.simple_tag
def birthday_row(student: Student, today: datetime.date) -> str:
    """A birthday of the week: whose, which day ("today" for today's), and the age they turn."""
    day = "today" if student.birthday == today else f"{student.birthday:%A}, {_month_day(student.birthday)}"
    turning = f", turning {int(student.turning)}" if student.turning else ""
    return mark_safe(f'<li>{_student_link(student)} <span class="muted">{day}{turning}</span></li>')  # noqa: S308
