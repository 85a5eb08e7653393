"""A paginator that stops counting: lists show "more than 1,000" instead of counting every match.

Counting all matches of a broad search or filter costs a full pass over them (on 100,000 tickets,
most of a search's time), while nobody pages past the first few pages of such a list.
"""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    cap = 1000

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.capped = False

    def _queryset(self) -> QuerySet | None:
        rows = self.object_list
        if isinstance(rows, QuerySet):
            return rows
        # django-tables2 pages over its bound rows, whose data wraps the queryset.
        data = getattr(getattr(rows, "data", None), "data", None)
        return data if isinstance(data, QuerySet) else None

    @cached_property
    def count(self) -> int:
        queryset = self._queryset()
        counted = (
            queryset.order_by()[: self.cap + 1].count() if queryset is not None else len(self.object_list)
        )
        self.capped = counted > self.cap
        return min(counted, self.cap)
