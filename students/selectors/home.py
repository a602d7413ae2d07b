"""The home page: my classes, recent notes about my students, who may need attention, and birthdays.

The same few queries whatever the number of students: each list is one query over the policy's
queryset, with the conditions ("4+ absences in 45 days and no note since") as SQL subqueries.
The kinds of school among the educator's students decide what is worth asking: "failing a class"
only where they include a high school, and nothing at all (with the reason) when they see no one.
"""

import datetime
import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import ExtractDay, ExtractMonth

from permissions.kinds import ACTIVE_STUDENT
from permissions.policy import is_districtwide, visible_homerooms, visible_sections, visible_students
from students.models import Absence, EventNote, Homeroom, School, Section, Student, StudentSectionAssignment
from students.models.absence_summary import ABSENCE_WINDOW_DAYS, absence_summary_is_current
from students.models.absence_summary import window_start as absence_window_start
from students.models.grades import school_year_of
from students.selectors._shared import (
    as_list_rows,
    count_since,
    report_notes,
    report_students,
    start_of,
    today,
)

RECENT_NOTES = 15
MAX_NOTES_PAGE = 1000  # far past any real feed; keeps the offset a small number
ATTENTION_LIMIT = 25
ABSENCES_FOR_ATTENTION = 4
FAILING_BELOW = 65
RECENT_NOTE_DAYS = 30
BIRTHDAY_DAYS = 7
BIRTHDAY_LIMIT = 20


@dataclass(frozen=True)
class Shortlist:
    """At most `limit` students, and whether there were more."""

    students: list[Student]
    more: bool


@dataclass(frozen=True)
class HomePage:
    today: datetime.date
    has_students: bool
    shows_failing: bool  # only for educators who see high-school students
    homerooms: list[Homeroom]
    sections: list[Section]
    recent_notes: list[EventNote]
    notes_page: int
    more_notes: bool
    frequent_absences: Shortlist
    failing: Shortlist
    birthdays: Shortlist
    absence_window_days: int = ABSENCE_WINDOW_DAYS
    absences_for_attention: int = ABSENCES_FOR_ATTENTION
    recent_note_days: int = RECENT_NOTE_DAYS
    failing_below: int = FAILING_BELOW


def _shortlist(students, limit: int) -> Shortlist:
    rows = list(students[: limit + 1])
    return Shortlist(students=rows[:limit], more=len(rows) > limit)


def _frequent_absences(visible: QuerySet[Student], day: datetime.date, *, districtwide: bool) -> Shortlist:
    """Enrolled students with 4+ absences in the last 45 days and no note since the first of them.

    Across a district, from the absence summary while it is current: its candidates are read most
    absent first, and the note check (live: notes are written all day) runs for them in that order
    until enough are found. While it is stale (absences written since its build, or a new day), and
    for anyone who sees a few hundred students at most, the absences are counted live.
    """
    window_start = absence_window_start(day)
    # Only notes inside the window can be "since the first absence"; the bound lets PostgreSQL read
    # them through the (student, recorded_at) index instead of hashing every note in the district.
    notes_in_window = EventNote.objects.filter(student=OuterRef("pk"), recorded_at__gte=start_of(window_start))
    if districtwide and absence_summary_is_current(day):
        students = as_list_rows(
            visible.filter(ACTIVE_STUDENT, absence_summary__absences__gte=ABSENCES_FOR_ATTENTION)
        ).annotate(
            recent_absences=F("absence_summary__absences"),
            first_recent_absence=F("absence_summary__first_absence_on"),
        )
    else:
        students = _counted_live(visible, window_start, districtwide=districtwide)
    students = students.exclude(
        Exists(notes_in_window.filter(recorded_at__date__gte=OuterRef("first_recent_absence")))
    ).order_by("-recent_absences", "last_name", "first_name", "pk")
    return _shortlist(students, ATTENTION_LIMIT)


def _counted_live(visible: QuerySet[Student], window_start: datetime.date, *, districtwide: bool) -> QuerySet[Student]:
    """The enrolled students absent 4+ times since `window_start`, counted from the absences themselves."""
    recent = Absence.objects.filter(student=OuterRef("pk"), occurred_on__gte=window_start)
    if districtwide:
        # Across a district (50,000 students) the few absent often enough are found from the window's
        # absences first, so the counts and the note check run for them only. Anyone else sees a few
        # hundred students at most: counting theirs is cheaper than grouping the district's absences.
        absent_often = (
            Absence.objects.filter(occurred_on__gte=window_start)
            .order_by()
            .values("student")
            .annotate(total=Count("occurred_on"))
            .filter(total__gte=ABSENCES_FOR_ATTENTION)
            .values("student")
        )
        often = Q(pk__in=absent_often)
    else:
        often = Q(recent_absences__gte=ABSENCES_FOR_ATTENTION)
    return (
        as_list_rows(visible.filter(ACTIVE_STUDENT))
        .annotate(
            recent_absences=count_since(Absence, "occurred_on", window_start),
            first_recent_absence=Subquery(recent.order_by("occurred_on").values("occurred_on")[:1]),
        )
        .filter(often)
    )


def _failing(visible: QuerySet[Student], day: datetime.date) -> Shortlist:
    """Enrolled high-school students failing a section this year with no note in the last 30 days."""
    failing = StudentSectionAssignment.objects.filter(
        student=OuterRef("pk"), section__school_year=school_year_of(day), grade_numeric__lt=FAILING_BELOW
    )
    students = (
        as_list_rows(visible.filter(ACTIVE_STUDENT, Exists(failing), school__school_type=School.SchoolType.HIGH))
        .exclude(
            Exists(
                EventNote.objects.filter(
                    student=OuterRef("pk"),
                    recorded_at__gte=start_of(day - datetime.timedelta(days=RECENT_NOTE_DAYS)),
                )
            )
        )
        .annotate(
            failing_sections=Subquery(
                failing.order_by().values("student").annotate(total=Count("pk")).values("total"),
                output_field=IntegerField(),
            ),
            lowest_grade=Subquery(
                failing.order_by().values("student").annotate(lowest=Min("grade_numeric")).values("lowest"),
                output_field=DecimalField(max_digits=5, decimal_places=2),
            ),
        )
        .order_by("lowest_grade", "last_name", "first_name", "pk")
    )
    return _shortlist(students, ATTENTION_LIMIT)


def _birthdays(visible: QuerySet[Student], day: datetime.date) -> Shortlist:
    """Enrolled students whose birthday falls in the coming week, soonest first."""
    days = [day + datetime.timedelta(days=offset) for offset in range(BIRTHDAY_DAYS)]
    position = Case(
        *(
            When(birth_month=upcoming.month, birth_day=upcoming.day, then=Value(index))
            for index, upcoming in enumerate(days)
        ),
        output_field=IntegerField(),
    )
    # The days as (month, day) pairs, so PostgreSQL finds them through the birthday index.
    in_coming_week = functools.reduce(
        operator.or_, (Q(birth_month=upcoming.month, birth_day=upcoming.day) for upcoming in days)
    )
    students = (
        as_list_rows(visible.filter(ACTIVE_STUDENT, date_of_birth__isnull=False), "date_of_birth")
        .annotate(birth_month=ExtractMonth("date_of_birth"), birth_day=ExtractDay("date_of_birth"))
        .filter(in_coming_week)
        .annotate(birthday_position=position)
        .order_by("birthday_position", "last_name", "first_name", "pk")
    )
    shortlist = _shortlist(students, BIRTHDAY_LIMIT)
    for student in shortlist.students:
        student.birthday = days[student.birthday_position]
        student.turning = student.age_on(student.birthday)
    return shortlist


def _the_ones_they_may_open(taught: QuerySet, may_open: Callable[[], QuerySet]) -> list:
    """The homerooms or sections the educator teaches (`taught`, in order) that the policy lets them open.

    Most educators who see many students (principals, districtwide staff) teach none: one indexed
    lookup says so, and the policy's test, whose plan alone can cost more than the rest of a page's
    queries, is built and asked only about the few someone does teach.
    """
    rows = list(taught)
    if not rows:
        return []
    allowed = set(may_open().filter(pk__in=[row.pk for row in rows]).values_list("pk", flat=True))
    return [row for row in rows if row.pk in allowed]


def _notes_page_number(value) -> int:
    """The feed page asked for: a whole number from 1, anything else the first page."""
    return int(value) if str(value).isdigit() and 1 <= int(value) <= MAX_NOTES_PAGE else 1


def home_page(*, educator, notes_page: int | str | None = 1) -> HomePage:
    """What the home page shows the educator, limited to the students they may see; the notes feed a page at a time."""
    day = today()
    visible = visible_students(educator)
    # Each school answers at its first visible student: a few index probes, not a scan of the district.
    with_students = School.objects.filter(Exists(visible.filter(school=OuterRef("pk"))))
    school_types = set(with_students.values_list("school_type", flat=True))
    notes_page = _notes_page_number(notes_page)
    first = (notes_page - 1) * RECENT_NOTES
    feed = list(
        EventNote.objects.filter(student__in=visible, is_restricted=False)
        .select_related("student", "author")
        .only("note_type", "text", "recorded_at", "student__first_name", "student__last_name", "author__full_name")
        .order_by("-recorded_at", "-id")[first : first + RECENT_NOTES + 1]
    )
    recent_notes = feed[:RECENT_NOTES]
    shows_failing = School.SchoolType.HIGH in school_types
    page = HomePage(
        today=day,
        has_students=bool(school_types),
        shows_failing=shows_failing,
        notes_page=notes_page,
        more_notes=len(feed) > RECENT_NOTES,
        homerooms=_the_ones_they_may_open(
            Homeroom.objects.filter(educator=educator).select_related("school").order_by("name"),
            lambda: visible_homerooms(educator),
        ),
        sections=_the_ones_they_may_open(
            Section.objects.filter(educator_assignments__educator=educator, school_year=school_year_of(day))
            .select_related("course")
            .order_by("schedule", "course__course_number"),
            lambda: visible_sections(educator),
        ),
        recent_notes=recent_notes,
        frequent_absences=_frequent_absences(visible, day, districtwide=is_districtwide(educator)),
        failing=_failing(visible, day) if shows_failing else Shortlist(students=[], more=False),
        birthdays=_birthdays(visible, day),
    )
    report_students(
        {
            student.pk: student
            for student in [
                *(note.student for note in recent_notes),
                *page.frequent_absences.students,
                *page.failing.students,
                *page.birthdays.students,
            ]
        }.values()
    )
    report_notes(recent_notes)
    return page
