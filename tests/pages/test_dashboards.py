"""School dashboards (absences, tardies, discipline) and the district page: who may open them, what they
count, their filters, the student table and its CSV, what is recorded, and what they cost."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from students.models import Absence, DisciplineIncident, Homeroom, School, Tardy
from students.selectors.dashboards import default_filters
from tests.pages.test_query_counts import DASHBOARD_QUERIES, add_students

pytestmark = pytest.mark.django_db


def dashboard_url(measure: str, school, query: str = "") -> str:
    return reverse(f"students:{measure}_dashboard", args=[school.pk]) + (f"?{query}" if query else "")


def this_year(model, **filters):
    span = default_filters()
    field = "occurred_at__date" if model is DisciplineIncident else "occurred_on"
    return model.objects.filter(**{f"{field}__gte": span.since, f"{field}__lte": span.until}, **filters)


@pytest.mark.parametrize("measure", ["absences", "tardies", "discipline"])
@pytest.mark.parametrize(
    ("allowed", "refused"),
    [("principal.baker", "teacher.5"), ("district", "counselor.riverside"), ("gradelead.baker", "newhire")],
)
def test_a_dashboard_opens_for_school_and_district_roles_and_is_missing_for_others(
    client_for, demo, measure, allowed, refused
):
    baker = demo.school("BAK")
    assert client_for(allowed).get(dashboard_url(measure, baker)).status_code == 200
    assert AccessEvent.objects.latest("id").outcome != "denied"
    response = client_for(refused).get(dashboard_url(measure, baker))
    assert response.status_code == 404
    assert AccessEvent.objects.latest("id").outcome == "denied"
    assert client_for(allowed).get(reverse(f"students:{measure}_dashboard", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    ("measure", "model"), [("absences", Absence), ("tardies", Tardy), ("discipline", DisciplineIncident)]
)
def test_the_total_counts_this_school_years_events_of_the_schools_students(client_for, demo, measure, model):
    baker = demo.school("BAK")
    dashboard = client_for("principal.baker").get(dashboard_url(measure, baker)).context["dashboard"]
    assert dashboard.total == this_year(model, student__school=baker).count()
    assert sum(total for _month, total in dashboard.by_month) == dashboard.total
    assert sum(total for _week, total in dashboard.by_week) == dashboard.total


def test_a_grade_level_educator_counts_only_their_grade(client_for, demo):
    baker = demo.school("BAK")
    dashboard = client_for("gradelead.baker").get(dashboard_url("absences", baker)).context["dashboard"]
    expected = this_year(Absence, student__school=baker, student__grade="3", student__enrollment_status="Active")
    assert dashboard.total == expected.filter(student__missing_from_last_export=False).count()
    assert {student.grade for student in dashboard.students} <= {"3"}


def test_filters_narrow_by_grade_homeroom_counselor_excused_and_dates(client_for, demo):
    baker, mateo = demo.school("BAK"), demo.student("mateo")
    mateo.counselor = demo.educator("counselor.baker")
    mateo.save()
    client = client_for("principal.baker")

    def total(query: str) -> int:
        return client.get(dashboard_url("absences", baker, query)).context["dashboard"].total

    everything = this_year(Absence, student__school=baker)
    assert total("grade=5") == everything.filter(student__grade="5").count()
    assert total(f"homeroom={mateo.homeroom_id}") == everything.filter(student__homeroom=mateo.homeroom).count()
    counselor = demo.educator("counselor.baker")
    assert total(f"counselor={counselor.pk}") == everything.filter(student__counselor=counselor).count()
    assert total("excused=yes") == everything.filter(excused=True).count()
    assert total("excused=no") == everything.filter(excused=False).count()
    week_ago = timezone.localdate() - datetime.timedelta(days=7)
    assert total(f"since={week_ago}") == everything.filter(occurred_on__gte=week_ago).count()


def test_bad_filters_are_reported_and_ignored(client_for, demo):
    response = client_for("principal.baker").get(
        dashboard_url("absences", demo.school("BAK"), "grade=99&since=not-a-date")
    )
    page = response.content.decode()
    assert "Some filters were not understood and were ignored" in page
    assert response.context["dashboard"].filters == default_filters()


def test_discipline_is_broken_down_by_code_location_weekday_and_hour(client_for, demo):
    mateo = demo.student("mateo")
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday() + 7)
    if monday < default_filters().since:
        pytest.skip("the school year began less than two weeks ago")
    moment = timezone.make_aware(datetime.datetime.combine(monday, datetime.time(10, 30)))
    DisciplineIncident.objects.create(
        student=mateo, incident_code="Zebracode", incident_location="Rooftop", occurred_at=moment, has_exact_time=True
    )
    response = client_for("principal.baker").get(dashboard_url("discipline", demo.school("BAK")))
    breakdowns = {breakdown.key: dict(breakdown.rows) for breakdown in response.context["dashboard"].breakdowns}
    assert breakdowns["code"]["Zebracode"] == 1
    assert breakdowns["location"]["Rooftop"] == 1
    assert breakdowns["weekday"]["Monday"] >= 1
    assert breakdowns["hour"]["10 am"] >= 1
    page = response.content.decode()
    assert "Discipline by location: the numbers as a table" in page


def test_the_student_table_links_to_profiles_and_is_recorded(client_for, demo):
    mateo = demo.student("mateo")
    Absence.objects.get_or_create(student=mateo, occurred_on=timezone.localdate())
    response = client_for("principal.baker").get(dashboard_url("absences", demo.school("BAK")))
    students = response.context["dashboard"].students
    assert mateo in students
    counts = [student.event_count for student in students]
    assert counts == sorted(counts, reverse=True) and min(counts) > 0
    assert f'href="{reverse("students:profile", args=[mateo.pk])}"' in response.content.decode()
    assert sorted(AccessEvent.objects.latest("id").student_ids) == sorted(student.pk for student in students)


def test_the_csv_keeps_the_filters_and_is_recorded_as_an_export(client_for, demo):
    baker = demo.school("BAK")
    client = client_for("principal.baker")
    page = client.get(dashboard_url("tardies", baker, "grade=5")).content.decode()
    csv_url = reverse("students:tardies_dashboard_csv", args=[baker.pk]) + "?grade=5"
    assert f'href="{csv_url}"' in page
    response = client.get(csv_url)
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    expected = this_year(Tardy, student__school=baker, student__grade="5")
    assert sum(int(row["Count"]) for row in rows) == expected.count()
    assert {row["Grade"] for row in rows} <= {"5"}
    event = AccessEvent.objects.latest("id")
    assert set(event.exported_student_ids) == set(expected.values_list("student_id", flat=True))
    assert set(event.exported_student_ids) == {student.pk for student in demo_students(rows)}


def demo_students(rows):
    from students.models import Student

    return Student.objects.filter(local_id__in=[row["Local id"] for row in rows])


def test_the_district_page_is_for_districtwide_educators_only(client_for, demo):
    response = client_for("district").get(reverse("students:district"))
    assert response.status_code == 200
    overview = response.context["overview"]
    baker_row = next(row for row in overview.schools if row.school == demo.school("BAK"))
    assert (
        baker_row.total
        == demo.school("BAK").students.filter(enrollment_status="Active", missing_from_last_export=False).count()
    )
    assert reverse("students:absences_dashboard", args=[demo.school("BAK").pk]) in response.content.decode()
    assert client_for("principal.baker").get(reverse("students:district")).status_code == 404
    assert AccessEvent.objects.latest("id").outcome == "denied"


def test_the_district_page_lists_each_school_with_its_counts_links_and_escaped_name(client_for, demo):
    school = School.objects.create(local_id="ESC", name="<b>Bold</b> & Co", school_type="ES")
    homeroom = Homeroom.objects.create(school=school, name="K-1", grade="KF")
    add_students(school=school, homeroom=homeroom, grade="KF", count=2, author=demo.educator("teacher.5"))
    response = client_for("district").get(reverse("students:district"))
    html = response.content.decode()
    overview = response.context["overview"]
    row = next(row for row in overview.schools if row.school == school)
    assert row.counts[overview.grades.index("KF")] == row.total == 2
    name = "&lt;b&gt;Bold&lt;/b&gt; &amp; Co"
    cells = "".join(f'<td class="number">{count}</td>' for count in row.counts)
    roster = reverse("students:school_roster", args=[school.pk])
    assert f'<tr><th scope="row"><a href="{roster}">{name}</a></th>{cells}<td class="number">2</td>' in html
    for measure, title in (("absences", "Absences"), ("tardies", "Tardies"), ("discipline", "Discipline")):
        link = reverse(f"students:{measure}_dashboard", args=[school.pk])
        assert f'<a href="{link}">{title}<span class="visually-hidden"> at {name}</span></a>' in html
    assert "<b>Bold" not in html


@pytest.mark.parametrize("measure", ["absences", "tardies", "discipline"])
def test_a_dashboard_costs_the_same_queries_for_a_larger_school(client_for, demo, measure):
    baker = demo.school("BAK")
    client = client_for("principal.baker")
    url = dashboard_url(measure, baker)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    add_students(school=baker, homeroom=demo.homeroom("3-105"), grade="3", count=15, author=demo.educator("teacher.5"))
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small) == DASHBOARD_QUERIES
