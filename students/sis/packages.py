"""Which reader a package needs: the manifest tells an Insights CSV package from a OneRoster one.

Both readers hand the pipeline the same thing — a checked package of Insights-format files — so
staging, the diff, the guards and apply never know which format the district sent.
"""

from students.sis.format import MANIFEST_FILENAME
from students.sis.oneroster.package import check_oneroster, is_oneroster
from students.sis.reader import CheckedPackage, check_structure, detect_encoding, manifest_values


def check_package(stored_files: list) -> CheckedPackage:
    """Check a received package's structure with the reader its manifest calls for; raises PackageError."""
    manifest = next((stored for stored in stored_files if stored.name == MANIFEST_FILENAME), None)
    if manifest is not None:
        values = manifest_values(manifest, detect_encoding(manifest))
        if is_oneroster(values):
            return check_oneroster(stored_files, values)
    return check_structure(stored_files)
