"""``manage.py import_catalog FILE``: support groups, services and catalogue items from JSON."""

from django.core.management.base import BaseCommand, CommandError

from catalog.imports import import_catalog, read_catalog_file
from people.imports import ImportFileError


class Command(BaseCommand):
    help = (
        "Import support groups, services and catalogue items (with their order questions) from a JSON "
        "file, upserting by code. Bad rows are reported and skipped. See docs/imports.md."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="A .json file with support_groups, services and items.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would change, and save nothing."
        )

    def handle(self, *args, **options) -> None:
        try:
            data = read_catalog_file(options["file"])
            report = import_catalog(data, dry_run=options["dry_run"])
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
