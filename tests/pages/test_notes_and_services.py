"""Taking and editing notes, recording and discontinuing services: valid input is saved, invalid input
gets a clear error and saves nothing."""

import pytest
from django.urls import reverse

from audit.models import AccessEvent
from students.models import EventNote, EventNoteRevision, Service

pytestmark = pytest.mark.django_db


def test_a_teacher_takes_a_note_and_finds_it_on_the_profile(client_for, demo):
    mateo = demo.student("mateo")
    client = client_for("teacher.5")
    response = client.post(
        reverse("students:note_create", args=[mateo.pk]),
        {"note_type": "parent", "text": "Called home about the reading log."},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("students:profile", args=[mateo.pk]) + "#notes"
    note = EventNote.objects.get(student=mateo, text="Called home about the reading log.")
    assert (note.author, note.note_type, note.is_restricted) == (demo.educator("teacher.5"), "parent", False)
    profile = client.get(response["Location"]).content.decode()
    assert "Called home about the reading log." in profile
    assert "Note saved." in profile


def test_taking_a_note_is_recorded_as_a_change_to_the_student(client_for, demo):
    mateo = demo.student("mateo")
    client_for("teacher.5").post(
        reverse("students:note_create", args=[mateo.pk]), {"note_type": "parent", "text": "Called home."}
    )
    event = AccessEvent.objects.filter(action="students:note_create").latest("id")
    note = EventNote.objects.get(text="Called home.")
    assert event.changed_student_ids == [mateo.pk]
    assert event.object_ids == {"note": [note.pk]}


@pytest.mark.parametrize(
    ("posted", "error"),
    [
        ({"note_type": "parent", "text": "   "}, "Write the note before saving it."),
        ({"note_type": "", "text": "Talked with the family."}, "Choose what kind of note this is."),
        ({"note_type": "gossip", "text": "Talked with the family."}, "Select a valid choice."),
        ({"note_type": "parent", "text": "x" * 20001}, "A note can be at most 20,000 characters."),
    ],
)
def test_a_note_with_bad_input_is_not_saved_and_says_why(client_for, demo, posted, error):
    mateo = demo.student("mateo")
    before = EventNote.objects.count()
    response = client_for("teacher.5").post(reverse("students:note_create", args=[mateo.pk]), posted)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert EventNote.objects.count() == before


def test_the_restricted_box_is_offered_only_to_educators_who_may_read_restricted_notes(client_for, demo):
    url = reverse("students:note_create", args=[demo.student("mateo").pk])
    assert 'name="is_restricted"' not in client_for("teacher.5").get(url).content.decode()
    assert 'name="is_restricted"' in client_for("counselor.baker").get(url).content.decode()


def test_a_restricted_note_keeps_its_text_only_in_the_encrypted_column(client_for, demo):
    mateo = demo.student("mateo")
    client_for("counselor.baker").post(
        reverse("students:note_create", args=[mateo.pk]),
        {"note_type": "counselor", "text": "Family is going through a hard time.", "is_restricted": "on"},
    )
    note = EventNote.objects.filter(student=mateo).latest("id")
    assert (note.is_restricted, note.text, note.restricted_text) == (True, "", "Family is going through a hard time.")


def test_a_teacher_cannot_restrict_a_note_by_posting_the_box_anyway(client_for, demo):
    mateo = demo.student("mateo")
    client_for("teacher.5").post(
        reverse("students:note_create", args=[mateo.pk]),
        {"note_type": "parent", "text": "Posted with a forged box.", "is_restricted": "on"},
    )
    assert EventNote.objects.get(text="Posted with a forged box.").is_restricted is False


def test_editing_a_note_keeps_the_previous_version_and_counts_revisions(client_for, demo):
    mateo = demo.student("mateo")
    client = client_for("teacher.5")
    client.post(reverse("students:note_create", args=[mateo.pk]), {"note_type": "parent", "text": "First version."})
    note = EventNote.objects.get(text="First version.")
    edit_url = reverse("students:note_edit", args=[mateo.pk, note.pk])
    response = client.post(edit_url, {"note_type": "sst", "text": "Second version."})
    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.note_type, note.text) == ("sst", "Second version.")
    revision = EventNoteRevision.objects.get(note=note)
    assert (revision.note_type, revision.text, revision.revised_by) == ("parent", "First version.", note.author)
    assert "Edited 1 time before" in client.get(edit_url).content.decode()
    assert "edited 1 time" in client.get(reverse("students:profile", args=[mateo.pk])).content.decode()


def test_saving_a_note_unchanged_adds_no_revision(client_for, demo, teachers_note_about_mateo):
    mateo = demo.student("mateo")
    note = teachers_note_about_mateo("Same.")
    client_for("teacher.5").post(
        reverse("students:note_edit", args=[mateo.pk, note.pk]), {"note_type": "parent", "text": "Same."}
    )
    assert not EventNoteRevision.objects.filter(note=note).exists()


def test_an_edit_with_bad_input_changes_nothing(client_for, demo, teachers_note_about_mateo):
    mateo = demo.student("mateo")
    note = teachers_note_about_mateo("Keep me.")
    response = client_for("teacher.5").post(
        reverse("students:note_edit", args=[mateo.pk, note.pk]), {"note_type": "parent", "text": ""}
    )
    assert "Write the note before saving it." in response.content.decode()
    note.refresh_from_db()
    assert note.text == "Keep me."
    assert not EventNoteRevision.objects.filter(note=note).exists()


def test_there_is_no_way_to_delete_a_note(client_for, demo, teachers_note_about_mateo):
    mateo = demo.student("mateo")
    note = teachers_note_about_mateo("Stays.")
    client = client_for("teacher.5")
    assert client.delete(reverse("students:note_edit", args=[mateo.pk, note.pk])).status_code == 405
    assert EventNote.objects.filter(pk=note.pk).exists()


def test_a_service_is_recorded_and_shown_as_active(client_for, demo):
    mateo = demo.student("mateo")
    client = client_for("teacher.5")
    response = client.post(
        reverse("students:service_create", args=[mateo.pk]),
        {
            "service_type": "math_intervention",
            "provided_by": "Ms. Rivera",
            "date_started": "2026-10-05",
            "estimated_end_date": "2027-01-15",
        },
    )
    assert response.status_code == 302
    service = Service.objects.get(student=mateo, provided_by="Ms. Rivera")
    assert (service.service_type, service.recorded_by, service.is_active) == (
        "math_intervention",
        demo.educator("teacher.5"),
        True,
    )
    assert "Math intervention</strong> with Ms. Rivera" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("posted", "error"),
    [
        ({"service_type": "", "date_started": "2026-10-05"}, "Choose the kind of service."),
        ({"service_type": "after_school"}, "Give the date the service started."),
        ({"service_type": "after_school", "date_started": "next week"}, "Enter a date like 2026-09-15."),
        (
            {"service_type": "after_school", "date_started": "2026-10-05", "estimated_end_date": "2026-09-01"},
            "The estimated end date cannot be before the start date.",
        ),
        ({"service_type": "after_school", "date_started": "2036-10-05"}, "more than a year away"),
    ],
)
def test_a_service_with_bad_input_is_not_saved_and_says_why(client_for, demo, posted, error):
    mateo = demo.student("mateo")
    before = Service.objects.count()
    response = client_for("teacher.5").post(reverse("students:service_create", args=[mateo.pk]), posted)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert Service.objects.count() == before


def test_discontinuing_a_service_keeps_it_as_a_past_service(client_for, demo):
    mateo = demo.student("mateo")
    service = Service.objects.create(
        student=mateo, service_type="after_school", date_started="2026-09-15", recorded_by=demo.educator("teacher.5")
    )
    client = client_for("principal.baker")
    url = reverse("students:service_discontinue", args=[mateo.pk, service.pk])
    assert "Discontinue service" in client.get(url).content.decode()
    service.refresh_from_db()
    assert service.is_active
    assert client.post(url).status_code == 302
    service.refresh_from_db()
    assert (service.is_active, service.discontinued_by) == (False, demo.educator("principal.baker"))
    assert client.post(url).status_code == 404


def test_a_service_of_another_student_cannot_be_discontinued_through_this_one(client_for, demo):
    jordan = demo.student("jordan")
    service = Service.objects.create(
        student=jordan, service_type="after_school", date_started="2026-09-15", recorded_by=demo.educator("teacher.5")
    )
    url = reverse("students:service_discontinue", args=[demo.student("mateo").pk, service.pk])
    assert client_for("teacher.5").post(url).status_code == 404
    service.refresh_from_db()
    assert service.is_active


def test_my_notes_lists_the_notes_i_wrote_and_hides_restricted_text(client_for, demo):
    counselor = demo.educator("counselor.baker")
    mateo = demo.student("mateo")
    EventNote.objects.create(
        student=mateo,
        author=counselor,
        note_type="counselor",
        text="Plain note by me.",
        recorded_at="2026-11-01T12:00:00Z",
    )
    secret = EventNote.objects.create(
        student=mateo,
        author=counselor,
        note_type="counselor",
        restricted_text="Very private.",
        is_restricted=True,
        recorded_at="2026-11-02T12:00:00Z",
    )
    EventNote.objects.create(
        student=mateo,
        author=demo.educator("teacher.5"),
        note_type="parent",
        text="Someone else's note.",
        recorded_at="2026-11-03T12:00:00Z",
    )
    page = client_for("counselor.baker").get(reverse("students:my_notes")).content.decode()
    assert "Plain note by me." in page
    assert "Someone else&#x27;s note." not in page and "Someone else's note." not in page
    assert "Very private." not in page
    assert reverse("students:restricted_note", args=[mateo.pk, secret.pk]) in page


def test_a_note_whose_audit_row_cannot_be_written_is_not_saved_and_the_teacher_is_told(
    client_for, demo, audit_inserts_fail
):
    mateo = demo.student("mateo")
    response = client_for("teacher.5").post(
        reverse("students:note_create", args=[mateo.pk]), {"note_type": "parent", "text": "Called home."}
    )
    assert response.status_code == 503
    assert "Nothing was saved" in response.content.decode()
    assert not EventNote.objects.filter(text="Called home.").exists()


def test_a_service_whose_audit_row_cannot_be_written_is_not_saved(client_for, demo, audit_inserts_fail):
    mateo = demo.student("mateo")
    before = Service.objects.filter(student=mateo).count()
    response = client_for("teacher.5").post(
        reverse("students:service_create", args=[mateo.pk]),
        {"service_type": "math_intervention", "provided_by": "Ms. Rivera", "date_started": "2026-10-05"},
    )
    assert response.status_code == 503
    assert Service.objects.filter(student=mateo).count() == before
