"""School rosters (filters, sorting, CSV), my students, homerooms and sections."""

import csv
import io
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AccessEvent
from students.models import Absence, Student

pytestmark = pytest.mark.django_db


def roster_rows(response) -> list[str]:
    """The student names in roster order ("Last, First")."""
    page = response.content.decode()
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [row.split('">', 1)[1].split("</a>", 1)[0] for row in body.split('<a href="/students/')[1:]]


def roster_url(demo, school="BAK", **filters) -> str:
    query = urlencode(filters)
    return reverse("students:school_roster", args=[demo.school(school).pk]) + (f"?{query}" if query else "")


def test_the_roster_lists_the_schools_enrolled_students(client_for, demo):
    rows = roster_rows(client_for("principal.baker").get(roster_url(demo)))
    enrolled = Student.objects.filter(
        school=demo.school("BAK"), enrollment_status="Active", missing_from_last_export=False
    )
    assert sorted(rows) == sorted(f"{s.last_name}, {s.first_name}" for s in enrolled)
    assert "Haddad, Samira" not in rows
    with_inactive = roster_rows(client_for("principal.baker").get(roster_url(demo, include_inactive="on")))
    assert "Haddad, Samira" in with_inactive


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"grade": "3"}, lambda s: s.grade == "3"),
        ({"sped": "yes"}, lambda s: s.program_assigned == "Sp Ed"),
        ({"sped": "no"}, lambda s: s.program_assigned != "Sp Ed"),
        ({"plan_504": "yes"}, lambda s: s.plan_504 == "504"),
        # Current learners only; former learners (FLEP) are their own answer. Baker has no SEIP program.
        ({"english_learner": "yes"}, lambda s: s.limited_english_proficiency == "Limited"),
        ({"english_learner": "former"}, lambda s: s.limited_english_proficiency in ("FLEP", "FLEP-Transitioning")),
        (
            {"english_learner": "no", "grade": "5"},
            lambda s: s.limited_english_proficiency == "Fluent" and s.grade == "5",
        ),
    ],
)
def test_roster_filters_narrow_the_list(client_for, demo, filters, expected):
    rows = roster_rows(client_for("principal.baker").get(roster_url(demo, **filters)))
    enrolled = Student.objects.filter(
        school=demo.school("BAK"), enrollment_status="Active", missing_from_last_export=False
    )
    assert sorted(rows) == sorted(f"{s.last_name}, {s.first_name}" for s in enrolled if expected(s))


def test_the_homeroom_filter_and_absence_buckets(client_for, demo):
    homeroom = demo.homeroom("5-201")
    mateo, jordan = demo.student("mateo"), demo.student("jordan")
    Absence.objects.filter(student__in=[mateo, jordan]).delete()
    for day in range(1, 13):
        Absence.objects.create(student=mateo, occurred_on=f"2026-10-{day:02d}")
    client = client_for("principal.baker")
    many = roster_rows(client.get(roster_url(demo, homeroom=homeroom.pk, absences="10-plus")))
    none = roster_rows(client.get(roster_url(demo, homeroom=homeroom.pk, absences="none")))
    assert "Alvarez, Mateo" in many
    assert "Okafor, Jordan" in none
    assert "Okafor, Jordan" not in many


def test_sorting_by_absences_puts_the_most_absent_first(client_for, demo):
    mateo = demo.student("mateo")
    for day in range(1, 29):
        Absence.objects.get_or_create(student=mateo, occurred_on=f"2026-10-{day:02d}")
    rows = roster_rows(client_for("principal.baker").get(roster_url(demo, sort="absences")))
    assert rows[0] == "Alvarez, Mateo"


def test_an_unknown_filter_value_is_reported_and_ignored(client_for, demo):
    response = client_for("principal.baker").get(roster_url(demo, grade="99", sort="shoe_size"))
    assert response.status_code == 200
    assert "Some filters were not understood and were ignored." in response.content.decode()
    assert len(roster_rows(response)) > 5


def test_a_grade_level_lead_sees_only_their_grade(client_for, demo):
    rows = roster_rows(client_for("gradelead.baker").get(roster_url(demo)))
    grade_3 = Student.objects.filter(
        school=demo.school("BAK"), grade="3", enrollment_status="Active", missing_from_last_export=False
    )
    assert sorted(rows) == sorted(f"{s.last_name}, {s.first_name}" for s in grade_3)


def test_an_english_learner_teacher_sees_only_english_learners(client_for, demo):
    rows = roster_rows(client_for("el.baker").get(roster_url(demo)))
    assert "Alvarez, Mateo" in rows
    assert "Okafor, Jordan" not in rows


def test_the_csv_has_the_filtered_students_and_no_contact_fields(client_for, demo):
    response = client_for("principal.baker").get(
        reverse("students:school_roster_csv", args=[demo.school("BAK").pk]) + "?grade=5"
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="roster-BAK-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    grade_5 = Student.objects.filter(
        school=demo.school("BAK"), grade="5", enrollment_status="Active", missing_from_last_export=False
    )
    assert sorted(row["Local id"] for row in rows) == sorted(s.local_id for s in grade_5)
    header = response.content.decode().splitlines()[0].lower()
    for contact in ("phone", "email", "address", "guardian", "birth"):
        assert contact not in header
    for student in grade_5:
        assert student.primary_phone not in response.content.decode()


def test_the_csv_download_records_every_exported_student(client_for, demo):
    client_for("principal.baker").get(reverse("students:school_roster_csv", args=[demo.school("BAK").pk]) + "?grade=5")
    event = AccessEvent.objects.latest("id")
    grade_5 = Student.objects.filter(
        school=demo.school("BAK"), grade="5", enrollment_status="Active", missing_from_last_export=False
    )
    assert sorted(event.exported_student_ids) == sorted(s.pk for s in grade_5)
    assert event.action == "students:school_roster_csv"


def test_csv_cells_that_look_like_formulas_are_defused(client_for, demo):
    Student.objects.filter(pk=demo.student("mateo").pk).update(last_name="=HYPERLINK(1)")
    response = client_for("principal.baker").get(reverse("students:school_roster_csv", args=[demo.school("BAK").pk]))
    assert "'=HYPERLINK(1)" in response.content.decode()


def test_my_students_sorts_and_pages(client_for, demo):
    client = client_for("district")
    page = client.get(reverse("students:my_students") + "?sort=grade").content.decode()
    assert f"{Student.objects.count()} in all" in page
    assert 'aria-sort="ascending"><a href="?sort=grade">Grade</a>' in page
    assert "Page 1 of 1" not in page
    assert client.get(reverse("students:my_students") + "?sort=nonsense&page=999").status_code == 200


def test_the_schools_page_links_only_rosters_the_educator_may_open(client_for, demo):
    principal = client_for("principal.baker").get(reverse("students:schools")).content.decode()
    assert reverse("students:school_roster", args=[demo.school("BAK").pk]) in principal
    teacher = client_for("teacher.5").get(reverse("students:schools")).content.decode()
    assert "Baker K-8" in teacher
    assert reverse("students:school_roster", args=[demo.school("BAK").pk]) not in teacher


def test_the_homeroom_page_counts_this_years_absences(client_for, demo):
    mateo = demo.student("mateo")
    Absence.objects.filter(student=mateo).delete()
    Absence.objects.create(student=mateo, occurred_on="2026-10-05")
    Absence.objects.create(student=mateo, occurred_on="2025-10-05")
    page = client_for("teacher.5").get(reverse("students:homeroom", args=[demo.homeroom("5-201").pk])).content.decode()
    row = page.split("Alvarez, Mateo", 1)[1].split("</tr>", 1)[0]
    assert '<td class="number">1</td>' in row


def test_the_section_page_shows_the_grade_in_the_section(client_for, demo):
    page = client_for("teacher.biology").get(reverse("students:section", args=[demo.section("BIO-101-3").pk]))
    row = page.content.decode().split("Fitzgerald, Noah", 1)[1].split("</tr>", 1)[0]
    assert "failing" in row


def test_roster_rows_escape_what_they_show(client_for, demo):
    Student.objects.filter(pk=demo.student("mateo").pk).update(last_name="<script>alert(1)</script>")
    page = client_for("principal.baker").get(roster_url(demo)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;, Mateo" in page


def choice_label(page: str, field: str, value: str) -> str:
    """The text of one <option> of a roster filter."""
    select = page.split(f'name="{field}"', 1)[1].split("</select>", 1)[0]
    return select.split(f'value="{value}"', 1)[1].split(">", 1)[1].split("</option>", 1)[0]


def test_roster_filter_choices_show_how_many_students_each_keeps(client_for, demo):
    baker = demo.school("BAK")
    enrolled = Student.objects.filter(school=baker, enrollment_status="Active", missing_from_last_export=False)
    page = client_for("principal.baker").get(roster_url(demo, grade="3")).content.decode()

    # Counted over the whole roster, whatever filter is applied, so every choice says what it would keep.
    assert choice_label(page, "grade", "5") == f"5 ({enrolled.filter(grade='5').count()})"
    homeroom = demo.homeroom("5-201")
    assert choice_label(page, "homeroom", str(homeroom.pk)) == f"5-201 ({enrolled.filter(homeroom=homeroom).count()})"
    sped = enrolled.filter(program_assigned="Sp Ed").count()
    assert choice_label(page, "sped", "yes") == f"Yes ({sped})"
    assert choice_label(page, "sped", "no") == f"No ({enrolled.count() - sped})"
    learners = enrolled.filter(limited_english_proficiency="Limited").count()
    assert choice_label(page, "english_learner", "yes") == f"Yes, learning English now ({learners})"
    assert choice_label(page, "english_learner", "") == "Any"


def test_the_rows_and_the_filter_counts_come_from_one_statement_reading_each_table_once(client_for, demo):
    client = client_for("principal.baker")
    client.get(roster_url(demo))  # the session's first request stamps its activity time
    with CaptureQueriesContext(connection) as queries:
        client.get(roster_url(demo))
    (statement,) = [query["sql"] for query in queries.captured_queries if "FILTER (WHERE" in query["sql"]]
    # This year's and the early-warning window's absences (and incidents) are counted from one read; the
    # filters count over the same rows; the latest note is read only for the rows shown.
    for table in ("students_absence", "students_disciplineincident", "students_tardy", "students_eventnote"):
        assert statement.count(f'"{table}"') == 1, table


def test_a_former_english_learner_is_not_a_current_one(client_for, demo):
    client = client_for("principal.baker")
    assert "Chen, Lily" not in roster_rows(client.get(roster_url(demo, english_learner="yes")))
    assert "Chen, Lily" in roster_rows(client.get(roster_url(demo, english_learner="former")))
    assert "Chen, Lily" not in roster_rows(client.get(roster_url(demo, english_learner="no")))
