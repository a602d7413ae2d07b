"""`destruction_certificate ID --actor EMAIL`: a one-time download link to a destruction's certificate (PDF)."""

from django.conf import settings

from destruction.commands import PrivacyCommand, numbered_destruction
from destruction.services import deliver_certificate
from privacy.downloads import download_path


class Command(PrivacyCommand):
    help = "Make the certificate of destruction (PDF) and give a one-time download link for it."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("destruction", type=int, help="The destruction's number.")

    def run(self, *, actor, destruction, **options):
        found = numbered_destruction(destruction)
        link = deliver_certificate(actor=actor, destruction=found)
        self.stdout.write(
            f"Certificate of destruction #{found.pk}: {settings.SITE_URL}{download_path(link)} "
            "(one-time, 24 hours, for you only)"
        )
