"""The demo district as the fixture for privacy operations: the `privacy` login runs them (tests/demo_district.py)."""

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


@pytest.fixture
def client_for(client, demo):
    """A test client signed in as a cast educator: ``client_for("privacy")``."""

    def sign_in(key: str):
        client.force_login(demo.educator(key))
        return client

    return sign_in
