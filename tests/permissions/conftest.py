"""The demo district as the shared fixture for the access tests (see tests/demo_district.py)."""

import pytest

from tests.demo_district import Cast, seeded_demo_district


@pytest.fixture(scope="package")
def demo_district(django_db_setup, django_db_blocker):
    with seeded_demo_district(django_db_blocker, students=60):
        yield


@pytest.fixture
def demo(demo_district, db) -> Cast:
    return Cast()
