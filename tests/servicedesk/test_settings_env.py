"""The settings refuse unsafe production configurations and apply secure defaults."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECRET_KEY", "DEBUG", "SECURE_"))
    }
    # Each test states the deployment it means; the CI run's own database and Redis must not leak in.
    for name in ("ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"):
        base.pop(name, None)
    base["DJANGO_SETTINGS_MODULE"] = "servicedesk.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 20 + "-a-long-and-random-production-secret-" + "y" * 20,
    "ALLOWED_HOSTS": "servicedesk.eksempel.kommune.no",
}


def test_missing_secret_key_fails_with_one_line():
    result = run_manage("check", DEBUG="0")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SECRET_KEY must be set" in lines[0]
    assert "Traceback" not in result.stderr


def test_malformed_boolean_is_explained():
    result = run_manage("check", DEBUG="maybe")
    assert result.returncode == 1
    assert "DEBUG must be a boolean" in result.stderr
    assert "Traceback" not in result.stderr


def test_deploy_check_passes_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("SECURE_SSL_REDIRECT", None, "True"),
        ("SECURE_HSTS_SECONDS", None, "31536000"),
        ("SESSION_COOKIE_SECURE", None, "True"),
        ("CSRF_COOKIE_SECURE", None, "True"),
        ("SECURE_REFERRER_POLICY", None, "same-origin"),
        ("SECURE_SSL_REDIRECT", "0", "False"),
        ("SECURE_HSTS_SECONDS", "0", "0"),
    ],
)
def test_secure_defaults_and_relaxing_them(name, value, expected):
    env = dict(PRODUCTION)
    if value is not None:
        env[name] = value
    result = run_manage("shell", "-c", f"from django.conf import settings; print(settings.{name})", **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def test_proxy_header_is_opt_in():
    code = "from django.conf import settings; print(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None))"
    assert run_manage("shell", "-c", code, **PRODUCTION).stdout.strip().splitlines()[-1] == "None"
    relaxed = run_manage("shell", "-c", code, SECURE_PROXY_SSL_HEADER="1", **PRODUCTION)
    assert "HTTP_X_FORWARDED_PROTO" in relaxed.stdout


def test_database_and_redis_come_from_the_environment():
    code = (
        "from django.conf import settings; print(settings.DATABASES['default']['ENGINE']); "
        "print(settings.CHANNEL_LAYERS['default']['BACKEND']); print(settings.CACHES['default']['BACKEND'])"
    )
    embedded = run_manage("shell", "-c", code, **PRODUCTION).stdout.split()
    assert embedded[-3:] == [
        "django.db.backends.sqlite3",
        "channels.layers.InMemoryChannelLayer",
        "django.core.cache.backends.locmem.LocMemCache",
    ]
    scaled = run_manage(
        "shell",
        "-c",
        code,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/servicedesk",
        REDIS_URL="redis://127.0.0.1:6379/0",
        **PRODUCTION,
    ).stdout.split()
    assert scaled[-3:] == [
        "django.db.backends.postgresql",
        "channels_redis.core.RedisChannelLayer",
        "django.core.cache.backends.redis.RedisCache",
    ]
