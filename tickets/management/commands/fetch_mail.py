"""manage.py fetch_mail [--maildir PATH]: import new email into tickets from the configured mailbox (a
Maildir folder, an IMAP mailbox, or both) or from the Maildir folder given; the same fetch runs on a
schedule when a mailbox is configured."""

from django.core.management.base import BaseCommand, CommandError

from tickets.inbound_mail import MailboxError, fetch_configured, fetch_maildir, mailbox_configured


class Command(BaseCommand):
    help = "Import new email into tickets from the configured mailbox or a Maildir folder."

    def add_arguments(self, parser):
        parser.add_argument("--maildir", help="Read this Maildir folder instead of the configured mailbox.")

    def handle(self, *args, maildir=None, **options):
        try:
            if maildir:
                summary = fetch_maildir(maildir)
            elif mailbox_configured():
                summary = fetch_configured()
            else:
                raise CommandError(
                    "No mailbox is configured: set INBOUND_MAIL_MAILDIR or INBOUND_MAIL_IMAP_HOST, "
                    "or give --maildir PATH."
                )
        except (FileNotFoundError, MailboxError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(summary))
