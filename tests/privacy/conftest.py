"""The demo district as privacy operations' fixture: the `privacy` login runs them (tests/privacy_fixtures.py)."""

import pytest

from tests import privacy_fixtures

demo_district, demo, officer = privacy_fixtures.demo_district, privacy_fixtures.demo, privacy_fixtures.officer


@pytest.fixture
def client_for(client, demo):
    """A test client signed in as a cast educator: ``client_for("privacy")``."""

    def sign_in(key: str):
        client.force_login(demo.educator(key))
        return client

    return sign_in
