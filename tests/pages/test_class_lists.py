"""Homeroom and section tables: sortable by their columns and downloadable as CSV (recorded as exported)."""

import csv
import io

import pytest
from django.urls import reverse

from audit.models import AccessEvent
from students.models import Absence, EarlyWarningThresholds, StudentSectionAssignment
from tests.pages.test_rosters import roster_rows

pytestmark = pytest.mark.django_db


def homeroom_url(demo, suffix: str = "") -> str:
    return reverse("students:homeroom" + suffix, args=[demo.homeroom("5-201").pk])


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_homeroom_table_sorts_by_absences_most_first(client_for, demo):
    Absence.objects.filter(student__homeroom=demo.homeroom("5-201")).delete()
    Absence.objects.create(student=demo.student("mateo"), occurred_on="2026-10-01")
    for day in range(1, 4):
        Absence.objects.create(student=demo.student("jordan"), occurred_on=f"2026-10-{day:02d}")
    client = client_for("teacher.5")

    by_absences = roster_rows(client.get(homeroom_url(demo) + "?sort=absences"))
    by_name = roster_rows(client.get(homeroom_url(demo)))

    assert by_absences[0] == "Okafor, Jordan"
    assert by_absences[1] == "Alvarez, Mateo"
    assert sorted(by_absences) == sorted(by_name)


def test_the_sorted_column_is_marked_for_screen_readers(client_for, demo):
    page = client_for("teacher.5").get(homeroom_url(demo) + "?sort=tardies").content.decode()
    assert 'aria-sort="descending"><a href="?sort=tardies">Tardies</a>' in page


def test_an_unknown_sort_falls_back_to_names(client_for, demo):
    client = client_for("teacher.5")
    unknown = client.get(homeroom_url(demo) + "?sort=section_grade")
    assert roster_rows(unknown) == roster_rows(client.get(homeroom_url(demo)))
    # The page says what it did: the name column is the sorted one, and the CSV link asks for no other sort.
    page = unknown.content.decode()
    assert 'aria-sort="ascending"><a href="?sort=name">Name</a>' in page
    assert "sort=section_grade" not in page


def test_the_homeroom_csv_has_the_tables_rows_in_its_order_and_is_recorded_as_exported(client_for, demo):
    client = client_for("teacher.5")
    page_rows = roster_rows(client.get(homeroom_url(demo) + "?sort=tier"))
    assert (
        f'href="{homeroom_url(demo, "_csv")}?sort=tier"'
        in client.get(homeroom_url(demo) + "?sort=tier").content.decode()
    )

    rows = csv_rows(client.get(homeroom_url(demo, "_csv") + "?sort=tier"))

    assert [f"{row['Last name']}, {row['First name']}" for row in rows] == page_rows
    assert "Grade in section" not in rows[0]
    event = AccessEvent.objects.filter(action="students:homeroom_csv").latest("id")
    assert sorted(event.exported_student_ids) == sorted(
        demo.homeroom("5-201").students.filter(enrollment_status="Active").values_list("pk", flat=True)
    )


def test_the_section_table_sorts_by_grade_lowest_first_and_its_csv_has_the_grade(client_for, demo):
    section = demo.section("BIO-101-3")
    client = client_for("teacher.biology")
    url = reverse("students:section", args=[section.pk])

    rows = roster_rows(client.get(url + "?sort=section_grade"))
    grades = dict(
        StudentSectionAssignment.objects.filter(section=section).values_list("student__last_name", "grade_numeric")
    )
    graded = [grades[name.split(",")[0]] for name in rows if grades.get(name.split(",")[0]) is not None]
    assert graded == sorted(graded)
    assert rows[0] == "Fitzgerald, Noah"  # failing, so lowest

    exported = csv_rows(client.get(reverse("students:section_csv", args=[section.pk]) + "?sort=section_grade"))
    assert [f"{row['Last name']}, {row['First name']}" for row in exported] == rows
    assert float(exported[0]["Grade in section"]) < 65


def test_the_section_table_and_the_profile_mark_grades_below_the_districts_failing_grade(client_for, demo):
    section, noah = demo.section("BIO-101-3"), demo.student("noah")
    assert list(StudentSectionAssignment.objects.filter(student=noah).values_list("section", flat=True)) == [section.pk]
    StudentSectionAssignment.objects.filter(student=noah).update(grade_numeric=60)
    client = client_for("teacher.biology")
    thresholds = EarlyWarningThresholds.objects.current()

    def marked_failing() -> tuple[bool, bool]:
        """Whether the section's table and Noah's profile mark his grade of 60 as failing."""
        table = client.get(reverse("students:section", args=[section.pk])).content.decode()
        row = next(row for row in table.split("<tr>") if ">Fitzgerald, Noah</a>" in row)
        profile = client.get(reverse("students:profile", args=[noah.pk])).content.decode()
        grades = profile.split('<h2 id="grades">', 1)[1].split("</table>", 1)[0]
        return "failing</span>" in row, "failing</span>" in grades

    assert marked_failing() == (True, True)  # below the default of 65
    thresholds.failing_grade = 60
    thresholds.save()
    assert marked_failing() == (False, False)
    thresholds.failing_grade = 61
    thresholds.save()
    assert marked_failing() == (True, True)


@pytest.mark.parametrize(
    ("viewer", "route", "key"), [("teacher.k", "homeroom_csv", "5-201"), ("teacher.5", "section_csv", "BIO-101-3")]
)
def test_class_csvs_out_of_reach_look_missing(client_for, demo, viewer, route, key):
    target = demo.homeroom(key) if route == "homeroom_csv" else demo.section(key)
    assert client_for(viewer).get(reverse(f"students:{route}", args=[target.pk])).status_code == 404
