"""Read-only API for services, catalogue items and assets, scoped by the same selectors as the web pages.

Also holds what the read endpoints share: cursor pagination, the rule-based permission and the error
responses every endpoint documents.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, viewsets

from api.pagination import StableCursorPagination
from api.permissions import TokenScopes
from api.serializers_catalog import AssetSerializer, CatalogItemSerializer, ServiceSerializer
from catalog import selectors
from catalog.models import Asset, CatalogItem, Service

# Path segments are matched loosely so that an unknown key is the API's JSON 404, not the site's HTML page.
LOOKUP_REGEX = r"[^/]+"


# One paginator for the whole API (api/pagination.py); each list orders by its own key.
ApiCursorPagination = StableCursorPagination


class StrictBooleanField(forms.NullBooleanField):
    """A query-string boolean that refuses anything but true/false (django-filter would ignore it)."""

    def to_python(self, value):
        if value is None:
            return None
        if value in (True, "true"):
            return True
        if value in (False, "false"):
            return False
        raise forms.ValidationError(_("Use true or false."), code="invalid")

    def validate(self, value):
        return None


class StrictChoiceField(forms.ChoiceField):
    """A query-string choice where an empty value is an error, not "no filter" (the schema has no "")."""

    def to_python(self, value):
        if value == "":
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": ""}
            )
        return "" if value is None else str(value)


class StrictChoiceFilter(filters.ChoiceFilter):
    field_class = StrictChoiceField


class StrictBooleanFilter(filters.BooleanFilter):
    """A boolean filter with a plain text widget: the usual one turns an unknown value into "no filter"."""

    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs["widget"] = forms.TextInput
        super().__init__(*args, **kwargs)


class HasRulePermission(permissions.BasePermission):
    """Allow the request when the user holds the view's ``permission_required`` (a ``rules`` permission)."""

    def has_permission(self, request, view) -> bool:
        perm = getattr(view, "permission_required", None)
        return perm is None or request.user.has_perm(perm)


# The settings' defaults plus the view's rule: signed in (or a token), the token's scope, the user's rule.
READ_PERMISSIONS = [permissions.IsAuthenticated, TokenScopes, HasRulePermission]


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=OpenApiTypes.OBJECT, description=description)


ERRORS = {
    401: _error("No valid credentials: send `Authorization: Bearer <token>` or sign in."),
    403: _error("The user may not see this, or the token lacks the scope."),
    404: _error("Not found, or not visible to this user; also for an invalid cursor."),
    429: _error("Too many requests; retry after the seconds in the `Retry-After` header."),
}
LIST_ERRORS = {400: _error("A filter has an invalid value; the body names the parameter."), **ERRORS}


def read_schema(serializer, *, tags: list[str]):
    """Return the extend_schema_view decorator for a read-only viewset: its responses for list and retrieve."""
    return extend_schema_view(
        list=extend_schema(tags=tags, responses={200: serializer(many=True), **LIST_ERRORS}),
        retrieve=extend_schema(tags=tags, responses={200: serializer, **ERRORS}),
    )


# --- Services ----------------------------------------------------------------------------------------


class ServiceFilter(filters.FilterSet):
    state = StrictChoiceFilter(choices=Service.State.choices)
    public = StrictBooleanFilter(field_name="in_public_report")
    group = filters.CharFilter(field_name="support_group__code", help_text="Support group code.")
    category = filters.CharFilter(field_name="category__code", help_text="Category code.")

    class Meta:
        model = Service
        fields = ["state", "public", "group", "category"]


@read_schema(ServiceSerializer, tags=["catalog"])
class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    """Services: every state for the people who run services, live ones for everyone else."""

    permission_classes = READ_PERMISSIONS
    serializer_class = ServiceSerializer
    pagination_class = type("ServicePagination", (ApiCursorPagination,), {"ordering": "code"})
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = ServiceFilter
    permission_required = "catalog.list_services"
    lookup_field = "code"
    lookup_value_regex = LOOKUP_REGEX
    queryset = Service.objects.none()

    def get_queryset(self):
        return selectors.services_visible_to(user=self.request.user)


# --- Catalogue items ---------------------------------------------------------------------------------


class CatalogItemFilter(filters.FilterSet):
    kind = StrictChoiceFilter(choices=CatalogItem.Kind.choices)
    service = filters.CharFilter(field_name="service__code", help_text="Service code.")
    state = StrictChoiceFilter(choices=CatalogItem.State.choices)

    class Meta:
        model = CatalogItem
        fields = ["kind", "service", "state"]


@read_schema(CatalogItemSerializer, tags=["catalog"])
class CatalogItemViewSet(viewsets.ReadOnlyModelViewSet):
    """Catalogue items: the portal's orderable items for the user; every item for catalogue administrators."""

    permission_classes = READ_PERMISSIONS
    serializer_class = CatalogItemSerializer
    pagination_class = type("CatalogItemPagination", (ApiCursorPagination,), {"ordering": "code"})
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = CatalogItemFilter
    permission_required = "servicedesk.use_portal"
    lookup_field = "code"
    lookup_value_regex = LOOKUP_REGEX
    queryset = CatalogItem.objects.none()

    def get_queryset(self):
        user = self.request.user
        if user.has_perm("catalog.view_catalogitem"):
            return selectors.items_for_admin()
        return selectors.items_visible_to(user=user)


# --- Assets ------------------------------------------------------------------------------------------


class AssetFilter(filters.FilterSet):
    state = StrictChoiceFilter(choices=Asset.State.choices)
    item = filters.CharFilter(field_name="item__code", help_text="Catalogue item code.")
    holder = filters.CharFilter(field_name="holder__username", help_text="The holder's username.")

    class Meta:
        model = Asset
        fields = ["state", "item", "holder"]


@read_schema(AssetSerializer, tags=["catalog"])
class AssetViewSet(viewsets.ReadOnlyModelViewSet):
    """Assets: the whole register for agents and administrators, one's own equipment for everyone else."""

    permission_classes = READ_PERMISSIONS
    serializer_class = AssetSerializer
    pagination_class = type("AssetPagination", (ApiCursorPagination,), {"ordering": "asset_tag"})
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = AssetFilter
    permission_required = "servicedesk.use_portal"
    lookup_field = "asset_tag"
    lookup_url_kwarg = "tag"
    lookup_value_regex = LOOKUP_REGEX
    queryset = Asset.objects.none()

    def get_queryset(self):
        return selectors.assets_visible_to(user=self.request.user)
