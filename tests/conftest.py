"""Shared fixtures: every test runs against the real PostgreSQL started by `make test`."""
