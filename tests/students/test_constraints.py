"""The database itself rejects bad student data, whatever code path writes it."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from students.models import EventNote, Plan504, Service, Student
from tests.factories import (
    AbsenceFactory,
    EducatorFactory,
    EventNoteFactory,
    SchoolFactory,
    ServiceFactory,
    StudentFactory,
    TardyFactory,
)

pytestmark = pytest.mark.django_db


def rejected(create) -> bool:
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


def test_two_students_cannot_share_a_sis_local_id():
    StudentFactory(local_id="123456")
    assert rejected(lambda: StudentFactory(local_id="123456"))


def test_two_students_cannot_share_a_state_id():
    StudentFactory(state_id="1000000001")
    assert rejected(lambda: StudentFactory(state_id="1000000001"))


def test_students_without_a_state_id_are_allowed_side_by_side():
    StudentFactory(state_id=None)
    StudentFactory(state_id=None)
    assert Student.objects.filter(state_id__isnull=True).count() == 2


def test_two_schools_cannot_share_a_sis_local_id():
    SchoolFactory(local_id="HEA")
    assert rejected(lambda: SchoolFactory(local_id="HEA"))


@pytest.mark.parametrize("grade", ["13", "K", "", "TK"])
def test_unknown_grade_codes_are_rejected(grade):
    school = SchoolFactory()
    assert rejected(
        lambda: Student.objects.create(local_id="9", first_name="A", last_name="B", grade=grade, school=school)
    )


@pytest.mark.parametrize("grade", ["PK", "KF", "1", "8", "12"])
def test_known_grade_codes_are_accepted(grade):
    assert StudentFactory(grade=grade).grade == grade


def test_a_student_cannot_have_two_absences_on_the_same_day():
    absence = AbsenceFactory()
    assert rejected(lambda: AbsenceFactory(student=absence.student, occurred_on=absence.occurred_on))


def test_a_student_can_be_absent_on_different_days_and_tardy_on_an_absent_day():
    absence = AbsenceFactory()
    AbsenceFactory(student=absence.student, occurred_on=absence.occurred_on + datetime.timedelta(days=1))
    TardyFactory(student=absence.student, occurred_on=absence.occurred_on)
    assert absence.student.absences.count() == 2


def test_a_student_cannot_have_two_tardies_on_the_same_day():
    tardy = TardyFactory()
    assert rejected(lambda: TardyFactory(student=tardy.student, occurred_on=tardy.occurred_on))


def test_a_service_cannot_end_before_it_starts():
    assert rejected(
        lambda: ServiceFactory(date_started=datetime.date(2026, 9, 15), estimated_end_date=datetime.date(2026, 9, 1))
    )


def test_a_discontinued_service_must_say_who_discontinued_it():
    service = ServiceFactory()
    service.discontinued_at = datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC)
    assert rejected(service.save)


def test_a_service_may_end_on_the_day_it_starts():
    day = datetime.date(2026, 9, 15)
    assert ServiceFactory(date_started=day, estimated_end_date=day).pk
    assert Service.objects.count() == 1


def test_a_504_plan_cannot_end_before_it_starts():
    student = StudentFactory()
    assert rejected(
        lambda: Plan504.objects.create(
            student=student, start_date=datetime.date(2026, 9, 1), end_date=datetime.date(2025, 9, 1)
        )
    )


def test_restricted_note_text_must_live_in_the_encrypted_column():
    assert rejected(lambda: EventNoteFactory(is_restricted=True, text="plain text where it must not be"))
    assert rejected(lambda: EventNoteFactory(is_restricted=False, text="", restricted_text="secret"))
    note = EventNoteFactory(is_restricted=True, text="", restricted_text="Family situation details")
    assert EventNote.objects.get(pk=note.pk).restricted_text == "Family situation details"


def test_unknown_note_types_are_rejected():
    assert rejected(lambda: EventNoteFactory(note_type="gossip"))


def test_a_section_grade_must_be_between_0_and_100():
    from students.models import Course, Section, StudentSectionAssignment

    student = StudentFactory()
    course = Course.objects.create(school=student.school, course_number="BIO-101")
    section = Section.objects.create(course=course, section_number="1", term_local_id="FY", school_year=2026)
    assert rejected(
        lambda: StudentSectionAssignment.objects.create(student=student, section=section, grade_numeric=101)
    )


def test_educator_emails_are_unique_ignoring_case():
    EducatorFactory(email="Teacher@School.example")
    assert rejected(lambda: EducatorFactory(email="teacher@school.example"))


def test_only_one_district_exists_per_instance():
    from students.models import District

    District.objects.current()
    assert rejected(lambda: District.objects.create(key="other", name="Other District"))
