"""Invite an educator: `python manage.py invite_educator EMAIL --name "Full Name" [--school LOCALID]`."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from educators.invitations import educator_invite


class Command(BaseCommand):
    help = "Create an educator account without a password and email them a one-time link to set one."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The educator's district email address (they sign in with it).")
        parser.add_argument("--name", required=True, help="The educator's full name.")
        parser.add_argument("--school", metavar="LOCALID", help="SIS local id of the educator's home school.")

    def handle(self, *args, email, name, school, **options):
        if not settings.SITE_URL:
            raise CommandError("SITE_URL must be set so the invitation link points at this site.")
        try:
            educator = educator_invite(email=email, full_name=name, school_local_id=school, base_url=settings.SITE_URL)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        except OSError as error:  # the mail server refused or could not be reached (smtplib errors included)
            raise CommandError(f"Could not send the invitation email, so no account was created: {error}") from None
        self.stdout.write(
            self.style.SUCCESS(f"Invited {educator.email}: a link to set their password was emailed to them.")
        )
