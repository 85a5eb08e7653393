"""The shape the demo-history commands share (seed_incidents, seed_orders): the same options, the same
checks and the same way of reporting, around each app's own generator.

It lives beside seed_demo, which runs both: every app that seeds history already depends on people,
so neither app's command has to import the other's.
"""

from __future__ import annotations

import datetime as dt
from types import ModuleType

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


def parse_now(value: str) -> dt.datetime:
    """Return the --now option as an aware datetime; a time without an offset is local time."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--now must be an ISO 8601 date and time, e.g. 2026-03-18T14:30: {exc}") from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class DemoHistoryCommand(BaseCommand):
    """Run a demo generator module: ``generate(now=, count=)``, ``DEFAULT_COUNT`` and ``DemoDataMissing``.

    Subclasses set ``generator``, ``count_help`` (with ``{default}`` for the default count) and
    ``nothing_to_do``, and write their own summary in ``report(result)``.
    """

    generator: ModuleType
    count_help: str
    nothing_to_do: str

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--now",
            type=parse_now,
            help="Reference time (ISO 8601; local time if no offset). The history ends here. Default: now.",
        )
        parser.add_argument(
            "--count",
            type=int,
            default=self.generator.DEFAULT_COUNT,
            help=self.count_help.format(default=self.generator.DEFAULT_COUNT),
        )
        parser.add_argument("--quiet", action="store_true", help="Print nothing except errors.")

    def handle(self, *args, **options) -> None:
        if options["count"] < 1:
            raise CommandError("--count must be positive.")
        from sla.recompute import recompute
        from sla.services import clocks_deferred

        # A history is an import: its SLA clocks are rebuilt once at the end, from the timelines it wrote,
        # the way sla_recompute rebuilds them after any import (far faster than clock by clock).
        try:
            with clocks_deferred():
                result = self.generator.generate(now=options["now"], count=options["count"])
        except self.generator.DemoDataMissing as exc:
            raise CommandError(str(exc)) from None
        if not result.skipped:
            from django.utils import timezone

            from sla.escalation import record_past_steps

            recompute()
            # The history's past escalations are recorded as taken (not sent), then the clocks brought
            # up to them: the same as if the workers had run through the year.
            if record_past_steps(now=options["now"] or timezone.now()):
                recompute()
        if options["quiet"] or options["verbosity"] == 0:
            return
        if result.skipped:
            self.stdout.write(self.nothing_to_do)
            return
        self.report(result)

    def report(self, result) -> None:
        """Write what the generator made to stdout."""
        raise NotImplementedError
