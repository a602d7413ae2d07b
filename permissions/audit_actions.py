"""Access management's pages and jobs in plain words, for the access reports (settings.AUDIT_ACTION_WORDS)."""

ACTION_WORDS = {
    "grant_student_search": "looked the student up to grant someone access to them",
    "access_reviews_open": "opened the quarter's access reviews",
    "access_reviews_follow_up": "sent access-review reminders and expired unreviewed access",
    "permissions:access_reviews": "viewed their access reviews",
    "permissions:access_review": "viewed an access review",
    "permissions:access_review_decide": "kept or revoked a grant in an access review",
    "permissions:access_reviews_open": "asked for the access reviews to open",
    "permissions:unused_access": "viewed the unused-access report",
    "view_as_start": "began seeing Insights as another educator, for support",
    "view_as_stop": "stopped seeing Insights as another educator",
}
