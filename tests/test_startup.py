"""Heavy libraries load only in the processes that use them: web workers and commands start without them."""

import json
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
def loaded_at_start() -> set[str]:
    started = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", STARTED],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "insights.settings"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(started.stdout.splitlines()[-1]))


@pytest.mark.parametrize("library", HEAVY_LIBRARIES)
def test_starting_the_application_does_not_load(library, loaded_at_start):
    assert "django.contrib.admin" in loaded_at_start  # the admin, which registers the SFTP sources, is loaded
    assert library not in loaded_at_start, f"{library} should load only with {HEAVY_LIBRARIES[library]}"
