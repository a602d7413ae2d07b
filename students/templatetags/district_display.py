"""The district page's rows: a school, its enrolled students by grade, its total and its dashboards.

A large district has hundreds of schools, and the template engine spent about a millisecond and a half
on each row (four links resolved, a cell per grade), more than the database spent counting the whole
district. So each row is built here with plain string formatting, every value escaped with html.escape,
as the home's rows are (home_display), and each link's pattern is resolved once, not once per row.
"""

from collections.abc import Iterable
from functools import cache
from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from students.selectors.dashboards import DistrictSchool, Measure
from students.templatetags.students_display import number_cell

register = template.Library()

_SCHOOL_ID = 2_147_483_647  # stands for the school's id while a school page's address is resolved


@cache
def _school_address(url_name: str) -> str:
    """A school page's address with ``{}`` where the school's id goes."""
    return reverse(url_name, args=[_SCHOOL_ID]).replace(str(_SCHOOL_ID), "{}")


@register.simple_tag
def district_row(row: DistrictSchool, measures: Iterable[Measure]) -> str:
    """A school's row: its name (a link to its roster), a count per grade, the total, its dashboards."""
    school_id = int(row.school.pk)
    name = escape(row.school.name)
    counts = "".join(number_cell(count) for count in row.counts)
    dashboards = " · ".join(
        f'<a href="{_school_address(f"students:{measure.key}_dashboard").format(school_id)}">{escape(measure.title)}'
        f'<span class="visually-hidden"> at {name}</span></a>'
        for measure in measures
    )
    return mark_safe(  # noqa: S308 (every value is escaped or a number)
        f'<tr><th scope="row"><a href="{_school_address("students:school_roster").format(school_id)}">{name}</a></th>'
        f'{counts}{number_cell(row.total)}<td class="nowrap">{dashboards}</td></tr>'
    )
