"""Pagination for very large lists: a capped count instead of ``COUNT(*)`` over everything.

An inbox can hold hundreds of thousands of rows; counting them exactly on every page costs
a scan of all of them. :class:`CappedPaginator` counts at most ``cap + 1`` rows
(``SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1)``), so a page costs the same whatever the
table size; ``capped`` tells the caller to show "10,000+" rather than a number.

With ``deferred=True`` a page is read in two steps (a "deferred join"): first the ids of
the page (``SELECT id … ORDER BY … LIMIT``, which a covering index answers without
visiting the table, even when the order is not the index's), then those rows only.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

DEFAULT_COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A :class:`~django.core.paginator.Paginator` whose ``count`` stops at ``cap``."""

    default_cap = DEFAULT_COUNT_CAP

    def __init__(
        self,
        object_list: Any,
        per_page: int | str,
        *args: Any,
        cap: int | None = None,
        deferred: bool = False,
        **kwargs: Any,
    ):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.cap = cap if cap is not None else self.default_cap
        self.capped = False
        self.deferred = deferred

    def page(self, number: Any) -> Page:
        page = super().page(number)
        if self.deferred and hasattr(self.object_list, "query"):
            queryset: Any = self.object_list
            sliced: Any = page.object_list
            ids = list(sliced.values_list("pk", flat=True))
            page.object_list = list(queryset.filter(pk__in=ids)) if ids else []
        return page

    @cached_property
    def count(self) -> int:
        queryset: Any = self.object_list
        if not hasattr(queryset, "query"):  # a list: len() is already exact and cheap
            return len(queryset)
        n = queryset.order_by()[: self.cap + 1].count()
        self.capped = n > self.cap
        return min(n, self.cap)
