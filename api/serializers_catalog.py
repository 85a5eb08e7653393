"""Read serializers for services, catalogue items and assets: only what the web pages show."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from catalog.models import Asset, CatalogItem, Service


class ServiceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    support_group = serializers.SlugRelatedField(slug_field="code", read_only=True)
    support_group_name = serializers.CharField(source="support_group.name", read_only=True)
    public = serializers.BooleanField(source="in_public_report", read_only=True)

    class Meta:
        model = Service
        fields = [
            "url",
            "code",
            "name_nb",
            "name_en",
            "description_nb",
            "description_en",
            "category",
            "category_name",
            "state",
            "criticality",
            "availability_target",
            "public",
            "owner",
            "support_group",
            "support_group_name",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, service: Service) -> str:
        return reverse("api:service-detail", args=[service.code], request=self.context.get("request"))


class CatalogItemSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    service = serializers.SlugRelatedField(slug_field="code", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)

    class Meta:
        model = CatalogItem
        fields = [
            "url",
            "code",
            "service",
            "service_name",
            "kind",
            "name_nb",
            "name_en",
            "summary_nb",
            "summary_en",
            "description_nb",
            "description_en",
            "price",
            "lead_time_days",
            "max_quantity",
            "approval_policy",
            "state",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, item: CatalogItem) -> str:
        return reverse("api:catalogitem-detail", args=[item.code], request=self.context.get("request"))


class AssetSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    item = serializers.SlugRelatedField(slug_field="code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    holder = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    notes = serializers.SerializerMethodField()

    class Meta:
        model = Asset
        fields = [
            "url",
            "asset_tag",
            "serial_number",
            "item",
            "item_name",
            "holder",
            "state",
            "delivered_on",
            "warranty_end",
            "notes",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, asset: Asset) -> str:
        return reverse("api:asset-detail", args=[asset.asset_tag], request=self.context.get("request"))

    @extend_schema_field({"type": "string", "nullable": True})
    def get_notes(self, asset: Asset) -> str | None:
        # The desk's internal notes: the asset page shows them only to those who manage the register.
        request = self.context.get("request")
        if request is not None and request.user.has_perm("catalog.manage_assets"):
            return asset.notes
        return None
