"""Email an educator a one-time two-factor enrolment link: `python manage.py send_enrolment_link EMAIL`.

For the operator when no district admin can yet (the first superuser made with createsuperuser);
afterwards admins use the Educator admin's action. Either way the link is recorded.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from educators.enrolment import enrolment_link_issue
from educators.models import Educator


class Command(BaseCommand):
    help = "Email an active educator a one-time, expiring link to set up two-factor authentication."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The educator's email address.")

    def handle(self, *args, email, **options):
        if not settings.SITE_URL:
            raise CommandError("SITE_URL must be set so the link points at this site.")
        educator = Educator.objects.by_email(email).filter(is_active=True).first()
        if educator is None:
            raise CommandError(f"No active educator has the email address {email!r}.")
        try:
            enrolment_link_issue(educator=educator, issued_by=None, base_url=settings.SITE_URL)
        except OSError as error:  # the mail server refused or could not be reached
            raise CommandError(f"Could not send the enrolment email, so no link was made: {error}") from None
        self.stdout.write(self.style.SUCCESS(f"Emailed {educator.email} a one-time two-factor enrolment link."))
