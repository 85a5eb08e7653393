"""Compute a month's quality report draft; print its JSON or publish it as the system."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports import exports, services


class Command(BaseCommand):
    help = "Compute the quality report draft of a month (YYYY-MM); --json prints it, --publish publishes it."

    def add_arguments(self, parser):
        parser.add_argument("period", help="The month, YYYY-MM.")
        parser.add_argument("--json", action="store_true", help="Print the JSON document to stdout.")
        parser.add_argument("--publish", action="store_true", help="Publish the draft as the system.")
        parser.add_argument(
            "--correct", metavar="REASON", help="Open a correction (a new revision) of a published month."
        )

    def handle(self, *args, period, json, publish, correct, **options):
        now = timezone.now()
        try:
            year, month = services.parse_period(period)
            if correct:
                report = services.report_correct(period, actor=None, reason=correct, now=now)
            else:
                report = services.report_draft(year, month, now=now)
            if publish:
                report = services.report_publish(report, actor=None, now=now)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if json:
            if report.is_published:
                self.stdout.write(report.document, ending="")
            else:
                document = exports.build_document(report, organisation=services.organisation_name())
                self.stdout.write(exports.document_text(document), ending="")
        else:
            self.stderr.write(f"{report}")
