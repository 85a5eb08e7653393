"""Read serializers for the people directory and the organisation tree: no passwords, no login data."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from people.models import OrgUnit, User


class PersonSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    full_name = serializers.CharField(source="get_full_name", read_only=True)
    org_unit = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    org_unit_name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "url",
            "username",
            "first_name",
            "last_name",
            "full_name",
            "email",
            "phone",
            "job_title",
            "office_location",
            "employee_number",
            "org_unit",
            "org_unit_name",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, person: User) -> str:
        return reverse("api:person-detail", args=[person.username], request=self.context.get("request"))

    @extend_schema_field({"type": "string", "nullable": True})
    def get_org_unit_name(self, person: User) -> str | None:
        return person.org_unit.name if person.org_unit_id else None


class OrgUnitSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    manager = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = OrgUnit
        fields = ["url", "code", "name", "kind", "parent", "manager", "cost_centre"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, unit: OrgUnit) -> str:
        return reverse("api:orgunit-detail", args=[unit.code], request=self.context.get("request"))
