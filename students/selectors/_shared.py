"""What every selector shares: the single-student getter, reporting what was shown, school-year dates, and
querysets compiled into the statements selectors write."""

import datetime
import functools
from collections.abc import Iterable

from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.recorder import record_students
from insights.scrubbing import remember_student, remember_values
from students.models import EventNote, Student, with_program_category
from students.models.grades import school_year_of, school_year_start

# What list pages show about each student, fetched in one query. Contact details and other
# columns lists never show stay unloaded: less to fetch, and less for the scrubber to remember.
LIST_FIELDS = (
    "local_id",
    "first_name",
    "last_name",
    "grade",
    "enrollment_status",
    "missing_from_last_export",
    "program_assigned",
    "sped_level_of_need",
    "plan_504",
    "limited_english_proficiency",
    "school",
    "school__name",
    "school__school_type",
    "homeroom",
    "homeroom__name",
)


def as_list_rows(students: QuerySet[Student], *extra_fields: str) -> QuerySet[Student]:
    """Only the columns list pages show (plus `extra_fields`), with the school and homeroom joined in
    and the program's category (the EL badge reads it) fetched in the same query."""
    return with_program_category(students.select_related("school", "homeroom").only(*LIST_FIELDS, *extra_fields))


@functools.cache
def _row_fields(model, columns: tuple[str, ...]) -> tuple[list[str], list]:
    """The model's columns among a row's, with each field's conversion: the same for every row of a subquery."""
    fields = [field for field in model._meta.concrete_fields if field.attname in columns]
    return [field.attname for field in fields], [field.to_python for field in fields]


def model_from_row(model, row: dict):
    """A model instance holding the row's columns that are the model's (each converted as the field
    converts a form's value), the model's other columns deferred, as ``.only()`` leaves them.

    For rows a statement returns as JSON (the profile's and the home's lists), so pages show them as
    they show the ORM's. Which fields the row holds is worked out once per shape of row."""
    names, conversions = _row_fields(model, tuple(row))
    return model.from_db(
        connection.alias, names, [convert(row[name]) for name, convert in zip(names, conversions, strict=True)]
    )


def select_sql(rows: QuerySet, *columns: str, **expressions) -> tuple[str, tuple]:
    """The SELECT of ``columns`` and ``expressions`` (each named as its alias) over ``rows``, unordered, and
    its parameters: a queryset (the policy's students, a page's events) as a row source of a larger statement."""
    return rows.order_by().values(*columns, **expressions).query.get_compiler(connection=connection).as_sql()


def report_students(students: Iterable[Student]) -> list[Student]:
    """Tell the audit recorder and the error-report scrubber about every student a page shows."""
    students = list(students)
    for student in students:
        remember_student(student)
    record_students(student.pk for student in students)
    return students


def report_notes(notes: Iterable[EventNote]) -> None:
    """Note text shown on a page is remembered so error reports can have it scrubbed."""
    remember_values(*(note.text for note in notes if note.text))


def today() -> datetime.date:
    return timezone.localdate()


def start_of(day: datetime.date) -> datetime.datetime:
    """Local midnight at the start of a day, for comparing with datetime columns."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def current_school_year_start(day: datetime.date) -> datetime.date:
    return school_year_start(school_year_of(day))


def count_since(model, since_field: str, since) -> Coalesce:
    """How many of the student's rows of `model` fall on or after `since` (0 when none), as a subquery.

    Counting the date column rather than the id lets PostgreSQL answer from the (student, date)
    index alone, without visiting the table: this runs once per student of a list.
    """
    rows = model.objects.filter(student=OuterRef("pk"), **{f"{since_field}__gte": since}).order_by()
    totals = rows.values("student").annotate(total=Count(since_field)).values("total")
    return Coalesce(Subquery(totals, output_field=IntegerField()), Value(0))
