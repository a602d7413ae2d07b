"""The demo district as the fixture for privacy operations (tests/privacy/, tests/destruction/).

The `privacy` login of the cast (tests/demo_district.py) runs them. Each package's conftest
imports these fixtures, so each package seeds and rolls back a district of its own.
"""

import pytest

from tests.demo_district import Cast, seeded_demo_district


@pytest.fixture(scope="package")
def demo_district(django_db_setup, django_db_blocker):
    with seeded_demo_district(django_db_blocker, students=20):
        yield


@pytest.fixture
def demo(demo_district, db) -> Cast:
    return Cast()


@pytest.fixture
def officer(demo):
    return demo.educator("privacy")
