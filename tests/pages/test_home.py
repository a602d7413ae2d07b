"""The home page: recent notes about my students, students who may need attention, and birthdays."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from students.models import Absence, EventNote, Student

pytestmark = pytest.mark.django_db


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


def home(client) -> str:
    response = client.get(reverse("students:home"))
    assert response.status_code == 200
    return response.content.decode()


def section(page: str, heading_id: str) -> str:
    return page.split(f'id="{heading_id}"', 1)[1].split("<h3", 1)[0].split("</section>", 1)[0]


@pytest.fixture
def jordan_absent(demo):
    """Jordan (5-201) with no notes and exactly `count` absences on the most recent days."""
    jordan = demo.student("jordan")
    EventNote.objects.filter(student=jordan).delete()
    Absence.objects.filter(student=jordan).delete()

    def absent(count: int, *, days_ago_from: int = 2) -> Student:
        today = timezone.localdate()
        for offset in range(count):
            Absence.objects.create(student=jordan, occurred_on=today - datetime.timedelta(days=days_ago_from + offset))
        return jordan

    return absent


@pytest.fixture(params=["teacher.5", "district"])
def viewer(request):
    """Jordan's homeroom teacher, and a districtwide educator (whose list starts from the district's absences)."""
    return request.param


def test_four_recent_absences_without_a_note_need_attention(viewer, client_for, jordan_absent):
    jordan_absent(4)
    assert "Jordan Okafor" in section(home(client_for(viewer)), "attention-absences")


def test_three_recent_absences_do_not(viewer, client_for, jordan_absent):
    jordan_absent(3)
    assert "Jordan Okafor" not in section(home(client_for(viewer)), "attention-absences")


def test_absences_older_than_45_days_do_not_count(viewer, client_for, jordan_absent):
    jordan_absent(4, days_ago_from=46)
    assert "Jordan Okafor" not in section(home(client_for(viewer)), "attention-absences")


def test_a_note_since_the_absences_began_takes_the_student_off_the_list(viewer, client_for, demo, jordan_absent):
    jordan = jordan_absent(4)
    EventNote.objects.create(
        student=jordan,
        author=demo.educator("counselor.baker"),
        note_type="attendance",
        restricted_text="Private",
        is_restricted=True,
        recorded_at=timezone.now(),
    )
    assert "Jordan Okafor" not in section(home(client_for(viewer)), "attention-absences")


def test_a_note_before_the_absences_does_not(viewer, client_for, demo, jordan_absent):
    jordan = jordan_absent(4, days_ago_from=5)
    EventNote.objects.create(
        student=jordan,
        author=demo.educator("teacher.5"),
        note_type="parent",
        text="Earlier call.",
        recorded_at=at(timezone.localdate() - datetime.timedelta(days=20)),
    )
    assert "Jordan Okafor" in section(home(client_for(viewer)), "attention-absences")


def test_a_student_who_left_is_not_on_the_attention_list(viewer, client_for, jordan_absent):
    jordan = jordan_absent(5)
    Student.objects.filter(pk=jordan.pk).update(enrollment_status="Withdrawn")
    assert "Jordan Okafor" not in section(home(client_for(viewer)), "attention-absences")


def test_a_high_school_student_failing_a_section_without_a_recent_note_needs_attention(client_for, demo):
    noah = demo.student("noah")
    EventNote.objects.filter(student=noah).delete()
    assert "Noah Fitzgerald" in section(home(client_for("teacher.biology")), "attention-failing")
    EventNote.objects.create(
        student=noah,
        author=demo.educator("teacher.biology"),
        note_type="student",
        text="Talked.",
        recorded_at=timezone.now(),
    )
    assert "Noah Fitzgerald" not in section(home(client_for("teacher.biology")), "attention-failing")


def test_recent_notes_are_about_my_students_newest_first_and_never_restricted(client_for, demo):
    mateo, jordan = demo.student("mateo"), demo.student("jordan")
    author = demo.educator("counselor.baker")
    now = timezone.now()
    EventNote.objects.create(
        student=mateo,
        author=author,
        note_type="parent",
        text="Older plain note.",
        recorded_at=now - datetime.timedelta(minutes=5),
    )
    EventNote.objects.create(
        student=jordan, author=author, note_type="parent", text="Newest plain note.", recorded_at=now
    )
    EventNote.objects.create(
        student=jordan,
        author=author,
        note_type="counselor",
        restricted_text="Hidden",
        is_restricted=True,
        recorded_at=now,
    )
    page = section(home(client_for("teacher.5")), "recent-notes")
    assert page.index("Newest plain note.") < page.index("Older plain note.")
    assert "Hidden" not in page
    assert "Newest plain note." not in home(client_for("teacher.k"))


def test_birthdays_this_week_are_listed_with_the_age_they_turn(client_for, demo):
    today = timezone.localdate()
    born = (
        today.replace(year=today.year - 11)
        if (today.month, today.day) != (2, 29)
        else today.replace(day=28, year=today.year - 11)
    )
    Student.objects.filter(pk=demo.student("jordan").pk).update(date_of_birth=born)
    page = section(home(client_for("teacher.5")), "birthdays")
    assert "Jordan Okafor" in page
    assert "turning 11" in page


def test_the_home_page_is_recorded_with_every_student_it_shows(client_for, demo, jordan_absent):
    from audit.models import AccessEvent

    jordan = jordan_absent(4)
    home(client_for("teacher.5"))
    event = AccessEvent.objects.filter(action="students:home").latest("id")
    assert jordan.pk in event.student_ids


def test_home_links_the_teachers_own_classes(client_for, demo):
    teacher = home(client_for("teacher.5"))
    assert f'href="{reverse("students:homeroom", args=[demo.homeroom("5-201").pk])}">Homeroom 5-201</a>' in teacher
    biology = home(client_for("teacher.biology"))
    assert "Biology, BIO-101-1 period 1" in biology
    assert "Biology, BIO-101-3 period 3" in biology
    assert "My classes" not in home(client_for("principal.baker"))


def test_home_leaves_out_a_homeroom_the_teacher_teaches_but_may_no_longer_open(client_for, demo):
    from permissions.models import HomeroomGrant

    homeroom = demo.homeroom("5-201")
    assert HomeroomGrant.objects.filter(user=demo.educator("teacher.5"), content_object=homeroom).delete()[0]
    assert homeroom.educator == demo.educator("teacher.5")
    assert "Homeroom 5-201" not in home(client_for("teacher.5"))


def test_home_leaves_out_a_section_the_teacher_teaches_but_may_no_longer_open(client_for, demo):
    from permissions.models import SectionGrant

    biology = demo.educator("teacher.biology")
    first_period = {"content_object__course__course_number": "BIO-101", "content_object__section_number": "1"}
    assert SectionGrant.objects.filter(user=biology, **first_period).delete()[0]
    page = home(client_for("teacher.biology"))
    assert "BIO-101-1" not in page
    assert "Biology, BIO-101-3 period 3" in page
