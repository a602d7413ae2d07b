"""Privacy operations in the admin, by subject: access requests and downloads, packages, corrections and statements."""

from privacy.admin import corrections, packages, requests
from privacy.admin.shared import OperatorsOnlyMixin

__all__ = ["OperatorsOnlyMixin", "corrections", "packages", "requests"]
