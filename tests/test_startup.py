"""Web workers and commands start quietly, and without the heavy libraries only some processes use."""

import json
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings

# Each library, and what loads it.
HEAVY_LIBRARIES = {
    "weasyprint": "rendering a document (insights/pdf.py)",
    "asyncssh": "a pull, a connection test or an SFTP source's keys (students/sis/sftp/keys.py)",
}
# A process once set up and its URLs resolved, as a web worker is after its first request.
STARTED = (
    "import django, json, sys; django.setup(); import insights.wsgi; from django.urls import get_resolver; "
    "get_resolver().url_patterns; print(json.dumps(sorted(sys.modules)))"
)


@pytest.fixture(scope="module")
def started() -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", STARTED],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "insights.settings", "LOG_LEVEL": "INFO"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )


@pytest.fixture(scope="module")
def loaded_at_start(started) -> set[str]:
    return set(json.loads(started.stdout.splitlines()[-1]))


@pytest.mark.parametrize("library", HEAVY_LIBRARIES)
def test_starting_the_application_does_not_load(library, loaded_at_start):
    assert "django.contrib.admin" in loaded_at_start  # the admin, which registers the SFTP sources, is loaded
    assert library not in loaded_at_start, f"{library} should load only with {HEAVY_LIBRARIES[library]}"


def test_starting_the_application_prints_no_task_registration(started):
    assert "Registering task" not in started.stderr


def test_the_periodic_deferrers_own_lines_still_show(caplog):
    periodic = logging.getLogger("procrastinate.periodic")
    with caplog.at_level(logging.INFO):
        periodic.info("Registering task t", extra={"action": "registering_periodic_task"})
        periodic.info("Periodic job t() deferred", extra={"action": "periodic_task_deferred"})

    assert [record.getMessage() for record in caplog.records] == ["Periodic job t() deferred"]
