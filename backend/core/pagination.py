from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Stable pages over long lists: new rows arriving do not shift the page the user reads."""

    ordering = "-created_at"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_ordering(self, request, queryset, view):
        """The requested ordering, with the primary key as a tie-breaker.

        Without it, rows sharing a value (a city, a minute) come in an order the database
        is free to change between two pages, and `previous` links return other rows.
        """
        ordering = tuple(super().get_ordering(request, queryset, view))
        if not any(field.lstrip("-") in ("id", "pk") for field in ordering):
            ordering += ("-id" if ordering[0].startswith("-") else "id",)
        return ordering
