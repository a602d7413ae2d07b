"""The fictional demo district (seed_demo)."""

BATCH_SIZE = 5000  # rows per bulk INSERT
