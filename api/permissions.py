"""Scope checks for token requests.

A view states the scope each method needs in ``required_scopes`` (a mapping from HTTP method to scope;
safe methods default to ``read``). A browser session carries every scope: the user's own permissions,
checked by the view and its selectors, are the limit there, exactly as in the web UI.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.models import ApiToken, Scope


def required_scope(view, method: str) -> str | None:
    scopes = getattr(view, "required_scopes", {}) or {}
    if method in scopes:
        return scopes[method]
    if method in SAFE_METHODS:
        return Scope.READ
    return scopes.get("*")


class TokenScopes(BasePermission):
    message = "This token does not carry the scope this request needs."

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        scope = required_scope(view, request.method)
        if scope is None:
            # A write the view did not declare a scope for is refused for tokens, never allowed by default.
            return token.has_scope(Scope.ADMIN)
        self.message = f"This token needs the scope '{scope}'."
        return token.has_scope(scope)
