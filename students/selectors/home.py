"""The home page: my classes, recent notes about my students, who may need attention, and birthdays.

The same few queries whatever the number of students, each over the policy's queryset with the
conditions ("4+ absences in 45 days and no note since") in SQL. One statement
(students/selectors/home_lists.py) reads the homerooms and sections the educator teaches, the kinds
of school among their students, the notes feed, "failing a class", birthdays and "absent often"
from the absence summary; another counts "absent often" live while the summary is stale.
The kinds of school decide what is shown: "failing a class" only where they include a high school,
and nothing at all (with the reason) when the educator sees no one.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from permissions.kinds import ACTIVE_STUDENT
from permissions.policy import is_districtwide, visible_homerooms, visible_sections, visible_students
from students.models import Absence, EventNote, Homeroom, School, Section, Student
from students.models.absence_summary import ABSENCE_WINDOW_DAYS
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
from students.selectors.home_lists import AbsentOftenQuestion, FailingQuestion, home_lists

RECENT_NOTES = 15
MAX_NOTES_PAGE = 1000  # far past any real feed; keeps the offset a small number
ATTENTION_LIMIT = 25
ABSENCES_FOR_ATTENTION = 4
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
    failing_below: int  # the district's failing grade
    absence_window_days: int = ABSENCE_WINDOW_DAYS
    absences_for_attention: int = ABSENCES_FOR_ATTENTION
    recent_note_days: int = RECENT_NOTE_DAYS


def _shortlist(students, limit: int) -> Shortlist:
    """The first `limit` of `students` (a queryset or a list read with one more than the limit)."""
    rows = list(students[: limit + 1])
    return Shortlist(students=rows[:limit], more=len(rows) > limit)


def _frequent_absences(
    visible: QuerySet[Student], day: datetime.date, from_summary: list[Student] | None, *, districtwide: bool
) -> Shortlist:
    """Enrolled students with 4+ absences in the last 45 days and no note since the first of them.

    From the absence summary while it is current (`from_summary`, read with the page's other lists:
    the visible students' summary rows, most absent first, the note check live, as notes are written
    all day), for a district and a class alike. While it is stale (absences written since its build,
    or a new day), the absences are counted live.
    """
    if from_summary is not None:
        return _shortlist(from_summary, ATTENTION_LIMIT)
    window_start = absence_window_start(day)
    # Only notes inside the window can be "since the first absence"; the bound lets PostgreSQL read
    # them through the (student, recorded_at) index instead of hashing every note in the district.
    notes_in_window = EventNote.objects.filter(student=OuterRef("pk"), recorded_at__gte=start_of(window_start))
    students = (
        _counted_live(visible, window_start, districtwide=districtwide)
        .exclude(Exists(notes_in_window.filter(recorded_at__date__gte=OuterRef("first_recent_absence"))))
        .order_by("-recent_absences", "last_name", "first_name", "pk")
    )
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


def _birthday_week(day: datetime.date) -> list[datetime.date]:
    return [day + datetime.timedelta(days=offset) for offset in range(BIRTHDAY_DAYS)]


def _birthdays(students: list[Student], days: list[datetime.date]) -> Shortlist:
    """The week's birthdays, each student with the day and the age they turn."""
    for student in students:
        student.birthday = days[student.birthday_position]
        student.turning = student.age_on(student.birthday)
    return _shortlist(students, BIRTHDAY_LIMIT)


def _the_ones_they_may_open(taught: list, may_open: Callable[[], QuerySet]) -> list:
    """The homerooms or sections the educator teaches (`taught`, in order) that the policy lets them open.

    Most educators who see many students (principals, districtwide staff) teach none, and the
    policy's test, whose plan alone can cost more than the rest of a page's queries, is built and
    asked only about the few someone does teach.
    """
    if not taught:
        return []
    allowed = set(may_open().filter(pk__in=[row.pk for row in taught]).values_list("pk", flat=True))
    return [row for row in taught if row.pk in allowed]


def _notes_page_number(value) -> int:
    """The feed page asked for: a whole number from 1, anything else the first page."""
    return int(value) if str(value).isdigit() and 1 <= int(value) <= MAX_NOTES_PAGE else 1


def home_page(*, educator, notes_page: int | str | None = 1) -> HomePage:
    """What the home page shows the educator, limited to the students they may see; the notes feed a page at a time."""
    day = today()
    visible = visible_students(educator)
    districtwide = is_districtwide(educator)
    notes_page = _notes_page_number(notes_page)
    first = (notes_page - 1) * RECENT_NOTES
    birthday_week = _birthday_week(day)
    lists = home_lists(
        visible,
        educator=educator,
        school_year=school_year_of(day),
        notes=slice(first, first + RECENT_NOTES + 1),
        failing=FailingQuestion(
            no_note_since=start_of(day - datetime.timedelta(days=RECENT_NOTE_DAYS)),
            limit=ATTENTION_LIMIT + 1,
        ),
        birthdays=birthday_week,
        birthday_limit=BIRTHDAY_LIMIT + 1,
        absent_often=AbsentOftenQuestion(
            day=day,
            at_least=ABSENCES_FOR_ATTENTION,
            notes_since=start_of(absence_window_start(day)),
            limit=ATTENTION_LIMIT + 1,
        ),
    )
    feed = lists.feed
    recent_notes = feed[:RECENT_NOTES]
    page = HomePage(
        today=day,
        has_students=bool(lists.school_types),
        shows_failing=School.SchoolType.HIGH in lists.school_types,
        notes_page=notes_page,
        more_notes=len(feed) > RECENT_NOTES,
        homerooms=_the_ones_they_may_open(lists.homerooms, lambda: visible_homerooms(educator)),
        sections=_the_ones_they_may_open(lists.sections, lambda: visible_sections(educator)),
        recent_notes=recent_notes,
        frequent_absences=_frequent_absences(visible, day, lists.absent_often, districtwide=districtwide),
        failing=_shortlist(lists.failing, ATTENTION_LIMIT),
        failing_below=lists.failing_below,
        birthdays=_birthdays(lists.birthdays, birthday_week),
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
