"""The home page's "absent often" list read from the absence summary, for a district, a school and a
class alike: the same list as counting live while the summary is current, and counted live again the
moment any write to absences (or a new day) makes it stale — never a list from a summary that is out
of date."""

import datetime

import pytest
from django.db import connection, transaction
from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from students.models import Absence, AbsenceSummary, EventNote
from students.models.absence_summary import absence_summary_is_current, rebuild_absence_summary, window_start
from tests.pages.test_home import home, section

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.localdate()


def absent(student, *days_ago: int) -> None:
    Absence.objects.bulk_create(
        Absence(student=student, occurred_on=today() - datetime.timedelta(days=ago)) for ago in days_ago
    )


@pytest.fixture
def jordan(demo):
    """Jordan (5-201) with no notes and five absences in the last week; the summary built after."""
    jordan = demo.student("jordan")
    EventNote.objects.filter(student=jordan).delete()
    Absence.objects.filter(student=jordan).delete()
    absent(jordan, 1, 2, 3, 4, 5)
    rebuild_absence_summary(today())
    return jordan


def summary_says(student, absences: int) -> None:
    """Make the summary disagree with the absences, as a summary gone wrong would (no trigger sees this)."""
    AbsenceSummary.objects.filter(student=student).update(absences=absences)


def absences_section(client) -> str:
    return section(home(client), "attention-absences")


def test_the_summary_holds_each_students_absences_in_the_window_and_the_first_of_them(demo):
    mateo = demo.student("mateo")
    Absence.objects.filter(student=mateo).delete()
    first = window_start(today())
    Absence.objects.bulk_create(
        Absence(student=mateo, occurred_on=day)
        for day in (first - datetime.timedelta(days=1), first, today(), today() + datetime.timedelta(days=1))
    )
    assert rebuild_absence_summary(today())

    summary = AbsenceSummary.objects.get(student=mateo)
    assert (summary.absences, summary.first_absence_on) == (3, first)
    truth = {
        row["student"]: (row["total"], row["first"])
        for row in Absence.objects.filter(occurred_on__gte=first)
        .values("student")
        .annotate(total=Count("pk"), first=Min("occurred_on"))
    }
    assert truth and {row.student_id: (row.absences, row.first_absence_on) for row in AbsenceSummary.objects.all()} == (
        truth
    )
    assert absence_summary_is_current(today())


VIEWERS = ["district", "principal.baker", "teacher.5"]


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_current_summary_is_what_the_page_lists(client_for, jordan, viewer):
    assert "5 absences since" in absences_section(client_for(viewer))
    summary_says(jordan, 9)
    assert "9 absences since" in absences_section(client_for(viewer))


def test_a_student_the_educator_may_not_see_is_not_listed_from_the_summary(client_for, jordan):
    summary_says(jordan, 9)
    assert "Jordan Okafor" not in absences_section(client_for("teacher.k"))
    assert absence_summary_is_current(today())


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_summary_gives_the_same_list_as_counting_live(client_for, demo, jordan, viewer):
    mateo = demo.student("mateo")
    Absence.objects.filter(student=mateo).delete()
    EventNote.objects.filter(student=mateo).delete()
    absent(mateo, 3, 4, 6, 8, 9, 10, 11)
    rebuild_absence_summary(today())
    from_summary = absences_section(client_for(viewer))
    Absence.objects.filter(pk=0).delete()  # a write (of no rows) to absences: stale, so counted live
    assert not absence_summary_is_current(today())
    assert absences_section(client_for(viewer)) == from_summary
    assert "Jordan Okafor" in from_summary


def _orm_insert(student):
    absent(student, 6)


def _orm_update(student):
    Absence.objects.filter(student=student).update(excused=True)


def _orm_delete(student):
    Absence.objects.filter(student=student).first().delete()


def _sql_insert(student):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO students_absence (student_id, occurred_on, excused, reason, attendance_code, dismissed) "
            "VALUES (%s, %s, false, '', '', false)",
            [student.pk, today() - datetime.timedelta(days=7)],
        )


def _sql_truncate(student):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the fixture's deferred foreign-key checks first
        cursor.execute("TRUNCATE students_absence")


@pytest.mark.parametrize("write", [_orm_insert, _orm_update, _orm_delete, _sql_insert, _sql_truncate])
def test_any_write_to_absences_makes_the_summary_stale_and_the_page_counts_live(write, client_for, jordan):
    summary_says(jordan, 9)
    write(jordan)
    assert not absence_summary_is_current(today())
    assert "9 absences since" not in absences_section(client_for("district"))
    rebuild_absence_summary(today())
    assert absence_summary_is_current(today())


def test_a_new_day_makes_the_summary_stale(client_for, jordan):
    rebuild_absence_summary(today() - datetime.timedelta(days=1))  # no build for a day before the last
    assert absence_summary_is_current(today())
    AbsenceSummary.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE students_absencesummarybuild SET built_for = %s", [today() - datetime.timedelta(days=1)])
    assert not absence_summary_is_current(today())
    assert "Jordan Okafor" in absences_section(client_for("district"))


def test_a_build_for_an_earlier_day_leaves_a_later_one_standing(jordan):
    assert not rebuild_absence_summary(today() - datetime.timedelta(days=1))
    assert absence_summary_is_current(today())
    assert rebuild_absence_summary(today() + datetime.timedelta(days=1))
    assert not absence_summary_is_current(today())


def test_absences_written_after_the_build_in_its_own_transaction_make_it_stale(jordan):
    with transaction.atomic():
        rebuild_absence_summary(today())
        assert absence_summary_is_current(today())
        absent(jordan, 8)
        assert not absence_summary_is_current(today())


def test_absences_written_before_the_build_in_its_own_transaction_are_counted(jordan):
    with transaction.atomic():
        absent(jordan, 8)
        rebuild_absence_summary(today())
        assert absence_summary_is_current(today())
        assert AbsenceSummary.objects.get(student=jordan).absences == 6


def test_no_summary_built_yet_is_stale(jordan):
    AbsenceSummary.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM students_absencesummarybuild")
    assert not absence_summary_is_current(today())


def test_a_note_since_the_first_absence_still_takes_the_student_off_a_current_summarys_list(client_for, demo, jordan):
    EventNote.objects.create(
        student=jordan,
        author=demo.educator("teacher.5"),
        note_type="parent",
        text="Called home.",
        recorded_at=timezone.now(),
    )
    assert absence_summary_is_current(today())
    assert "Jordan Okafor" not in absences_section(client_for("district"))


def test_every_student_listed_from_the_summary_is_recorded(client_for, jordan):
    home(client_for("district"))
    event = AccessEvent.objects.filter(action="students:home").latest("id")
    assert jordan.pk in event.student_ids


def test_the_districtwide_home_reads_the_summary_in_a_fixed_number_of_queries(
    client_for, demo, django_assert_num_queries
):
    from tests.pages.test_query_counts import count_queries

    client = client_for("district")
    url = reverse("students:home")
    few = count_queries(client, url)
    for student in (demo.student("mateo"), demo.student("noah")):
        EventNote.objects.filter(student=student).delete()
        Absence.objects.filter(student=student).delete()
        absent(student, 11, 12, 13, 14)
    rebuild_absence_summary(today())
    with django_assert_num_queries(few):
        page = client.get(url).content.decode()
    assert "Noah Fitzgerald" in section(page, "attention-absences")
