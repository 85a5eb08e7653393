"""Read-only API for the people directory and the organisation tree: agents, group leads and
administrators only (the ``people.view_directory`` rule), as in the web UI."""

from django.http import Http404
from django_filters import rest_framework as filters
from rest_framework import viewsets

from api.serializers_people import OrgUnitSerializer, PersonSerializer
from api.views_catalog import (
    LOOKUP_REGEX,
    READ_PERMISSIONS,
    ApiCursorPagination,
    StrictChoiceFilter,
    read_schema,
)
from people.models import OrgUnit, User


class PersonFilter(filters.FilterSet):
    org_unit = filters.CharFilter(field_name="org_unit__code", help_text="Organisation unit code.")

    class Meta:
        model = User
        fields = ["org_unit"]


@read_schema(PersonSerializer, tags=["people"])
class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    """Active people (service accounts are not people); one person by username or employee number."""

    permission_classes = READ_PERMISSIONS
    serializer_class = PersonSerializer
    pagination_class = type("PersonPagination", (ApiCursorPagination,), {"ordering": "username"})
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = PersonFilter
    permission_required = "people.view_directory"
    lookup_field = "username"
    lookup_value_regex = LOOKUP_REGEX
    queryset = User.objects.none()

    def get_queryset(self):
        return User.objects.filter(is_active=True, is_service_account=False).select_related("org_unit")

    def get_object(self):
        key = self.kwargs["username"]
        people = self.get_queryset()
        # A username wins over an employee number that happens to spell the same.
        person = people.filter(username=key).first() or people.filter(employee_number=key).first()
        if person is None:
            raise Http404
        self.check_object_permissions(self.request, person)
        return person


class OrgUnitFilter(filters.FilterSet):
    kind = StrictChoiceFilter(choices=OrgUnit.Kind.choices)
    parent = filters.CharFilter(field_name="parent__code", help_text="The parent unit's code.")

    class Meta:
        model = OrgUnit
        fields = ["kind", "parent"]


@read_schema(OrgUnitSerializer, tags=["people"])
class OrgUnitViewSet(viewsets.ReadOnlyModelViewSet):
    """The organisation tree: sectors, departments and units, each with its parent and manager."""

    permission_classes = READ_PERMISSIONS
    serializer_class = OrgUnitSerializer
    pagination_class = type("OrgUnitPagination", (ApiCursorPagination,), {"ordering": "code"})
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = OrgUnitFilter
    permission_required = "people.view_directory"
    lookup_field = "code"
    lookup_value_regex = LOOKUP_REGEX
    queryset = OrgUnit.objects.none()

    def get_queryset(self):
        return OrgUnit.objects.select_related("parent", "manager")
