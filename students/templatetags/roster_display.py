"""The school roster's and the class tables' rows, and the roster's filters.

A roster has hundreds of rows, and its filters forty-odd options, so both are built here with plain
string formatting (every value escaped with html.escape) rather than by the template engine or
format_html, both of which cost about ten times more per cell; the rows in one tag, not one per row.
The filters' markup is the markup Django's field groups render (tests compare the two).
"""

from html import escape

from django import template
from django.template.defaultfilters import floatformat
from django.utils.safestring import mark_safe

from students.forms import option_tags
from students.models import Section, Student
from students.selectors.roster_rows import RosterRow
from students.templatetags.students_display import (
    homeroom_text,
    label_html,
    latest_note_html,
    name_and_status,
    name_link,
    number_cell,
    tier_html,
)

register = template.Library()

# Each table row is followed by the line break and indent the templates' loops wrote after it.
_ROW_END = "\n  "


def _counts_and_notes(student: RosterRow) -> str:
    """The cells every roster and class table ends with: this year's counts, the tier, the latest note."""
    counts = (student.absence_count, student.tardy_count, student.incident_count)
    return (
        f"{''.join(number_cell(count) for count in counts)}<td>{tier_html(student.early_warning)}</td>"
        f"<td>{latest_note_html(student.latest_note_on, student.latest_note_type)}</td>"
    )


def _roster_row(student: RosterRow) -> str:
    program = label_html(student.program_assigned, "program")
    if student.sped_level_of_need:
        program += f' <span class="muted">({label_html(student.sped_level_of_need, "sped_need")})</span>'
    has_504 = "Yes" if student.plan_504 == Student.Plan504Status.ACTIVE else "–"
    return (
        f"<tr><td>{name_and_status(student)}</td><td>{label_html(student.grade, 'grade')}</td>"
        f"<td>{homeroom_text(student.homeroom_name)}</td>"
        f"<td>{program}</td><td>{has_504}</td>"
        f"<td>{label_html(student.limited_english_proficiency, 'english')}</td>{_counts_and_notes(student)}</tr>"
    )


def _class_row(student: RosterRow, section: Section | None) -> str:
    """One row of a homeroom's or section's table, with the grade in the section (and whether it is failing)
    on a section's."""
    program = label_html(student.program_assigned, "program")
    if student.plan_504 == Student.Plan504Status.ACTIVE:
        program += ' <span class="badge">504</span>'
    if student.is_english_learner:
        program += ' <span class="badge">EL</span>'
    in_section = ""
    if section is not None:
        grade = "–"
        if student.section_grade is not None:
            grade = floatformat(student.section_grade, 0)
            grade += ' <span class="badge warn">failing</span>' if student.failing_in_section else ""
        in_section = f'<td class="number">{grade}</td>'
    return (
        f"<tr><td>{name_link(student)}</td><td>{label_html(student.grade, 'grade')}</td><td>{program}</td>"
        f"{in_section}{_counts_and_notes(student)}</tr>"
    )


@register.simple_tag
def roster_body(students: list[RosterRow]) -> str:
    """The school roster's rows; the columns match rosters/school.html."""
    return mark_safe("".join(_roster_row(student) + _ROW_END for student in students))  # noqa: S308 (escaped)


@register.simple_tag
def class_body(students: list[RosterRow], section: Section | None) -> str:
    """A homeroom's or section's rows; the columns match rosters/_class_table.html."""
    return mark_safe("".join(_class_row(student, section) + _ROW_END for student in students))  # noqa: S308


def _attributes(field, errors) -> str:
    """The widget's attributes after its name, in the order Django writes them."""
    described = f' aria-invalid="true" aria-describedby="{field.auto_id}_error"' if errors else ""
    return f'{described} id="{field.auto_id}"'


def _select(field, attributes: str) -> str:
    (chosen,) = field.field.widget.format_value(field.value())  # a single select's one value
    options = option_tags(field.field.choices, chosen, layout="\n  {}\n")  # each on a line, as Django writes it
    return f'<select name="{field.html_name}"{attributes}>{options}\n</select>'


def _checkbox(field, attributes: str) -> str:
    checked = " checked" if field.field.widget.check_test(field.value()) else ""
    return f'<input type="checkbox" name="{field.html_name}"{attributes}{checked}>'


@register.simple_tag
def filter_fields(form) -> str:
    """The roster's filters, each a ``<div class="field">`` holding its label, its errors and its select
    (or checkbox), as ``{{ field.as_field_group }}`` writes them."""
    groups = []
    for field in form.visible_fields():
        errors = field.errors
        error_list = ""
        if errors:
            items = "".join(f"<li>{escape(str(error))}</li>" for error in errors)
            error_list = f'<ul class="errorlist" id="{field.auto_id}_error">{items}</ul>'
        widget = _checkbox if field.widget_type == "checkbox" else _select
        groups.append(
            f'<div class="field"><label for="{field.id_for_label}">{escape(str(field.label))}</label>\n\n\n'
            f"{error_list}\n{widget(field, _attributes(field, errors))}</div>"
        )
    return mark_safe("".join(groups))  # noqa: S308 (every value escaped)
