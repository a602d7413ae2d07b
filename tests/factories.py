"""factory_boy factories for tests that need a few rows rather than the whole demo district."""

import datetime

import factory
from django.utils import timezone

from educators.models import Educator
from students.models import Absence, EventNote, Homeroom, School, Service, Student, Tardy


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    local_id = factory.Sequence(lambda n: f"SCH{n:03d}")
    name = factory.Sequence(lambda n: f"Test School {n}")
    school_type = "K8"


class EducatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Educator
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"educator{n}@school.example")
    full_name = factory.Sequence(lambda n: f"Educator {n}")
    password = factory.django.Password("correct horse battery staple")


class HomeroomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Homeroom

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"HR-{n}")
    grade = "5"


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    local_id = factory.Sequence(lambda n: f"{200000 + n}")
    first_name = factory.Sequence(lambda n: f"Firstname{n}")
    last_name = factory.Sequence(lambda n: f"Lastname{n}")
    date_of_birth = datetime.date(2014, 3, 14)
    grade = "5"
    school = factory.SubFactory(SchoolFactory)


class AbsenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Absence

    student = factory.SubFactory(StudentFactory)
    occurred_on = datetime.date(2026, 10, 5)


class TardyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tardy

    student = factory.SubFactory(StudentFactory)
    occurred_on = datetime.date(2026, 10, 5)


class EventNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventNote

    student = factory.SubFactory(StudentFactory)
    author = factory.SubFactory(EducatorFactory)
    note_type = "parent"
    text = "Talked with the family about reading at home."
    recorded_at = factory.LazyFunction(timezone.now)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    student = factory.SubFactory(StudentFactory)
    service_type = "reading_intervention"
    date_started = datetime.date(2026, 9, 15)
    recorded_by = factory.SubFactory(EducatorFactory)
