"""Turn configuration errors at start-up into one clear line instead of a traceback."""

import sys
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")


def run_or_explain(start: Callable[[], T]) -> T:
    """Call start(); on a configuration error print one line to stderr and exit with status 1."""
    try:
        return start()
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"servicedesk: configuration error: {exc}\n")
        raise SystemExit(1) from None
