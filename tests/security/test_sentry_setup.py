"""Sentry is on only when SENTRY_DSN is set, and then collects nothing about people by itself."""

import os
import subprocess
import sys

import sentry_sdk
from django.conf import settings

from insights.sentry import sentry_options

PROBE = (
    "import sentry_sdk; from django.conf import settings; settings.DEBUG; client = sentry_sdk.get_client(); "
    "print(client.is_active(), client.options['environment'], client.options['release'])"
)


def sentry_after_loading_settings(**env: str) -> str:
    """What sentry-sdk looks like in a fresh process that loaded the settings with this environment."""
    base = {key: value for key, value in os.environ.items() if not key.startswith(("SENTRY_", "HEROKU_", "SOURCE_"))}
    result = subprocess.run(  # noqa: S603 (this interpreter, fixed code)
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "insights.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_sentry_stays_off_without_a_dsn():
    assert sentry_after_loading_settings().startswith("False")


def test_sentry_starts_with_a_dsn_tagged_with_herokus_release():
    dsn = "https://public@errors.invalid/1"

    assert sentry_after_loading_settings(SENTRY_DSN=dsn, SOURCE_VERSION="9f3a1c") == "True production 9f3a1c"
    assert (
        sentry_after_loading_settings(SENTRY_DSN=dsn, SENTRY_ENVIRONMENT="staging", HEROKU_RELEASE_VERSION="v42")
        == "True staging v42"
    )


def test_sentry_collects_no_personal_data_request_bodies_or_variables_and_never_prints_events(sentry_transport):
    options = sentry_sdk.get_client().options
    collection = options["data_collection"]

    assert collection["user_info"] is False
    assert collection["cookies"]["mode"] == collection["url_query_params"]["mode"] == "off"
    assert collection["http_bodies"] == []
    assert collection["stack_frame_variables"] is False
    assert collection["database_query_data"] is False
    assert options["max_request_body_size"] == "never"
    assert options["include_local_variables"] is False
    assert options["debug"] is False
    assert "argv" not in sentry_sdk.get_client().integrations


def test_events_are_tagged_with_the_district_and_with_the_release_only_when_known():
    def tags(release):
        options = sentry_options(
            dsn="https://public@errors.invalid/1", environment="test", release=release, district="demo"
        )
        return options["before_send"]({}, {})["tags"]

    assert tags(None) == {"district": "demo"}
    assert tags("9f3a1c") == {"district": "demo", "release": "9f3a1c"}
