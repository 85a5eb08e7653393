"""The review pages of the quality report, mounted at /dashboard/report/ (reports.publish only)."""

from django.urls import path

from reports import views_review

app_name = "reports"
urlpatterns = [
    path("", views_review.review_list, name="review_list"),
    path("<str:period>/", views_review.review, name="review"),
    path("<str:period>/draft/", views_review.draft, name="draft"),
    path("<str:period>/publish/", views_review.publish, name="publish"),
    path("<str:period>/correct/", views_review.correct, name="correct"),
    path("<str:period>/preview.<str:kind>", views_review.preview_file, name="preview_file"),
]
