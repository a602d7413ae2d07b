"""The reference checks hash a district-sized package's keys: they run with the import's raised work_mem
(SET LOCAL: it ends with the import's transaction, which the test's own transaction encloses here)."""

from django.db import connection

from students.sis import pipeline
from students.sis.models import ImportRun
from tests.sis.test_bad_input import import_package


def work_mem() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        return cursor.fetchone()[0]


def test_reference_checks_run_with_the_imports_work_mem(packages, importer, monkeypatch):
    seen = []
    check_references = pipeline.check_references

    def recording(*args, **kwargs):
        seen.append(work_mem())
        return check_references(*args, **kwargs)

    monkeypatch.setattr(pipeline, "check_references", recording)
    assert work_mem() != pipeline.CHECK_WORK_MEM
    run = import_package(packages.basic(), importer)
    assert run.status == ImportRun.Status.APPLIED, run.error
    assert seen and set(seen) == {pipeline.CHECK_WORK_MEM}
