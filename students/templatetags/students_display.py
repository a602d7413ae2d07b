"""Display helpers for list pages and long profiles: readable labels for stored codes, dates, profile links.

Long lists (a 600-student roster) render these thousands of times, so they are plain dictionary
lookups rather than Django's get_FOO_display() (which rebuilds its choices dict on every call).
No queries here: templates only format what selectors returned.
"""

import datetime
from functools import cache
from html import escape

from django import template
from django.template.defaultfilters import floatformat
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from students.charts import Chart
from students.models import DisciplineIncident, EventNote, NoteType, Section, Student
from students.models.grades import GRADE_CHOICES
from students.selectors.roster_rows import RosterRow

register = template.Library()

FAILING_GRADE_SHOWN = 65  # a section's table marks a grade below this as failing

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


@cache
def _profile_prefix() -> str:
    return reverse("students:profile", args=[0]).removesuffix("0/")


@register.filter
def profile_url(student_id: int) -> str:
    """The profile's address, ``/students/<id>/``, without resolving the URL pattern once per row."""
    return f"{_profile_prefix()}{int(student_id)}/"


def _day(day: datetime.date) -> str:
    """A day as the ``date:"M j, Y"`` filter writes it: "Nov 6, 2026"."""
    return f"{day:%b} {day.day}, {day.year}"


def short_date(moment: datetime.datetime) -> str:
    """The local day of a moment, as ``_day`` writes it."""
    return _day(timezone.localtime(moment))


def _short_time(moment: datetime.datetime) -> str:
    """The local time as the ``date:"g:i a"`` filter writes it: "3:07 p.m.", "12:00 a.m."."""
    local = timezone.localtime(moment)
    return f"{local.hour % 12 or 12}:{local.minute:02d} {'a.m.' if local.hour < 12 else 'p.m.'}"


@register.filter
def tier_cell(warning) -> str:
    """An early-warning tier as a table cell's content: a badge, and for tiers above 0 the reasons."""
    badge = f'<span class="tier tier-{int(warning.tier)}">Tier {int(warning.tier)}</span>'
    if not warning.reasons:
        return mark_safe(badge)  # noqa: S308 (an integer only)
    why = escape("; ".join(warning.reasons))
    return mark_safe(f'{badge} <span class="tier-reason">{why}</span>')  # noqa: S308 (escaped)


def _name_cell(student: RosterRow) -> str:
    return f'<a href="{profile_url(student.pk)}">{escape(student.last_name)}, {escape(student.first_name)}</a>'


def _counts_and_notes(student: RosterRow) -> str:
    """The cells every roster and class table ends with: this year's counts, the tier, the latest note."""
    if student.latest_note_on:
        latest = (
            f'<span class="nowrap">{_day(student.latest_note_on)}</span> '
            f'<span class="muted">{escape(label(student.latest_note_type, "note_type"))}</span>'
        )
    else:
        latest = '<span class="muted">None</span>'
    return (
        f'<td class="number">{int(student.absence_count)}</td><td class="number">{int(student.tardy_count)}</td>'
        f'<td class="number">{int(student.incident_count)}</td><td>{tier_cell(student.early_warning)}</td>'
        f"<td>{latest}</td>"
    )


@register.simple_tag
def roster_row(student: RosterRow) -> str:
    """One school-roster row; the columns match rosters/school.html.

    A roster has hundreds of rows, so they are built here with plain string formatting (every
    value escaped with html.escape) rather than by the template engine or format_html, both of
    which cost about ten times more per cell.
    """
    name = _name_cell(student)
    if not student.is_enrolled:
        name += f' <span class="badge inactive">{escape(label(student.enrollment_status, "enrollment"))}</span>'
    program = escape(label(student.program_assigned, "program"))
    if student.sped_level_of_need:
        program += f' <span class="muted">({escape(label(student.sped_level_of_need, "sped_need"))})</span>'
    homeroom = escape(student.homeroom_name) if student.homeroom_name is not None else "–"
    has_504 = "Yes" if student.plan_504 == Student.Plan504Status.ACTIVE else "–"
    return mark_safe(  # noqa: S308 (every value above is escaped)
        f"<tr><td>{name}</td><td>{escape(label(student.grade, 'grade'))}</td><td>{homeroom}</td>"
        f"<td>{program}</td><td>{has_504}</td>"
        f"<td>{escape(label(student.limited_english_proficiency, 'english'))}</td>{_counts_and_notes(student)}</tr>"
    )


@register.simple_tag
def class_row(student: RosterRow, section: Section | None) -> str:
    """One row of a homeroom's or section's table (rosters/_class_table.html): built as roster rows are,
    with the grade in the section (and whether it is failing) on a section's."""
    program = escape(label(student.program_assigned, "program"))
    if student.plan_504 == Student.Plan504Status.ACTIVE:
        program += ' <span class="badge">504</span>'
    if student.is_english_learner:
        program += ' <span class="badge">EL</span>'
    in_section = ""
    if section is not None:
        grade = "–"
        if student.section_grade is not None:
            grade = floatformat(student.section_grade, 0)
            grade += ' <span class="badge warn">failing</span>' if student.section_grade < FAILING_GRADE_SHOWN else ""
        in_section = f'<td class="number">{grade}</td>'
    return mark_safe(  # noqa: S308 (every value escaped, or a number)
        f"<tr><td>{_name_cell(student)}</td><td>{escape(label(student.grade, 'grade'))}</td><td>{program}</td>"
        f"{in_section}{_counts_and_notes(student)}</tr>"
    )


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
