"""The API's cursor pagination: pages follow a stable key, so a list read while it changes neither skips
nor repeats rows, and a page costs one query however deep it is (no OFFSET, no COUNT).

A view names its key in ``cursor_ordering`` (the first field decides the position and should be unique
or nearly so, such as the primary key); the default is the primary key, newest first.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination

MAX_PAGE_SIZE = 100


class StableCursorPagination(CursorPagination):
    ordering = ("-id",)
    page_size = 25
    page_size_query_param = "page_size"
    page_size_query_description = _("Number of results per page (1–100, default 25).")
    max_page_size = MAX_PAGE_SIZE
    cursor_query_description = _("The cursor of the page, from a previous response's next or previous link.")
    invalid_cursor_message = _("Invalid cursor.")

    def get_ordering(self, request, queryset, view):
        ordering = getattr(view, "cursor_ordering", None) or self.ordering
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)

    def get_page_size(self, request):
        """Return the page size asked for; one outside 1–100 (or not a number) is a 400, not ignored."""
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        value = values[-1].strip()
        if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= self.max_page_size:
            raise serializers.ValidationError(
                {self.page_size_query_param: [_("Give a whole number from 1 to 100.")]}
            )
        return int(value)

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, OverflowError, ValidationError):
            # A cursor whose position does not fit the key (edited by hand): as DRF answers a bad cursor.
            raise NotFound(self.invalid_cursor_message) from None

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters
