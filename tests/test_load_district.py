"""The load test reuses the district it seeded, reseeds one of another size, never replaces one it did not seed."""

import pytest

from benchmarks.district import BENCH_SEED
from benchmarks.load.district import NotALoadDatabase, database_mark, ensure_load_district, mark_database
from educators.models import Educator
from students.models import Student
from tests.factories import EducatorFactory, StudentFactory

pytestmark = pytest.mark.django_db


def test_a_district_it_did_not_seed_is_never_replaced():
    educator = EducatorFactory()
    StudentFactory.create_batch(2)

    with pytest.raises(NotALoadDatabase, match="holds students or educators that `make load` did not seed"):
        ensure_load_district(2, private_database=False)

    assert Student.objects.count() == 2 and Educator.objects.filter(pk=educator.pk).exists()
    assert database_mark() is None


def test_the_district_it_seeded_is_reused_when_it_is_the_size_asked_for():
    students = {student.pk for student in StudentFactory.create_batch(3)}
    mark_database(3)

    assert ensure_load_district(3, private_database=False) is False

    assert set(Student.objects.values_list("pk", flat=True)) == students


def test_an_unmarked_district_in_the_private_load_database_is_reused_and_marked():
    StudentFactory.create_batch(3)

    assert ensure_load_district(3, private_database=True) is False

    assert database_mark() == f"Insights load-test district: 3 students, seed {BENCH_SEED}"


def test_a_district_of_another_size_is_replaced_by_a_seeding_and_marked():
    mark_database(50_000)
    StudentFactory.create_batch(3)

    assert ensure_load_district(12, private_database=False) is True

    assert Student.objects.count() == 12
    assert database_mark() == f"Insights load-test district: 12 students, seed {BENCH_SEED}"
