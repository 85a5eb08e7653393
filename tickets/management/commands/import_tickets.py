"""``manage.py import_tickets FILE.jsonl``: the history of the previous service desk, one ticket per line."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tickets.imports import import_lines


class Command(BaseCommand):
    help = (
        "Import tickets with their status history from a JSON Lines file (upsert by external_id; "
        "re-running the same file changes nothing). Bad lines are reported and skipped. "
        "See docs/import-format.md."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="A .jsonl file: one JSON object (one ticket) per line.")

    def handle(self, *args, **options) -> None:
        try:
            with open(options["file"], encoding="utf-8") as handle:
                lines = handle.read().splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            message = _("Cannot read %(file)s: %(error)s") % {"file": options["file"], "error": exc}
            raise CommandError(message) from exc
        result = import_lines(lines)
        for error in result.errors:
            self.stderr.write(str(error))
        self.stdout.write(
            _("%(created)s created, %(unchanged)s unchanged, %(errors)s errors.")
            % {
                "created": len(result.created),
                "unchanged": len(result.unchanged),
                "errors": len(result.errors),
            }
        )
