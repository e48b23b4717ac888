from rest_framework import pagination
from rest_framework.exceptions import ValidationError

from wuzhong_tracker.validation import ascii_digits


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=2&page_size=100`: 50 rows a page by default, at most 500 (a whole report's targets).

    A `page_size` that is not a whole number from 1 to 500 is a 400 naming the parameter, rather than
    silently replaced by the default or the maximum (a client asking for 1000 rows would otherwise take
    the first 500 for the whole list).
    """

    page_size_query_param = "page_size"
    page_size_query_description = "每页条数（默认50，最多500）。"
    page_query_description = "页码（从1开始）。"
    max_page_size = 500

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:  # absent, or empty as a form sends it
            return self.page_size
        if not ascii_digits(raw) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"每页条数须为 1 到 {self.max_page_size} 的整数。"]}
            )
        return int(raw)

    def get_page_number(self, request, paginator):
        raw = super().get_page_number(request, paginator)
        if raw in self.last_page_strings or (isinstance(raw, int) or ascii_digits(raw)):
            return raw  # a number past the last page stays a 404, as documented
        raise ValidationError({self.page_query_param: ["页码须为正整数。"]})

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
            elif parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters
