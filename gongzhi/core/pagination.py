"""Pagination for very large lists: a capped count instead of ``COUNT(*)`` over everything.

An inbox can hold hundreds of thousands of rows; counting them exactly on every page costs
a scan of all of them. :class:`CappedPaginator` counts at most ``cap + 1`` rows
(``SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1)``), so a page costs the same whatever the
table size; ``capped`` tells the caller to show "10,000+" rather than a number.

With ``deferred=True`` a page is read in two steps (a "deferred join"): first the ids of
the page (``SELECT id … ORDER BY … LIMIT``, which a covering index answers without
visiting the table, even when the order is not the index's), then those rows only.

With ``branches`` (querysets whose disjoint union is the list, e.g. one per status of an
inbox), the ids of a page are read as ``(first ids of branch 1 in order) UNION ALL (…)``,
ordered again and sliced: each branch is one ordered range of an index that stops after
``offset + per_page`` rows, where the whole list would need a sort of all its rows.
``count`` may be given when the caller has already counted the list (capped the same way).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connections
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
        branches: Sequence[Any] = (),
        count: int | None = None,
        capped: bool = False,
        **kwargs: Any,
    ):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.cap = cap if cap is not None else self.default_cap
        self.capped = False
        self.deferred = deferred
        self.branches = list(branches)
        if count is not None:  # counted by the caller: no second count query
            self.__dict__["count"] = min(count, self.cap)
            self.capped = capped or count > self.cap

    def page(self, number: Any) -> Page:
        page = super().page(number)
        sliced: Any = page.object_list
        if self.deferred and hasattr(self.object_list, "query") and hasattr(sliced, "query"):
            queryset: Any = self.object_list  # (a queryset already evaluated slices into a list)
            ids = self._branch_ids(queryset, sliced) if len(self.branches) > 1 else None
            if ids is None:
                ids = list(sliced.values_list("pk", flat=True))
            page.object_list = list(queryset.filter(pk__in=ids)) if ids else []
        return page

    def _branch_ids(self, queryset: Any, sliced: Any) -> list[Any] | None:
        """The ids of the page as the merge of each branch's first ``offset + per_page`` ids
        in the list's order; None when the list's order or the database does not allow it
        (then the caller reads them from the whole list)."""
        order = [str(f) for f in queryset.query.order_by]
        fields = [f.removeprefix("-") for f in order]
        model_fields = {f.attname for f in queryset.model._meta.concrete_fields} | {"pk"}
        if not order or any(f not in model_fields for f in fields):
            return None
        if not connections[queryset.db].features.supports_slicing_ordering_in_compound:
            return None  # SQLite: no LIMIT inside UNION parts (and no table large enough to matter)
        pk = queryset.model._meta.pk.attname
        fields = [pk if f == "pk" else f for f in fields]
        order = [("-" if o.startswith("-") else "") + f for o, f in zip(order, fields, strict=True)]
        columns = [pk, *(f for f in fields if f != pk)]
        low, high = sliced.query.low_mark, sliced.query.high_mark
        if high is None or high <= low:
            return []
        branches = [b for b in self.branches if not b.query.is_empty()]  # e.g. .none() for no scope
        if len(branches) < 2:  # nothing to merge
            return [row[0] for b in branches for row in b.order_by(*order).values_list(*columns)[low:high]]
        parts = [branch.order_by(*order).values_list(*columns)[:high] for branch in branches]
        merged = parts[0].union(*parts[1:], all=True).order_by(*order)[low:high]
        return [row[0] for row in merged]

    @cached_property
    def count(self) -> int:
        queryset: Any = self.object_list
        if not hasattr(queryset, "query"):  # a list: len() is already exact and cheap
            return len(queryset)
        n = queryset.order_by()[: self.cap + 1].count()
        self.capped = n > self.cap
        return min(n, self.cap)
