from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Stable pages over long lists: new rows arriving do not shift the page the user reads."""

    ordering = "-created_at"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
