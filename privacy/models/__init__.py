"""The privacy office's records, by subject: access requests, corrections and statements, package runs, downloads."""

from privacy.models.corrections import CorrectionRequest, CorrectionStatus, DisagreementStatement, Ownership
from privacy.models.downloads import DownloadChunk, DownloadLink
from privacy.models.requests import (
    PERMISSION,
    AccessRequest,
    AccessRequestStatus,
    Relationship,
    due_date,
)
from privacy.models.runs import PackageKind, PackageRun, PackageStatus

__all__ = [
    "PERMISSION",
    "AccessRequest",
    "AccessRequestStatus",
    "CorrectionRequest",
    "CorrectionStatus",
    "DisagreementStatement",
    "DownloadChunk",
    "DownloadLink",
    "Ownership",
    "PackageKind",
    "PackageRun",
    "PackageStatus",
    "Relationship",
    "due_date",
]
