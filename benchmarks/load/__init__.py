"""`make load`: Insights served as production serves it, driven by concurrent signed-in educators.

benchmarks/load/__main__.py starts gunicorn and the job worker on a seeded district, runs Locust
headless (locustfile.py) for a steady phase and a phase that restarts PostgreSQL under load, and
checks the run (checks.py): no errors outside the outage, one audit row for every request that
touched student data, every note write that answered success stored exactly once.
"""
