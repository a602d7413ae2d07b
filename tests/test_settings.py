"""Production settings are safe by default and say clearly what is missing."""

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

PROJECT_DIR = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "false",
    "HTTPS": "true",
    "SECRET_KEY": "k" * 20 + "Qz7-production-like-secret-key-with-enough-entropy-9f3a",
    "ALLOWED_HOSTS": "insights.district.example",
    "DISTRICT_KEY": "somerville",
    "DISTRICT_NAME": "Somerville Public Schools",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {key: value for key, value in os.environ.items() if key in ("PATH", "DATABASE_URL", "HOME", "LANG")}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT_DIR, env={**base, **env}, capture_output=True, text=True
    )


def test_check_deploy_prints_no_warnings_in_production_settings():
    env = {**PRODUCTION_ENV, "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode()}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV, "SECRET_KEY": "", "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode()}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_encryption_keys():
    result = manage("check", env={**PRODUCTION_ENV, "FIELD_ENCRYPTION_KEYS": ""})
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set" in result.stderr


def test_a_malformed_boolean_is_a_clear_error():
    env = {**PRODUCTION_ENV, "DEBUG": "maybe", "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode()}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr
