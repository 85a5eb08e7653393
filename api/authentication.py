"""DRF authentication by ``Authorization: Bearer <token>``."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from api.tokens import token_authenticate


class BearerTokenAuthentication(BaseAuthentication):
    """Authenticate with an API token; ``request.auth`` is then the ``ApiToken``.

    Requests without a bearer header fall through to the next class (the browser's session).
    """

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid Authorization header: expected 'Bearer <token>'.")
            )
        try:
            plain = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = token_authenticate(plain)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        return (token.user, token)

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
