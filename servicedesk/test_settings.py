"""Settings for the test suite: production settings, with only what makes tests fast and local."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-for-django-checks-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("HUEY_IMMEDIATE", "1")
# Generous API rate limits in tests; the throttling test sets its own.
os.environ.setdefault("API_THROTTLE_RATE", "100000/min")
os.environ.setdefault("API_THROTTLE_RATE_ANON", "100000/min")

from servicedesk.settings import *  # noqa: F403
from servicedesk.settings import STORAGES

# Tests speak plain HTTP to the test client and the live server.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Parallel runs (pytest-xdist): each worker has its own test database (pytest-django names it after
# the worker); with Redis, its own cache keys, channel-layer groups and job queue, so two workers
# sharing one Redis database never see each other's entries.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _WORKER and REDIS_URL:  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = _WORKER  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"asgi-{_WORKER}"  # noqa: F405
    HUEY["name"] = f"{HUEY['name']}-{_WORKER}"  # noqa: F405
