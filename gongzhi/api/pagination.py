from typing import Any

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from gongzhi.core.pagination import CappedPaginator


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class CappedCountPagination(StandardPagination):
    """For lists that can hold hundreds of thousands of rows (work-order inboxes): ``count``
    stops at ``count_cap`` (see gongzhi.core.pagination) and ``count_capped`` says so, so a
    page costs the same however large the table is."""

    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_capped": getattr(paginator, "capped", False),
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        result = super().get_paginated_response_schema(schema)
        result["properties"]["count_capped"] = {
            "type": "boolean",
            "description": "true when there are more rows than `count` (the count stops at 10,000)",
        }
        result["required"] = [*result.get("required", []), "count_capped"]
        return result
