"""`destroy_district --actor EMAIL --confirm DISTRICT_KEY --reason TEXT [--without-export REASON] [--certificate PATH]`.

At contract end: empties every table of the district's data, leaving the audit log and the
certificates of destruction, and writes the certificate (PDF) to PATH — afterwards no account is
left to download it with.
"""

from pathlib import Path

from destruction.certificate import certificate_filename, certificate_pdf
from destruction.commands import PrivacyCommand
from destruction.district import destroy_district


class Command(PrivacyCommand):
    help = "Destroy the whole district's data at contract end (after an exit export), leaving the audit log."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--confirm", required=True, metavar="DISTRICT_KEY", help="The district key, typed back.")
        parser.add_argument("--reason", required=True, help="The contract's end, its date, who asked.")
        parser.add_argument(
            "--without-export",
            default="",
            metavar="REASON",
            help="Go ahead without an exit export: the district's reason.",
        )
        parser.add_argument(
            "--certificate", metavar="PATH", help="Where to write the certificate (default: ./<name>.pdf)."
        )

    def run(self, *, actor, confirm, reason, without_export, certificate, **options):
        destruction = destroy_district(actor=actor, confirm=confirm, reason=reason, without_export=without_export)
        path = Path(certificate or certificate_filename(destruction))
        path.write_bytes(certificate_pdf(destruction, generated_by=actor.full_name or actor.email))
        self.stdout.write(
            f"District destroyed (destruction #{destruction.pk}): {destruction.total_rows} rows in "
            f"{len(destruction.counts)} tables. Backups expire on {destruction.backups_expire_on}. Certificate: {path}"
        )
