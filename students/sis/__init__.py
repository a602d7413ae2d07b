"""The SIS import: readers per format, the staged pipeline, guards, and the import history.

A package (a folder or zip of CSV files) is received and stored encrypted (runs.py), checked and
parsed as a stream (reader.py), copied into staging tables and applied in one transaction
(pipeline.py, targets.py), held by guards when it would change too much (guards.py), and shown
in the admin with its counts, timings and row errors (admin.py).
"""
