"""manage.py sla_recompute [--since DATE] [--check]: rebuild every stored SLA clock from the ticket
timelines; with --check, change nothing and print the differences (exit status 1 when there are any)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sla.recompute import recompute


class Command(BaseCommand):
    help = "Rebuild the stored SLA clocks from the ticket timelines, or (--check) report the differences."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="Only tickets opened on or after this date (YYYY-MM-DD, Oslo).")
        parser.add_argument("--check", action="store_true", help="Change nothing; print the differences.")
        parser.add_argument("--limit", type=int, default=50, help="How many differences to print.")

    def handle(self, *args, since=None, check=False, limit=50, **options):
        start = None
        if since:
            try:
                day = dt.date.fromisoformat(since)
            except ValueError:
                raise CommandError(f"--since wants a date like 2026-01-31, not {since!r}.") from None
            start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        report = recompute(since=start, check=check)
        for difference in report.differences[:limit]:
            self.stdout.write(str(difference))
        if len(report.differences) > limit:
            self.stdout.write(f"… and {len(report.differences) - limit} more")
        verb = "checked" if check else "recomputed"
        self.stdout.write(
            f"{report.tickets} tickets, {report.clocks} clocks {verb}: "
            f"{len(report.differences)} differences"
            + ("" if check else f", {report.repaired} tickets repaired")
        )
        if check and report.differences:
            raise SystemExit(1)
