"""Destroying the district at contract end: refused without the key typed back or an exit export; then only the
audit log and the certificates are left."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from pypdf import PdfReader

from audit.models import AccessEvent, GrantChangeEvent, SignInEvent
from destruction.district import destroy_district, destroyed_tables
from destruction.models import Destruction, ExitExport, LegalHold
from destruction.refusals import DestructionRefused
from educators.models import Educator
from students.models import Student

pytestmark = pytest.mark.django_db


def rows_in(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return cursor.fetchone()[0]


@pytest.fixture
def exported(officer):
    return ExitExport.objects.create(requested_by=officer, status=ExitExport.Status.DONE, sha256="ab" * 32)


def test_it_is_refused_unless_the_district_key_is_typed_back(officer, exported):
    with pytest.raises(DestructionRefused, match="district key"):
        destroy_district(actor=officer, confirm="not-the-key", reason="Contract ended")
    assert Student.objects.exists()


def test_it_is_refused_without_an_exit_export_unless_the_district_says_why(settings, officer):
    with pytest.raises(DestructionRefused, match="No exit export"):
        destroy_district(actor=officer, confirm=settings.DISTRICT_KEY, reason="Contract ended")
    assert Student.objects.exists()
    done = destroy_district(
        actor=officer, confirm=settings.DISTRICT_KEY, reason="Contract ended", without_export="Letter of 2026-11-02"
    )
    assert done.details["without_export"] == "Letter of 2026-11-02"


def test_it_is_refused_while_a_legal_hold_stands(settings, demo, officer, exported):
    LegalHold.objects.create(student=demo.student("mateo"), reason="Case 26", placed_by=officer)
    with pytest.raises(DestructionRefused, match="legal hold"):
        destroy_district(actor=officer, confirm=settings.DISTRICT_KEY, reason="Contract ended")
    assert Student.objects.count() == 20


def test_everything_goes_but_the_audit_log_and_the_certificates(settings, demo, officer, exported):
    earlier = Destruction.objects.create(kind=Destruction.Kind.STUDENT, reason="earlier", status="done")
    audit_rows = (AccessEvent.objects.count(), SignInEvent.objects.count(), GrantChangeEvent.objects.count())
    student_ids = sorted(Student.objects.values_list("pk", flat=True))

    done = destroy_district(actor=officer, confirm=settings.DISTRICT_KEY, reason="Contract ended 2026-06-30")

    assert done.status == Destruction.Status.DONE and done.kind == Destruction.Kind.DISTRICT
    assert done.details["exit_export"]["id"] == exported.pk
    assert done.counts["students_student"] == 20 and done.counts["educators_educator"] > 0
    assert all(rows_in(table) == 0 for table in destroyed_tables())
    assert not Educator.objects.exists() and not Student.objects.exists()
    assert set(Destruction.objects.values_list("pk", flat=True)) == {earlier.pk, done.pk}
    assert SignInEvent.objects.count() == audit_rows[1] and GrantChangeEvent.objects.count() == audit_rows[2]
    assert AccessEvent.objects.count() == audit_rows[0] + 1
    event = AccessEvent.objects.get(action="destroy_district")
    assert sorted(event.changed_student_ids) == student_ids and event.actor_email == officer.email


def test_the_command_writes_the_certificate_to_a_file(settings, officer, exported, tmp_path, capsys):
    with pytest.raises(CommandError, match="district key"):
        call_command("destroy_district", actor=officer.email, confirm="demo-typo", reason="Contract ended")
    target = tmp_path / "certificate.pdf"
    call_command(
        "destroy_district",
        actor=officer.email,
        confirm=settings.DISTRICT_KEY,
        reason="Contract ended",
        certificate=target,
    )
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(target.read_bytes())).pages)
    assert "The whole district, at contract end" in text
    assert "Only the audit log" in text
    assert f"Exit export first #{exported.pk}" in text.replace("\n", " ")
    assert "District destroyed" in capsys.readouterr().out
