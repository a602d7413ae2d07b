"""The certificate of destruction: a PDF the district keeps and can hand to a family or to the vendor's auditors.

It says what was destroyed (rows per table), when, on whose request and approval, and when the
last backup holding the data ages out. It is made from the Destruction row, which outlives what
it destroyed (the district's own destruction included), so it can be made again at any time.
"""

from django.conf import settings
from django.utils import timezone

from destruction.models import Destruction
from insights.pdf import render_pdf

TEMPLATE = "destruction/certificate.html"


def certificate_context(destruction: Destruction, *, generated_by: str) -> dict:
    return {
        "destruction": destruction,
        "district_name": settings.DISTRICT_NAME,
        "district_key": settings.DISTRICT_KEY,
        "tables": sorted(destruction.counts.items()),
        "total_rows": destruction.total_rows,
        "students": len(destruction.student_ids),
        "backup_retention_days": settings.BACKUP_RETENTION_DAYS,
        "import_file_retention_days": settings.IMPORT_FILE_RETENTION_DAYS,
        "generated_by": generated_by,
        "generated_at": timezone.now(),
    }


def certificate_pdf(destruction: Destruction, *, generated_by: str) -> bytes:
    """The certificate of a completed destruction, as PDF bytes; ``generated_by`` names who asked for it."""
    if destruction.status != Destruction.Status.DONE:
        raise ValueError(f"Destruction #{destruction.pk} is not done; there is nothing to certify yet.")
    return render_pdf(TEMPLATE, certificate_context(destruction, generated_by=generated_by))


def certificate_filename(destruction: Destruction) -> str:
    return f"certificate-of-destruction-{settings.DISTRICT_KEY}-{destruction.pk}.pdf"
