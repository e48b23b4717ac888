"""The OpenAPI schema's view: drf-spectacular's, with a well-formed Content-Disposition."""

from urllib.parse import quote

from drf_spectacular.views import SpectacularAPIView


class SchemaView(SpectacularAPIView):
    """drf-spectacular names the file after the API's title, in Chinese and with spaces, inside a plain
    `filename="…"`, which an HTTP header cannot carry (it is sent as Latin-1 mojibake). Here the plain name
    is ASCII, and the title comes as RFC 6266's `filename*` (UTF-8, percent-encoded) beside it."""

    def _get_schema_response(self, request):
        response = super()._get_schema_response(request)
        title = self._get_filename(request, None)
        suffix = title.rsplit(".", 1)[-1]
        response["Content-Disposition"] = (
            f"inline; filename=\"wuzhong-api.{suffix}\"; filename*=utf-8''{quote(title)}"
        )
        return response
