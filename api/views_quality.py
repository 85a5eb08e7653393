"""The published quality figures in the API: the list of published months and each month's JSON document.

Open to everyone, like the open quality report at /kvalitet/: the document is the published file, byte
for byte, never a live recomputation.
"""

from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.urls import reverse as url_reverse
from django.utils.cache import patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from api.views_catalog import ERRORS, LIST_ERRORS, ApiCursorPagination
from reports.models import QualityReport
from reports.public_views import _report_or_404

# Months as the open report spells them: YYYY-MM.
PERIOD_REGEX = r"[0-9]{4}-(?:0[1-9]|1[0-2])"
PUBLIC_ERRORS = {code: ERRORS[code] for code in (401, 404, 429)}


class QualityLinksSerializer(serializers.Serializer):
    page = serializers.URLField(help_text="The month's public web page.")
    json = serializers.URLField(help_text="The JSON document as a file download.")
    csv = serializers.URLField(help_text="The figures as CSV.")
    pdf = serializers.URLField(help_text="The report as PDF.")


class QualityPeriodSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = QualityReport
        fields = ["period", "revision", "published_at", "url", "links"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, report: QualityReport) -> str:
        return reverse("api:quality-detail", args=[report.period], request=self.context.get("request"))

    @extend_schema_field(QualityLinksSerializer)
    def get_links(self, report: QualityReport) -> dict[str, str]:
        request = self.context.get("request")
        suffix = f"?revision={report.revision}"

        def absolute(name: str) -> str:
            path = url_reverse(name, args=[report.period]) + suffix
            return request.build_absolute_uri(path) if request is not None else path

        return {
            "page": absolute("reports_public:report"),
            "json": absolute("reports_public:report_json"),
            "csv": absolute("reports_public:report_csv"),
            "pdf": absolute("reports_public:report_pdf"),
        }


class QualityDocumentSerializer(serializers.Serializer):
    """The top-level keys of the published document (reports/schema/quality-report.schema.json has every key)."""

    period = serializers.CharField()
    revision = serializers.IntegerField(min_value=1)
    generated_at = serializers.CharField()
    published_at = serializers.CharField(allow_null=True)
    publisher = serializers.CharField()
    licence = serializers.DictField()
    correction_reason = serializers.CharField(allow_null=True)
    commentary = serializers.DictField(child=serializers.CharField())
    tickets = serializers.DictField()
    sla = serializers.DictField()
    resolution_hours = serializers.DictField()
    first_contact_resolution_pct = serializers.FloatField(allow_null=True)
    reopen_rate_pct = serializers.FloatField(allow_null=True)
    csat = serializers.DictField()
    availability = serializers.ListField(child=serializers.DictField())
    changes = serializers.DictField()
    requests = serializers.ListField(child=serializers.DictField())
    by_service = serializers.ListField(child=serializers.DictField())
    by_group = serializers.ListField(child=serializers.DictField())


def published_latest_revisions():
    """Return each published month's latest published revision, without the stored files."""
    published = QualityReport.objects.filter(state=QualityReport.State.PUBLISHED)
    later = published.filter(period=OuterRef("period"), revision__gt=OuterRef("revision"))
    return published.exclude(Exists(later)).defer("pdf", "document", "figures")


class QualityPagination(ApiCursorPagination):
    ordering = "-period"


@extend_schema(
    tags=["quality"],
    responses={200: QualityPeriodSerializer(many=True), 400: LIST_ERRORS[400], **PUBLIC_ERRORS},
)
class QualityPeriodList(generics.ListAPIView):
    """The published months, newest first, each with its latest revision and links to its files."""

    permission_classes = [permissions.AllowAny]
    serializer_class = QualityPeriodSerializer
    pagination_class = QualityPagination

    def get_queryset(self):
        return published_latest_revisions()


@extend_schema(
    tags=["quality"],
    parameters=[
        OpenApiParameter(
            "period",
            str,
            OpenApiParameter.PATH,
            pattern=f"^{PERIOD_REGEX}$",
            description="The month, YYYY-MM.",
        ),
        OpenApiParameter(
            "revision", int, description="A published revision; the latest when not given.", required=False
        ),
    ],
    responses={
        200: OpenApiResponse(
            QualityDocumentSerializer, description="The published JSON document of the month, byte for byte."
        ),
        **PUBLIC_ERRORS,
    },
)
class QualityDocument(APIView):
    """One month's published quality figures: the same bytes as /kvalitet/YYYY-MM.json."""

    permission_classes = [permissions.AllowAny]

    def get(self, request, period: str):
        report = _report_or_404(request, period, light=True)
        response = HttpResponse(report.document.encode(), content_type="application/json; charset=utf-8")
        response["Access-Control-Allow-Origin"] = "*"
        response["ETag"] = f'"{report.content_hash}"'
        patch_cache_control(response, public=True, max_age=600)
        return response
