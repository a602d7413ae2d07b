"""The privacy office's pages and commands in plain words, for the access reports (settings.AUDIT_ACTION_WORDS)."""

ACTION_WORDS = {
    "admin:privacy_download": "downloaded a privacy-office file (family's record or notification package)",
}
