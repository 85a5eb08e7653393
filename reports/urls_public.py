"""The open quality report, mounted at /kvalitet/."""

from django.urls import path, register_converter

from reports import public_views


class PeriodConverter:
    regex = r"[0-9]{4}-(?:0[1-9]|1[0-2])"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PeriodConverter, "period")

app_name = "reports_public"
urlpatterns = [
    path("", public_views.report_index, name="index"),
    path("dcat.jsonld", public_views.dcat, name="dcat"),
    path("<period:period>/", public_views.report_detail, name="report"),
    path("<period:period>.pdf", public_views.report_pdf, name="report_pdf"),
    path("<period:period>.csv", public_views.report_csv, name="report_csv"),
    path("<period:period>.json", public_views.report_json, name="report_json"),
]
