from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=2&page_size=100`: 50 rows a page by default, at most 500 (a whole report's targets)."""

    page_size_query_param = "page_size"
    page_size_query_description = "每页条数（默认50，最多500）。"
    page_query_description = "页码（从1开始）。"
    max_page_size = 500
