"""The family's record as one zip: a readable PDF, one CSV per table, and a data dictionary explaining every code.

Built for the district (not sent straight to the family): the PDF opens with the names of other
students found in notes, which the privacy officer redacts before release (34 CFR 99.12(a)).
"""

import io

from django.utils import timezone

from insights.csv import write_csv
from insights.pdf import render_pdf
from privacy.downloads import PackageFile
from privacy.models import PackageRun
from privacy.record import FamilyRecord, data_dictionary, family_record
from privacy.tables import Table

README = """Family's record of {name} (SIS local id {local_id})

record.pdf              everything below, readable and printable
data_dictionary.csv     what every column of every file means, and every code in it
for_review.csv          other students' names found in notes: redact them before release
record_of_access.csv    every recorded viewing, change or export of the student's data
access_today.csv        who may see the record today, and why
the other CSV files     one per part of the record (profile, classes, attendance, notes, ...)

Generated {generated_at} for {generated_by}. Confidential student record.
"""


def _csv(table: Table) -> str:
    text = io.StringIO()
    write_csv(text, table.headers, table.rows)
    return text.getvalue()


def family_record_files(record: FamilyRecord, *, generated_by: str) -> dict[str, bytes]:
    """The package's files by name: README.txt, record.pdf and the CSVs."""
    generated_at = timezone.localtime()
    tables = record.all_tables
    dictionary = data_dictionary(tables)
    context = {
        "record": record,
        "student": record.student,
        "dictionary": dictionary,
        "generated_by": generated_by,
        "generated_at": generated_at,
    }
    files = {
        "README.txt": README.format(
            name=record.student.full_name,
            local_id=record.student.local_id,
            generated_at=f"{generated_at:%Y-%m-%d %H:%M %Z}",
            generated_by=generated_by,
        ).encode(),
        "record.pdf": render_pdf("privacy/family_record.html", context),
    }
    for table in [*tables, dictionary]:
        files[f"{table.name}.csv"] = _csv(table).encode("utf-8-sig")  # a BOM, so spreadsheets read UTF-8
    return files


def build_family_record(run: PackageRun, progress) -> PackageFile:
    """The run's student's record as a zip (the job's builder, privacy/runs.py)."""
    assert run.student is not None
    run.progress_total = 3
    progress.stage("Reading the record")
    record = family_record(run.student)
    progress.advance(1)
    progress.stage("Writing the PDF and the CSV files")
    files = family_record_files(record, generated_by=run.requested_by.full_name or run.requested_by.email)
    progress.advance(1)
    package = PackageFile.zipped(filename=f"family-record-{run.pk}.zip", files=files, student_ids=[record.student.pk])
    progress.advance(1)
    return package
