"""Create an API token for a user or service account and print only the token (for scripts and set-up)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from api.models import Scope
from api.tokens import token_create


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print only the token. It cannot be shown again."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--scopes",
            required=True,
            help=f"Comma-separated scopes: {', '.join(Scope.values)}.",
        )
        parser.add_argument("--days", type=int, default=None, help="Days until it expires (default: never).")
        parser.add_argument("--name", default="", help="What the token is for (default: 'API token').")

    def handle(self, *args, username, scopes, days, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user with the username '{username}'.")
        if not user.is_active:
            raise CommandError(f"The user '{username}' is not active.")
        try:
            _token, plain = token_create(user=user, name=name or "API token", scopes=scopes, days=days)
        except ValidationError as exc:
            messages = [f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items()]
            raise CommandError("; ".join(messages)) from exc
        self.stdout.write(plain)
