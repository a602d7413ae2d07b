"""Print the current two-factor code of a privileged demo account, so the demo needs no authenticator app."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from educators.models import Educator
from insights.encryption import decrypt
from students.demo import cast
from students.demo.two_factor import DEMO_TOTP_SECRET, current_demo_code


class Command(BaseCommand):
    help = "Print the current two-factor code of a privileged demo account (demo mode only)."

    def add_arguments(self, parser):
        parser.add_argument("login", help="A demo login from the README, such as principal.baker (or its email).")

    def handle(self, *args, login, **options):
        if not settings.DEMO_MODE:
            raise CommandError("demo_totp only runs in demo mode (DEMO_MODE=true): real accounts use their own app.")
        email = login if "@" in login else f"{login}@{cast.EMAIL_DOMAIN}"
        educator = Educator.objects.by_email(email).first()
        if educator is None:
            raise CommandError(f"No demo account {login!r}; the README lists the demo logins.")
        totp = Authenticator.objects.filter(user=educator, type=Authenticator.Type.TOTP).first()
        if totp is None:
            raise CommandError(f"{educator.email} has no authenticator app set up (its role may not need one).")
        if decrypt(totp.data["secret"], label="an MFA secret") != DEMO_TOTP_SECRET:
            raise CommandError(f"{educator.email} uses its own authenticator app, not the demo secret.")
        code, seconds = current_demo_code()
        self.stdout.write(f"{code}  (current for {seconds} more seconds; each code signs in once)")
