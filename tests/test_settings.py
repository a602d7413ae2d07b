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
    "EMAIL_HOST": "smtp.district.example",
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


def without(env: dict[str, str], *names: str) -> dict[str, str]:
    return {key: value for key, value in env.items() if key not in names}


def test_production_refuses_to_start_when_mail_would_only_be_printed_to_the_log():
    env = {**without(PRODUCTION_ENV, "EMAIL_HOST"), "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode()}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "insights.E002" in result.stderr
    assert "Set EMAIL_HOST" in result.stderr


def test_the_web_process_itself_refuses_to_start_without_real_mail():
    env = {**without(PRODUCTION_ENV, "EMAIL_HOST"), "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode()}
    base = {key: value for key, value in os.environ.items() if key in ("PATH", "DATABASE_URL", "HOME", "LANG")}
    command = [sys.executable, "-c", "import insights.wsgi"]
    refused = subprocess.run(command, cwd=PROJECT_DIR, env={**base, **env}, capture_output=True, text=True)
    assert refused.returncode != 0
    assert "insights.E002" in refused.stderr
    started = subprocess.run(
        command, cwd=PROJECT_DIR, env={**base, **env, "EMAIL_HOST": "smtp.district.example"}, capture_output=True
    )
    assert started.returncode == 0, started.stderr


def test_email_host_turns_on_smtp_with_its_settings():
    env = {
        **PRODUCTION_ENV,
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "EMAIL_PORT": "2525",
        "EMAIL_HOST_USER": "insights",
    }
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_USE_TLS)",
        env=env,
    )
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.district.example",
        "2525",
        "insights",
        "True",
    ]


def test_the_console_backend_is_allowed_with_debug_or_in_demo_mode():
    keys = {"FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode()}
    for mode in ({"DEMO_MODE": "true"}, {"DEBUG": "true"}):
        result = manage("check", env={**without(PRODUCTION_ENV, "EMAIL_HOST"), **keys, **mode})
        assert result.returncode == 0, result.stderr


def test_web_database_limits_default_under_herokus_30_second_router_timeout_and_follow_the_environment():
    env = {**PRODUCTION_ENV, "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode()}
    show = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS']['options'])"

    defaults = manage("shell", "-c", show, env=env)
    raised = manage(
        "shell", "-c", show, env={**env, "DATABASE_STATEMENT_TIMEOUT_SECONDS": "25", "DATABASE_TEMP_BUFFERS_MB": "64"}
    )

    assert (
        defaults.stdout.strip().splitlines()[-1]
        == "-c jit=off -c statement_timeout=20s -c lock_timeout=5s -c temp_buffers=256MB"
    )
    assert "-c statement_timeout=25s -c lock_timeout=5s -c temp_buffers=64MB" in raised.stdout


def test_sessions_are_read_from_redis_when_it_is_the_shared_cache_and_stay_database_rows_otherwise():
    env = {**PRODUCTION_ENV, "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode()}
    show = "from django.conf import settings as s; print(s.SESSION_ENGINE, s.CACHES['default']['BACKEND'])"
    with_redis = manage("shell", "--no-imports", "-c", show, env={**env, "REDIS_URL": "redis://127.0.0.1:6379/0"})
    without = manage("shell", "--no-imports", "-c", show, env=env)
    assert with_redis.stdout.split() == [
        "django.contrib.sessions.backends.cached_db",
        "django.core.cache.backends.redis.RedisCache",
    ]
    assert without.stdout.split() == [
        "django.contrib.sessions.backends.db",
        "django.core.cache.backends.db.DatabaseCache",
    ]
