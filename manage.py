#!/usr/bin/env python3
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    from django.core.management import execute_from_command_line

    from servicedesk.startup import run_or_explain

    def start() -> None:
        # Load settings eagerly so a configuration error is explained before any command runs.
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018
        execute_from_command_line(sys.argv)

    run_or_explain(start)


if __name__ == "__main__":
    main()
