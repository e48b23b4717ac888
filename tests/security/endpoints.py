"""Every URL the project serves, walked from the URL resolver, as a template with named holes
("/admin/targets/target/{object_id}/change/"), so that the security tests reach a new endpoint the day it is
added, and fail until somebody says what it is."""

import io
import re
from dataclasses import dataclass

import openpyxl
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Endpoint:
    template: str  # "/api/entries/{pk}/approve.{format}"
    name: str | None  # "api:entry-approve"; None for the admin's unnamed redirects

    @property
    def holes(self) -> set[str]:
        return set(re.findall(r"{(\w+)}", self.template))

    def url(self, **values) -> str:
        return self.template.format(**values)


def _piece(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        # DRF's format-suffix converter matches the dot too: "api/.json".
        route = str(pattern).replace("<drf_format_suffix:format>", ".{format}")
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    regex = str(pattern).removeprefix("^").removesuffix("$").removesuffix("/?")
    regex = re.sub(r"\(\?P<(\w+)>[^()]*\)", r"{\1}", regex)
    counter = iter(range(10))
    regex = re.sub(r"\([^()?]*\)", lambda _: f"{{arg{next(counter)}}}", regex)
    return regex.replace("\\.", ".")


def _walk(resolver: URLResolver, prefix: str, namespace: str):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern, prefix + _piece(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield Endpoint("/" + prefix + _piece(pattern.pattern), name)


def every_endpoint() -> list[Endpoint]:
    endpoints = list(dict.fromkeys(_walk(get_resolver(), "", "")))
    assert len(endpoints) > 100, "the URL walk found too little: the resolver's shape has changed"
    return endpoints


def model_admin_prefixes() -> dict[str, type]:
    """ "/admin/targets/target/" → the model, for every model registered in the admin site."""
    return {
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/": model for model in admin.site._registry
    }


def body_text(response) -> str:
    """What a response shows a person: the page, the JSON, every cell of a spreadsheet, the file."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    headers = " ".join(f"{name}: {value}" for name, value in response.items())
    if response.get("Content-Type", "").startswith(XLSX) and content:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        cells = " ".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
        return headers + " " + cells
    return headers + " " + content.decode("utf-8", "replace")


# ------------------------------------------------------------------------------------ classifying

# Below each registered model's admin prefix ("/admin/targets/target/"): what may follow.
MODEL_ADMIN_SUFFIXES = {
    "": "changelist",
    "add/": "add",
    "{object_id}/": "object",  # the admin's redirect to the change page
    "{object_id}/change/": "object",
    "{object_id}/delete/": "delete",
    "{object_id}/history/": "history",
    "{arg0}/history/{arg1}/": "version",  # django-simple-history: one historical version as a form
    "import/": "import",  # django-import-export
    "process_import/": "process_import",
    "{id}/password/": "password",  # the user admin's password form
    "{object_id}/review/": "review",  # 批准 / 退回 from an entry's page (POST only)
}

OTHER_ENDPOINTS = {
    "/": "public",
    "/healthz": "public",
    "/favicon.ico": "public",
    "/admin/": "page",
    "/admin/login/": "session",
    "/admin/logout/": "session",
    "/admin/password_change/": "session",
    "/admin/password_change/done/": "page",
    "/admin/jsi18n/": "page",
    "/admin/autocomplete/": "autocomplete",
    "/admin/r/{content_type_id}/{object_id}/": "view_on_site",
    "/admin/{app_label}/": "app_list",
    "/admin/{url}": "catch_all",
    "/admin/boards/lagging/": "report",
    "/admin/boards/bulletin/": "report",
    "/admin/boards/scoreboard/": "report",
    "/admin/boards/overview/": "report",
    "/admin/boards/targets/{pk}/": "report_target",
    "/admin/reports/lagging/": "moved",
    "/admin/reports/bulletin/": "moved",
    "/admin/reports/scoreboard/": "moved",
    "/admin/reports/overview/": "moved",
    "/admin/reports/targets/{pk}/": "moved",
    "/api/reports/lagging/": "moved",
    "/api/reports/summary/": "moved",
    "/evidence/{pk}/": "evidence",
    "/evidence/cooperation/{pk}/": "cooperation_evidence",
    "/admin/notices/issue/": "notice_issue",
    "/admin/drafts/": "drafts",
    "/admin/drafts/{pk}/": "draft",
    "/admin/drafts/{pk}/rows/{code}/": "draft_row",
    "/admin/years/{pk}/entries/": "year_entries",
    "/admin/notices/{pk}/": "notice",
    "/admin/notices/{pk}/print/": "notice",
    "/notice-evidence/{pk}/": "notice_evidence",
    "/api/notices/": "api_notice_list",
    "/api/notices/{pk}/": "api_notice",
    "/api/notices/{pk}/answer/": "api_notice",
    "/api/notices/{pk}/close/": "api_notice",
    "/api/notices/{pk}/press/": "api_notice",
    "/api/schema/": "public",
    "/api/docs/": "public",
    "/api/": "api_root",
    "/api/boards/lagging/": "api_report",
    "/api/boards/summary/": "api_report",
    "/api/reports/": "api_public_list",
    "/api/chapters/": "api_public_list",
    "/api/tasks/": "api_public_list",
    "/api/departments/": "api_public_list",
    "/api/reports/{pk}/": "api_report_detail",
    "/api/chapters/{pk}/": "api_chapter_detail",
    "/api/tasks/{pk}/": "api_task_detail",
    "/api/departments/{code}/": "api_department_detail",
    "/api/targets/": "api_private_list",
    "/api/entries/": "api_entry_list",
    "/api/targets/{pk}/": "api_target",
    "/api/targets/{pk}/history/": "api_target",
    "/api/entries/{pk}/": "api_entry",
    "/api/entries/{pk}/approve/": "api_entry_action",
    "/api/entries/{pk}/return/": "api_entry_action",
}
PUBLIC = {
    "public",
    "session",
    "moved",
}  # answered to anyone (the sign-in page, the API's description, old addresses)


def _without_format(template: str) -> str:
    """ "/api/entries/{pk}/approve.{format}" → "/api/entries/{pk}/approve/": one rule for both spellings."""
    return re.sub(r"/?\.\{format\}$", "/", template)


def classify(endpoint: Endpoint) -> tuple[str, type | None]:
    """(kind, model) of an endpoint; raises KeyError for one nobody has classified."""
    for prefix, model in model_admin_prefixes().items():
        if endpoint.template.startswith(prefix):
            return MODEL_ADMIN_SUFFIXES[endpoint.template.removeprefix(prefix)], model
    return OTHER_ENDPOINTS[_without_format(endpoint.template)], None
