"""The student profile: the header, this year's numbers, the clean slate, and the panels some roles see."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent, Outcome
from students.models import Absence, DisciplineIncident, EventNote, Plan504, Student
from students.models.grades import school_year_of, school_year_start

pytestmark = pytest.mark.django_db


def moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(11)))


@pytest.fixture
def year_start():
    return school_year_start(school_year_of(timezone.localdate()))


@pytest.fixture
def mateo_with_two_years(demo, year_start):
    """Mateo with exactly one note and one incident this year and one of each last year."""
    mateo = demo.student("mateo")
    EventNote.objects.filter(student=mateo).delete()
    DisciplineIncident.objects.filter(student=mateo).delete()
    author = demo.educator("teacher.5")
    last_year = year_start - datetime.timedelta(days=60)
    for day, label in ((year_start + datetime.timedelta(days=40), "this year"), (last_year, "last year")):
        EventNote.objects.create(
            student=mateo, author=author, note_type="parent", text=f"Note from {label}.", recorded_at=moment(day)
        )
        DisciplineIncident.objects.create(
            student=mateo, incident_code=f"Incident from {label}", occurred_at=moment(day)
        )
    return mateo


def profile(client, student, query="") -> str:
    response = client.get(reverse("students:profile", args=[student.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_header_shows_who_the_student_is(client_for, demo):
    lily = demo.student("lily")
    page = profile(client_for("principal.baker"), lily)
    for fact in (
        "Lily Chen",
        "Grade 3",
        "Baker K-8",
        "Homeroom 3-105",
        "Special education",
        "High",
        "Autism",
        "Substantially separate",
        "Former English learner",
        "Mandarin",
    ):
        assert fact in page, fact


def test_family_contact_is_behind_a_click(client_for, demo):
    mateo = demo.student("mateo")
    page = profile(client_for("teacher.5"), mateo)
    contact_block = page.split('<details class="contacts">', 1)[1].split("</details>", 1)[0]
    assert "<summary>Family contact</summary>" in contact_block
    assert mateo.primary_phone in contact_block
    assert page.count(mateo.primary_phone) == 1


def test_this_years_numbers_count_only_this_school_year(client_for, demo, mateo_with_two_years, year_start):
    mateo = mateo_with_two_years
    Absence.objects.filter(student=mateo).delete()
    Absence.objects.create(student=mateo, occurred_on=year_start + datetime.timedelta(days=35))
    Absence.objects.create(student=mateo, occurred_on=year_start + datetime.timedelta(days=36))
    Absence.objects.create(student=mateo, occurred_on=year_start - datetime.timedelta(days=30))
    page = profile(client_for("teacher.5"), mateo, "?history=all")
    summary = page.split('<ul class="summary"', 1)[1].split("</ul>", 1)[0]
    assert '<span class="count">1</span> note' in summary
    assert '<span class="count">2</span> absences' in summary
    assert '<span class="count">1</span> incident' in summary


def test_the_profile_starts_with_a_clean_slate(client_for, demo, mateo_with_two_years):
    page = profile(client_for("teacher.5"), mateo_with_two_years)
    assert "Note from this year." in page
    assert "Incident from this year" in page
    assert "Note from last year." not in page
    assert "Incident from last year" not in page
    assert "?history=all" in page


def test_earlier_notes_are_there_on_request_but_old_discipline_only_for_restricted_note_holders(
    client_for, demo, mateo_with_two_years
):
    teacher = profile(client_for("teacher.5"), mateo_with_two_years, "?history=all")
    assert "Note from last year." in teacher
    assert "Incident from last year" not in teacher
    assert "discipline: this school year only" in teacher
    counselor = profile(client_for("counselor.baker"), mateo_with_two_years, "?history=all")
    assert "Note from last year." in counselor
    assert "Incident from last year" in counselor


def test_the_profile_links_holders_of_the_who_has_access_permission_to_its_page(client_for, demo):
    mateo = demo.student("mateo")
    link = reverse("students:educators_with_access", args=[mateo.pk])
    principal = profile(client_for("principal.baker"), mateo)
    assert f'href="{link}">Educators with access</a>' in principal
    assert "homeroom 5-201 at Baker K-8" not in principal  # the list is on its own page, read when asked for
    assert link not in profile(client_for("counselor.baker"), mateo)


def access_events(since: int):
    return list(AccessEvent.objects.filter(pk__gt=since, action="students:educators_with_access"))


def last_event_id() -> int:
    return AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_the_educators_with_access_page_lists_them_with_why_and_is_recorded(client_for, demo):
    mateo = demo.student("mateo")
    before = last_event_id()
    response = client_for("principal.baker").get(reverse("students:educators_with_access", args=[mateo.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    table = page.split("<tbody>", 1)[1]
    assert "Marcus Bell" in table
    assert "homeroom 5-201 at Baker K-8" in table
    assert "Cora Lindqvist" in table
    assert "Mateo" in page.split("<tbody>", 1)[0]  # whose record it is
    [event] = access_events(before)
    assert (event.outcome, event.student_ids) == (Outcome.OK, [mateo.pk])


@pytest.mark.parametrize(
    ("viewer", "student_key"),
    [("counselor.baker", "mateo"), ("principal.baker", "aisha")],
    ids=["sees the student but not who has access", "may see who has access but not this student"],
)
def test_the_educators_with_access_page_is_missing_and_denied_for_anyone_else(client_for, demo, viewer, student_key):
    student = demo.student(student_key)
    before = last_event_id()
    response = client_for(viewer).get(reverse("students:educators_with_access", args=[student.pk]))
    assert response.status_code == 404
    assert "homeroom 5-201 at Baker K-8" not in response.content.decode()
    [event] = access_events(before)
    assert (event.outcome, event.student_ids) == (Outcome.DENIED, [])


def test_an_inactive_student_says_so_plainly(client_for, demo):
    omar = demo.student("omar")
    page = profile(client_for("counselor.riverside"), omar)
    assert "Not enrolled: transferred." in page
    enrolled = profile(client_for("counselor.riverside"), demo.student("grace"))
    assert "Not enrolled" not in enrolled


def test_a_student_missing_from_the_last_export_is_marked(client_for, demo):
    Student.objects.filter(pk=demo.student("jordan").pk).update(missing_from_last_export=True)
    page = profile(client_for("principal.baker"), demo.student("jordan"))
    assert "was not in the school system" in page


def test_the_504_plan_lists_its_accommodations(client_for, demo):
    jordan = demo.student("jordan")
    Plan504.objects.filter(student=jordan).delete()
    Plan504.objects.create(
        student=jordan, start_date=datetime.date(2025, 9, 1), accommodations="Preferential seating\nBreaks as needed"
    )
    page = profile(client_for("teacher.5"), jordan)
    section = page.split('id="plan-504"', 1)[1]
    assert "<li>Preferential seating</li>" in section
    assert "<li>Breaks as needed</li>" in section


def test_a_high_school_student_shows_grades_in_sections(client_for, demo):
    page = profile(client_for("teacher.biology"), demo.student("noah"))
    grades = page.split('id="grades"', 1)[1].split("</section>", 1)[0]
    assert "BIO-101-3 period 3" in grades
    assert "failing" in grades


def test_the_charts_have_a_text_alternative(client_for, demo):
    page = profile(client_for("teacher.5"), demo.student("mateo"))
    for title in ("Absences and tardies by month", "STAR percentile rank", "MCAS scaled score"):
        assert f"<summary>{title}: the numbers as a table</summary>" in page
    assert 'role="img" aria-labelledby="attendance-chart-title attendance-chart-desc"' in page
