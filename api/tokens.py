"""Creating, finding and revoking API tokens (the domain functions; views and the command call these)."""

import datetime as dt
import hashlib
import hmac
import secrets

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken, Scope

TOKEN_PREFIX = "sd"  # noqa: S105 - a label, not a secret
# last_used_at is written at most this often per token, so reads do not turn into writes.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def clean_scopes(scopes) -> list[str]:
    """Return the scopes as a sorted list without duplicates; unknown or no scopes raise ValidationError."""
    if isinstance(scopes, str):
        scopes = [s.strip() for s in scopes.split(",") if s.strip()]
    scopes = sorted(set(scopes))
    unknown = [s for s in scopes if s not in Scope.values]
    if unknown:
        raise ValidationError(
            {"scopes": _("Unknown scope: %(scopes)s.") % {"scopes": ", ".join(unknown)}}, code="unknown"
        )
    if not scopes:
        raise ValidationError({"scopes": _("Choose at least one scope.")}, code="required")
    return scopes


@transaction.atomic
def token_create(*, user, name: str, scopes, created_by=None, days: int | None = None, now=None):
    """Create a token for ``user``; return ``(token, plain_text)``. The plain text is never stored."""
    now = now or timezone.now()
    scopes = clean_scopes(scopes)
    if Scope.ADMIN in scopes and not (user.is_superuser or user.has_perm("people.change_user")):
        raise ValidationError({"scopes": _("Only administrators may hold the admin scope.")}, code="admin")
    if days is not None and days < 1:
        raise ValidationError({"days": _("A token must be valid for at least one day.")}, code="min")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    plain = f"{TOKEN_PREFIX}_{prefix}_{secret}"
    token = ApiToken.objects.create(
        user=user,
        name=(name or "").strip()[:100] or _("API token"),
        prefix=prefix,
        key_hash=_hash(plain),
        scopes=scopes,
        created_by=created_by or user,
        created_at=now,
        expires_at=now + dt.timedelta(days=days) if days else None,
    )
    return token, plain


def token_authenticate(plain: str, *, now=None) -> ApiToken | None:
    """Return the active token for ``plain``, or None. Records when the token was last used."""
    parts = plain.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash(plain)):
        return None
    now = now or timezone.now()
    if not token.is_active(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_revoke(*, token: ApiToken, now=None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def tokens_of(*, user) -> models.QuerySet[ApiToken]:
    """Return the user's tokens, newest first, revoked and expired ones included."""
    return ApiToken.objects.filter(user=user).select_related("created_by").order_by("-created_at", "-id")


def tokens_revocable_by(*, user) -> models.QuerySet[ApiToken]:
    """Return the tokens the user may revoke: their own, and every token for an administrator."""
    from people.rules import is_administrator, is_employee

    if (is_employee & is_administrator)(user):
        return ApiToken.objects.all()
    return ApiToken.objects.filter(user=user)


def service_accounts_with_tokens():
    """Return the active service accounts, each with its tokens prefetched (newest first)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Prefetch

    tokens = ApiToken.objects.select_related("created_by").order_by("-created_at", "-id")
    return (
        get_user_model()
        .objects.filter(is_service_account=True, is_active=True)
        .prefetch_related(Prefetch("api_tokens", queryset=tokens))
        .order_by("username")
    )
