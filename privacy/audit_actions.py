"""The privacy office's pages and commands in plain words, for the access reports (settings.AUDIT_ACTION_WORDS)."""

ACTION_WORDS = {
    "admin:privacy_download": "downloaded a privacy-office file (family's record or notification package)",
    "admin:privacy_family_record": "asked for the family's record (privacy office)",
    "admin:privacy_breach_package": "asked for a breach notification package (privacy office)",
    "admin:privacy_correction_decide": "decided a request to correct the record (privacy office)",
    "privacy_family_record": "asked for the family's record (privacy office)",
    "privacy_family_record_job": "exported the family's record (privacy office)",
    "privacy_breach_package": "asked for a breach notification package (privacy office)",
    "privacy_correction": "logged a request to correct the record (privacy office)",
    "privacy_correction_decide": "decided a request to correct the record (privacy office)",
    "privacy_statement": "filed a statement of disagreement with the record (privacy office)",
    "privacy_breach_package_job": "exported a breach notification package (privacy office)",
}
