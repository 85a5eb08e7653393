"""``manage.py import_people FILE``: employees and organisation units from the HR/identity master."""

from django.core.management.base import BaseCommand, CommandError

from people.imports import ImportFileError, import_people, read_people_file


class Command(BaseCommand):
    help = (
        "Import organisation units and people from a JSON or CSV file (upsert by unit code and employee "
        "number). Bad rows are reported and skipped. See docs/imports.md."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="A .json file (org_units and people) or a .csv file (people).")
        parser.add_argument(
            "--full",
            action="store_true",
            help="The file lists everyone: deactivate active people with an employee number who are not in "
            "it (never superusers or service accounts; nobody is deleted).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would change, and save nothing."
        )

    def handle(self, *args, **options) -> None:
        try:
            data = read_people_file(options["file"])
            report = import_people(data, full=options["full"], dry_run=options["dry_run"])
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
