"""manage.py sla_sweep [--now INSTANT]: take every SLA warning and escalation step that is due but was
not taken (the workers were down, or the queue was lost); the same sweep runs every five minutes."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sla.escalation import sweep_steps


class Command(BaseCommand):
    help = "Take every SLA warning and escalation step that is due and was missed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", help="Sweep as of this instant (ISO 8601, e.g. 2026-03-02T09:00+01:00); default: now."
        )

    def handle(self, *args, now=None, **options):
        instant = timezone.now()
        if now:
            try:
                instant = dt.datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(
                    f"--now wants an instant like 2026-03-02T09:00+01:00, not {now!r}."
                ) from None
            if timezone.is_naive(instant):
                instant = timezone.make_aware(instant)
        fired = sweep_steps(now=instant)
        self.stdout.write(f"{fired} SLA escalation steps taken")
