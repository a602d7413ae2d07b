"""Nightly pulls of a district's SIS package from its SFTP server (a configured source, on a schedule)."""
