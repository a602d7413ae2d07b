"""Naming a student in the audit reports by SIS local id or name, and actions in words a family reads."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.actions import describe_action
from audit.events import record_grant_change
from audit.models import AccessEvent
from audit.recorder import command_recording, record_students
from audit.subjects import MAX_MATCHES, SubjectNotFound, resolve_subject
from tests.audit.test_admin import REPORTS

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.audit.urls")]


@pytest.fixture
def auditor_client(client, auditor):
    client.force_login(auditor)
    return client


@pytest.fixture
def jose(make_student):
    return make_student(first_name="José", last_name="Muñoz", local_id="100777", state_id="MA-4471")


def test_a_student_is_found_by_sis_local_id_state_id_or_name_without_accents(jose, make_student):
    make_student(first_name="Josefina", last_name="Alvarez")
    for typed in ("100777", " 100777 ", "MA-4471", "jose munoz", "Muñoz, José", "MUNOZ"):
        assert resolve_subject(typed).pk == jose.pk, typed
    subject = resolve_subject("100777")
    assert subject.label == "José Muñoz (SIS local id 100777)"
    assert subject.description == "Baker Elementary, grade 5, active"


def test_an_unknown_or_ambiguous_identifier_is_an_error_never_an_empty_report(jose, make_student):
    make_student(first_name="Josefina", last_name="Alvarez")
    with pytest.raises(SubjectNotFound, match="No student has that SIS local id"):
        resolve_subject("999999")
    with pytest.raises(SubjectNotFound, match="No student"):
        resolve_subject("   ")
    with pytest.raises(SubjectNotFound, match="^2 students match that name"):
        resolve_subject("jose")


def test_a_name_shared_by_very_many_students_says_so(make_student):
    for _ in range(MAX_MATCHES):
        make_student(first_name="Sam", last_name="Lee")
    with pytest.raises(SubjectNotFound, match=rf"^{MAX_MATCHES}\+ students match"):
        resolve_subject("sam lee")


def test_the_access_report_takes_the_id_the_profile_shows_and_names_the_student(auditor_client, jose):
    response = auditor_client.get(REPORTS + "student-access/", {"student": "100777"})
    page = response.content.decode()
    assert "Student access: José Muñoz (SIS local id 100777)" in page
    assert "No rows: nothing is recorded" in page


def test_the_access_report_page_refuses_an_unknown_id_plainly(auditor_client, jose):
    page = auditor_client.get(REPORTS + "student-access/", {"student": str(jose.pk + 1000)}).content.decode()
    assert "No student has that SIS local id, state id or name." in page
    assert not AccessEvent.objects.filter(action="admin:audit_report_student_access").exists()


def test_find_a_student_lists_the_matches_and_records_the_lookup_without_the_typed_name(
    auditor_client, auditor, jose, make_student
):
    other = make_student(first_name="Josefina", last_name="Alvarez")
    page = auditor_client.get(REPORTS + "find-student/", {"student": "jose"}).content.decode()
    assert "100777" in page and "Josefina" in page
    event = AccessEvent.objects.get(action="admin:audit_report_find_student")
    assert (event.actor_id, sorted(event.student_ids)) == (auditor.pk, sorted([jose.pk, other.pk]))
    assert event.details == {"report": "student_lookup", "parameters": {"matches": 2}, "rows": 2}
    assert "jose" not in str(event.details).lower()


def test_find_a_student_says_when_nobody_matches(auditor_client):
    page = auditor_client.get(REPORTS + "find-student/", {"student": "nobody-at-all"}).content.decode()
    assert "No student has that SIS local id, state id or name." in page


def test_the_lookup_command_prints_csv_and_tells_the_terminal_whose_report_it_is(auditor, jose):
    out, err = io.StringIO(), io.StringIO()
    call_command("audit_find_student", "--actor", auditor.email, "--student", "munoz", stdout=out, stderr=err)
    assert out.getvalue().splitlines()[1].startswith("100777,José Muñoz,")
    assert "Find a student: 1 row." in err.getvalue()
    assert AccessEvent.objects.get(action="audit_find_student").exported_student_ids == [jose.pk]


def test_the_access_command_takes_the_same_identifier(auditor, jose, make_educator):
    with command_recording(actor=make_educator("teacher@district.example"), action="students:profile"):
        record_students([jose.pk])
    out, err = io.StringIO(), io.StringIO()
    call_command("audit_student_access", "--actor", auditor.email, "--student", "José Muñoz", stdout=out, stderr=err)
    assert "teacher@district.example" in out.getvalue()
    assert ",viewed the profile,viewed," in out.getvalue()
    assert "Student access: José Muñoz (SIS local id 100777): 1 row." in err.getvalue()
    with pytest.raises(CommandError, match="--student: No student has that SIS local id"):
        call_command("audit_student_access", "--actor", auditor.email, "--student", "nobody", stdout=out)


@pytest.mark.parametrize(
    ("action", "method", "words"),
    [
        ("students:profile", "GET", "viewed the profile"),
        ("students:school_roster_csv", "GET", "downloaded the school roster CSV"),
        ("admin:students_student_changelist", "GET", "listed students in the admin"),
        ("admin:students_student_changelist", "POST", "acted on students in the admin"),
        ("admin:students_eventnote_change", "GET", "opened an event note in the admin"),
        ("admin:students_eventnote_change", "POST", "changed an event note in the admin"),
        ("admin:students_student_history", "GET", "read the history of a student in the admin"),
        ("admin:nosuchapp_thing_change", "GET", "admin:nosuchapp_thing_change"),
        ("admin:students_student_frobnicate", "GET", "admin:students_student_frobnicate"),
        ("something_unknown", "", "something_unknown"),
    ],
)
def test_actions_are_described_in_plain_words_and_unknown_ones_are_shown_as_stored(action, method, words):
    assert describe_action(action, method=method) == words


def test_the_grant_change_log_says_granted_revoked_or_changed(auditor_client, make_educator):
    teacher = make_educator("teacher@district.example")
    for before, after in ((None, {"reason": "a"}), ({"reason": "a"}, {"reason": "b"}), ({"reason": "b"}, None)):
        record_grant_change(
            actor=None,
            educator=teacher,
            grant_kind="school",
            object_label="Baker",
            before=before,
            after=after,
            reason="",
        )
    page = auditor_client.get("/admin/audit/grantchangeevent/").content.decode()
    for word in ("granted", "changed", "revoked"):
        assert f'<td class="field-change">{word}</td>' in page
