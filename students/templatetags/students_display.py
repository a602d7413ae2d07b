"""Display helpers for list pages and long profiles: readable labels for stored codes, dates, profile links.

Long lists (a 600-student roster, students/templatetags/roster_display.py) render these thousands
of times, so they are plain dictionary lookups rather than Django's get_FOO_display() (which rebuilds
its choices dict on every call). The cells the roster's, the class tables' and the dashboards' rows
share are written here once, as markup, every value escaped.
No queries here: templates only format what selectors returned.
"""

import datetime
from functools import cache, lru_cache
from html import escape

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from students.charts import Chart
from students.models import DisciplineIncident, EventNote, NoteType, Student
from students.models.grades import GRADE_CHOICES

register = template.Library()

LABELS = {
    "grade": dict(GRADE_CHOICES),
    "program": dict(Student.Program.choices),
    "sped_need": dict(Student.SpedLevelOfNeed.choices),
    "english": dict(Student.EnglishProficiency.choices),
    "plan_504": dict(Student.Plan504Status.choices),
    "enrollment": dict(Student.EnrollmentStatus.choices),
    "note_type": dict(NoteType.choices),
}


@register.filter
def label(code: str, kind: str) -> str:
    """The readable name of a stored code: ``{{ student.program_assigned|label:"program" }}``."""
    return LABELS[kind].get(code, code)


@lru_cache(maxsize=4096)
def label_html(code: str, kind: str) -> str:
    """A code's label, escaped: a roster shows the same few grades, programs and kinds of note hundreds of
    times (the codes are the district's vocabularies, never anything about a student)."""
    return escape(label(code, kind))


@cache
def _profile_prefix() -> str:
    return reverse("students:profile", args=[0]).removesuffix("0/")


@register.filter
def profile_url(student_id: int) -> str:
    """The profile's address, ``/students/<id>/``, without resolving the URL pattern once per row."""
    return f"{_profile_prefix()}{int(student_id)}/"


def short_day(day: datetime.date) -> str:
    """A day as the ``date:"M j, Y"`` filter writes it: "Nov 6, 2026"."""
    return f"{day:%b} {day.day}, {day.year}"


def short_date(moment: datetime.datetime) -> str:
    """The local day of a moment, as ``short_day`` writes it."""
    return short_day(timezone.localtime(moment))


def _short_time(moment: datetime.datetime) -> str:
    """The local time as the ``date:"g:i a"`` filter writes it: "3:07 p.m.", "12:00 a.m."."""
    local = timezone.localtime(moment)
    return f"{local.hour % 12 or 12}:{local.minute:02d} {'a.m.' if local.hour < 12 else 'p.m.'}"


def name_link(student) -> str:
    """The student's "Last, First", a link to their profile."""
    return f'<a href="{profile_url(student.pk)}">{escape(student.last_name)}, {escape(student.first_name)}</a>'


def name_and_status(student) -> str:
    """The name's link and, for a student not enrolled, a badge with their enrollment status."""
    if student.is_enrolled:
        return name_link(student)
    status = label_html(student.enrollment_status, "enrollment")
    return f'{name_link(student)} <span class="badge inactive">{status}</span>'


def homeroom_text(name: str | None) -> str:
    """A homeroom's name, or a dash for a student in none."""
    return escape(name) if name else "–"


def latest_note_html(day: datetime.date | None, note_type: str | None) -> str:
    """The local day and the kind of a student's latest note, or a muted "None"."""
    if day is None:
        return '<span class="muted">None</span>'
    kind = label_html(note_type, "note_type")
    return f'<span class="nowrap">{short_day(day)}</span> <span class="muted">{kind}</span>'


def number_cell(count: int) -> str:
    """A count as a right-aligned table cell."""
    return f'<td class="number">{int(count)}</td>'


def tier_html(warning) -> str:
    """An early-warning tier's badge and, for tiers above 0, its reasons (escaped), as markup."""
    badge = f'<span class="tier tier-{int(warning.tier)}">Tier {int(warning.tier)}</span>'
    if not warning.reasons:
        return badge
    return f'{badge} <span class="tier-reason">{escape("; ".join(warning.reasons))}</span>'


@register.filter
def tier_cell(warning) -> str:
    """An early-warning tier as a table cell's content: a badge, and for tiers above 0 the reasons."""
    return mark_safe(tier_html(warning))  # noqa: S308 (an integer and escaped reasons)


@register.simple_tag(takes_context=True)
def note_article(context, note: EventNote, may_view_restricted_notes: bool) -> str:
    """One note of the profile's list: its kind, day, author and edits, and its text, or for a restricted
    note a button to show it (to holders of the permission; the showing is its own page and audit event).

    A profile with years of history shows hundreds of notes, so, as roster rows are, each is built
    here with plain string formatting (every value escaped) rather than by the template engine.
    """
    kind, day = escape(label(note.note_type, "note_type")), short_date(note.recorded_at)
    header = [
        f"<strong>{kind}</strong>",
        f'<time datetime="{timezone.localtime(note.recorded_at).isoformat()}">{day}</time>',
        f"<span>by {escape(note.author.full_name)}</span>",
    ]
    if note.revision_count:
        plural = "s" if note.revision_count != 1 else ""
        header.append(f"<span>edited {int(note.revision_count)} time{plural}</span>")
    if note.is_restricted:
        header.append('<span class="badge restricted">Restricted</span>')
    if note.author_id == context["user"].pk and (may_view_restricted_notes or not note.is_restricted):
        edit = reverse("students:note_edit", args=[note.student_id, note.pk])
        header.append(f'<a class="no-print" href="{edit}">Edit<span class="visually-hidden"> this note</span></a>')
    if not note.is_restricted:
        body = f'<p class="text">{escape(note.text)}</p>'
    elif may_view_restricted_notes:
        action = reverse("students:restricted_note", args=[note.student_id, note.pk])
        body = (
            f'<form method="post" action="{action}" class="no-print">{CsrfTokenNode().render(context)}'
            '<p class="muted">This note is restricted. Showing its text is recorded. '
            '<button type="submit" class="secondary">Show restricted note</button></p></form>'
        )
    else:
        body = '<p class="muted">This note is restricted.</p>'
    restricted = " restricted" if note.is_restricted else ""
    return mark_safe(  # noqa: S308 (every value above is escaped or an id)
        f'<article class="note{restricted}" aria-label="{kind}, {day}">'
        f"<header>{' '.join(header)}</header>{body}</article>"
    )


@register.simple_tag
def incident_row(incident: DisciplineIncident) -> str:
    """One row of the profile's discipline table: when (with the time when it is known), code, place and
    what happened. Years of history hold hundreds of incidents, so, as notes are, each row is built here
    with plain string formatting (every value escaped) rather than by the template engine."""
    when = short_date(incident.occurred_at)
    if incident.has_exact_time:
        when += f" {_short_time(incident.occurred_at)}"
    return mark_safe(  # noqa: S308 (every value escaped)
        f'<tr><td class="nowrap">{when}</td><td>{escape(incident.incident_code)}</td>'
        f"<td>{escape(incident.incident_location)}</td><td>{escape(incident.incident_description)}</td></tr>"
    )


@cache
def _svg_styles() -> str:
    """The chart colours a PDF's SVG carries (WeasyPrint styles inline SVG apart from the page)."""
    return render_to_string("charts/svg_styles.css")


@register.simple_tag(takes_context=True)
def chart_figure(context, chart: Chart) -> str:
    """A chart (students/charts.py) as a figure: its caption, the inline SVG with a title and a
    description, a legend when it has several series, and its data as a table, the text alternative.
    In a PDF (``for_pdf`` in the context) the SVG carries its own styles.

    A profile draws five, so, as note and roster rows are, the markup is built here with plain string
    formatting (every text escaped) rather than through the template engine.
    """
    chart_id, title, summary = escape(chart.chart_id), escape(chart.title), escape(chart.summary)
    caption = f'<figcaption id="{chart_id}-caption">{title}</figcaption>'
    if chart.is_empty:
        body = f'<p class="chart-empty">{summary}</p>'
    else:
        styles = f"<style>{_svg_styles()}</style>" if context.get("for_pdf") else ""
        legend = ""
        if len(chart.legend) > 1:
            entries = "".join(
                f'<li><span class="swatch {escape(entry.css_class)}"></span>{escape(entry.name)}</li>'
                for entry in chart.legend
            )
            legend = f'<ul class="legend" aria-hidden="true">{entries}</ul>'
        first, *rest = (escape(column) for column in chart.table_columns)
        columns = f'<th scope="col">{first}</th>' + "".join(f'<th scope="col" class="number">{c}</th>' for c in rest)
        body = (
            f'<svg viewBox="{chart.view_box}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"'
            f' focusable="false"><title id="{chart_id}-title">{title}</title>'
            f'<desc id="{chart_id}-desc">{summary}</desc>{styles}\n{chart.shapes}\n</svg>\n{legend}'
            f"<details><summary>{title}: the numbers as a table</summary>"
            f'<div class="table-scroll" tabindex="0" role="region" aria-label="{title}, scrollable table">'
            f"<table><thead><tr>{columns}</tr></thead><tbody>\n{chart.table_body}\n</tbody></table></div></details>"
        )
    return mark_safe(  # noqa: S308 (every text escaped; shapes and table body escape their own)
        f'<figure class="chart" aria-labelledby="{chart_id}-caption">{caption}{body}</figure>'
    )
