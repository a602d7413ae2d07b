"""The fuller profile (IEP, ACCESS over time, the educators around the student) and the full case history."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from students.models import AccessResult, DisciplineIncident, EventNote, Iep, Plan504, Service
from tests.pages.test_query_counts import add_history, count_queries

pytestmark = pytest.mark.django_db


def profile_page(client, student) -> str:
    return client.get(reverse("students:profile", args=[student.pk])).content.decode()


def history_page(client, student) -> str:
    response = client.get(reverse("students:case_history", args=[student.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_iep_and_its_case_manager_are_on_the_profile(client_for, demo):
    mateo = demo.student("mateo")
    Iep.objects.filter(student=mateo).delete()
    Iep.objects.create(
        student=mateo,
        start_date=timezone.localdate() - datetime.timedelta(days=100),
        case_manager="Dana Whitfield",
        notes="Speech and language twice weekly.",
    )
    page = profile_page(client_for("teacher.5"), mateo)
    assert "Speech and language twice weekly." in page
    assert "<dt>Special education case manager</dt><dd>Dana Whitfield</dd>" in page


def test_an_ended_iep_is_history_and_names_no_current_case_manager(client_for, demo):
    mateo = demo.student("mateo")
    Iep.objects.filter(student=mateo).delete()
    Iep.objects.create(
        student=mateo, start_date="2022-09-01", end_date="2023-06-01", case_manager="Former Manager", notes=""
    )
    page = profile_page(client_for("teacher.5"), mateo)
    assert "Since Sep 1, 2022 until Jun 1, 2023" in page
    assert "<dt>Special education case manager</dt>" not in page


def test_access_scores_are_charted_over_time_with_a_table(client_for, demo):
    mateo = demo.student("mateo")
    AccessResult.objects.filter(student=mateo).delete()
    AccessResult.objects.create(student=mateo, taken_on="2024-02-01", composite_proficiency_level="2.4")
    AccessResult.objects.create(student=mateo, taken_on="2025-02-01", composite_proficiency_level="3.1")
    page = profile_page(client_for("teacher.5"), mateo)
    assert "ACCESS composite proficiency level" in page
    assert "2 ACCESS results from February 2024 to February 2025; latest: Composite level 3.1." in page


def test_the_educators_around_a_student_are_named(client_for, demo):
    mateo = demo.student("mateo")
    mateo.counselor = demo.educator("counselor.baker")
    mateo.save()
    page = profile_page(client_for("teacher.5"), mateo)
    assert f"<dt>Homeroom teacher</dt><dd>{demo.educator('teacher.5').full_name}</dd>" in page
    assert f"<dt>Counselor</dt><dd>{demo.educator('counselor.baker').full_name}</dd>" in page
    noah_page = profile_page(client_for("counselor.riverside"), demo.student("noah"))
    assert "teacher (BIO-101" in noah_page
    assert f"</dt><dd>{demo.educator('teacher.biology').full_name}</dd>" in noah_page


def test_the_case_history_merges_everything_newest_first(client_for, demo):
    mateo, teacher = demo.student("mateo"), demo.educator("teacher.5")
    now = timezone.now()
    EventNote.objects.create(
        student=mateo,
        author=teacher,
        note_type="parent",
        text="Called home.",
        recorded_at=now - datetime.timedelta(days=1),
    )
    Service.objects.create(
        student=mateo,
        service_type="reading_intervention",
        date_started=timezone.localdate() - datetime.timedelta(days=3),
        recorded_by=teacher,
    )
    DisciplineIncident.objects.create(
        student=mateo,
        incident_code="Hallwayrunning",
        incident_location="Hallway",
        occurred_at=now - datetime.timedelta(days=2),
    )
    Plan504.objects.create(
        student=mateo, start_date=timezone.localdate() - datetime.timedelta(days=4), case_manager="Pat Rivera"
    )
    page = history_page(client_for("teacher.5"), mateo)
    positions = [
        page.index(text)
        for text in ("Called home.", "Hallwayrunning (Hallway)", "Reading intervention started", "504 plan began")
    ]
    assert positions == sorted(positions)
    assert "Case manager Pat Rivera." in page


def test_restricted_notes_appear_in_the_history_without_their_text(client_for, demo):
    mateo = demo.student("mateo")
    EventNote.objects.create(
        student=mateo,
        author=demo.educator("counselor.baker"),
        note_type="counselor",
        restricted_text="Confidential family matter.",
        is_restricted=True,
        recorded_at=timezone.now(),
    )
    for viewer, link_shown in (("teacher.5", False), ("counselor.baker", True)):
        page = history_page(client_for(viewer), mateo)
        assert "Confidential family matter." not in page
        assert ("Open this restricted note" in page) is link_shown
        assert "This note is restricted." in page or link_shown


def test_discipline_before_this_year_only_for_holders_of_the_restricted_permission(client_for, demo):
    mateo = demo.student("mateo")
    DisciplineIncident.objects.create(
        student=mateo, incident_code="Oldincidentcode", occurred_at=timezone.now() - datetime.timedelta(days=800)
    )
    assert "Oldincidentcode" not in history_page(client_for("teacher.5"), mateo)
    assert "Oldincidentcode" in history_page(client_for("counselor.baker"), mateo)


def test_the_case_history_is_missing_for_an_educator_who_may_not_see_the_student(client_for, demo):
    mateo = demo.student("mateo")
    response = client_for("teacher.k").get(reverse("students:case_history", args=[mateo.pk]))
    assert response.status_code == 404
    event = AccessEvent.objects.latest("id")
    assert event.outcome == "denied"
    history_page(client_for("teacher.5"), mateo)
    assert AccessEvent.objects.latest("id").student_ids == [mateo.pk]


def test_the_case_history_costs_the_same_queries_for_a_long_history(client_for, demo, django_assert_num_queries):
    mateo = demo.student("mateo")
    client = client_for("counselor.baker")
    url = reverse("students:case_history", args=[mateo.pk])
    short = count_queries(client, url)
    add_history(mateo, demo.educator("counselor.baker"), years=3)
    with django_assert_num_queries(short):
        client.get(url)
    assert short == 15  # what the educator holds is looked up once (tests/pages/test_query_counts.py)
