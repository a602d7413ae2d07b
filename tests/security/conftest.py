"""Fixtures for the privacy tests: students with distinctive values, a signed-in educator, the
privacy-relevant middleware around test-only views, and the real sentry-sdk sending to memory."""

import datetime
import json
from collections.abc import Callable

import pytest
import sentry_sdk
from sentry_sdk.transport import Transport

from educators.models import Educator
from insights import scrubbing
from insights.sentry import sentry_options
from students.models import School, Student
from tests.database_locks import private_cluster_log

SCRUBBING_MIDDLEWARE = "insights.middleware.ScrubbingMiddleware"

STUDENTS = [
    {
        "first_name": "Anaïs",
        "last_name": "Quintero-Vásquez",
        "local_id": "LX-4417",
        "state_id": "SASID-7731Q",
        "date_of_birth": datetime.date(2011, 4, 9),
        "primary_email": "anais.qv@familymail.example",
        "primary_phone": "(617) 555-0142",
        "address": "41 Wrenfield Terrace, Apt 3\nSomerville, MA 02144",
        "guardian_name": "Marisol Vásquez",
    },
    {
        "first_name": "Tobiah",
        "last_name": "Okonkwo",
        "local_id": "LX-9902",
        "state_id": "SASID-0458K",
        "date_of_birth": datetime.date(2010, 11, 23),
        "primary_email": "t.okonkwo@familymail.example",
        "primary_phone": "617-555-0199",
        "address": "7 Quarry Lane\nMedford, MA 02155",
        "guardian_name": "Chidinma Okonkwo",
    },
]


def sensitive_values(student: Student) -> list[str]:
    """Every string about the student that must never reach a report or a log line."""
    born = student.date_of_birth
    return [
        student.first_name,
        student.last_name,
        student.full_name,
        student.local_id,
        student.state_id,
        student.primary_email,
        student.primary_phone,
        student.guardian_name,
        *student.address.replace(",", "\n").splitlines(),
        born.isoformat(),
        born.strftime("%m/%d/%Y"),
        f"{born.month}/{born.day}/{born.year}",
        f"{born:%B} {born.day}, {born.year}",
    ]


def leaked_values(text: str, students: list[Student]) -> list[str]:
    text = text.lower()
    return [value for student in students for value in sensitive_values(student) if value.strip().lower() in text]


@pytest.fixture
def seeded_students(db) -> list[Student]:
    school = School.objects.create(local_id="SCH-PRIV", name="Wrenfield K-8", school_type="K8")
    return [Student.objects.create(school=school, grade="6", **values) for values in STUDENTS]


@pytest.fixture
def educator(db) -> Educator:
    return Educator.objects.create_user(
        "r.holloway@district.example", full_name="Rowan Holloway", staff_type=Educator.StaffType.COUNSELOR
    )


@pytest.fixture
def privacy_stack(settings):
    """The test-only views behind Django's own middleware and the scrubbing middleware, in settings order.

    Other middleware (MFA gate, audit recorder) is left out: these tests are about error reports.
    """
    settings.ROOT_URLCONF = "tests.security.urls"
    settings.MIDDLEWARE = [
        name for name in settings.MIDDLEWARE if name.startswith("django.") or name == SCRUBBING_MIDDLEWARE
    ]


@pytest.fixture
def fresh_collection():
    """An empty collection of remembered values for the test, gone afterwards."""
    with scrubbing.collection():
        yield


class MemoryTransport(Transport):
    """A sentry-sdk transport that keeps envelopes in memory instead of sending them."""

    def __init__(self):
        super().__init__()
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)

    def events(self) -> list[dict]:
        return [item.payload.json for envelope in self.envelopes for item in envelope.items if item.type == "event"]

    def serialized(self) -> str:
        """Everything that would have left the process, as JSON text (non-ASCII left readable)."""
        return "\n".join(
            json.dumps(
                [envelope.headers, [[item.headers, item.payload.json] for item in envelope.items]], ensure_ascii=False
            )
            for envelope in self.envelopes
        )


@pytest.fixture
def sentry_transport():
    """The real sentry-sdk, initialised as settings.py does, sending to memory."""
    transport = MemoryTransport()
    options = sentry_options(
        dsn="https://public@errors.invalid/1", environment="test", release="0123abcd", district="wrenfield"
    )
    sentry_sdk.init(**options, transport=transport)
    try:
        with sentry_sdk.isolation_scope():
            yield transport
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)


@pytest.fixture
def server_log() -> Callable[[], str]:
    """What the private cluster's server wrote to its log since the fixture was made."""
    log_file = private_cluster_log()
    if log_file is None:
        pytest.skip("DATABASE_URL points at another server, whose log this test cannot read")
    start = log_file.stat().st_size
    return lambda: log_file.read_bytes()[start:].decode(errors="replace")
