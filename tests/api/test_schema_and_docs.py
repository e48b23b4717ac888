"""The OpenAPI 3 schema validates and describes every endpoint, parameter and error; the interactive docs
load Swagger UI from the project's own static files (drf-spectacular-sidecar), never from a CDN."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("get", "/api/reports/"),
    ("get", "/api/reports/{id}/"),
    ("get", "/api/chapters/"),
    ("get", "/api/chapters/{id}/"),
    ("get", "/api/tasks/"),
    ("get", "/api/tasks/{id}/"),
    ("get", "/api/departments/"),
    ("get", "/api/departments/{code}/"),
    ("get", "/api/targets/"),
    ("get", "/api/targets/{id}/"),
    ("get", "/api/targets/{id}/history/"),
    ("get", "/api/entries/"),
    ("post", "/api/entries/"),
    ("get", "/api/entries/{id}/"),
    ("patch", "/api/entries/{id}/"),
    ("post", "/api/entries/{id}/approve/"),
    ("post", "/api/entries/{id}/return/"),
    ("get", "/api/boards/lagging/"),
    ("get", "/api/boards/summary/"),
    ("get", "/api/notices/"),
    ("post", "/api/notices/"),
    ("get", "/api/notices/{id}/"),
    ("post", "/api/notices/{id}/answer/"),
    ("post", "/api/notices/{id}/close/"),
    ("post", "/api/notices/{id}/press/"),
}
AS_OF_REPORTS = {"/api/boards/lagging/", "/api/boards/summary/"}


@pytest.fixture(scope="module")
def schema(django_db_blocker, tmp_path_factory) -> dict:
    """The schema as `manage.py spectacular --validate --fail-on-warn` writes it (the command fails on any
    warning or validation error)."""
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _operations(schema: dict) -> dict[tuple[str, str], dict]:
    return {
        (method, path): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if path != "/api/schema/"
    }


def test_the_schema_validates_and_lists_every_operation(schema):
    assert schema["openapi"].startswith("3.")
    assert set(_operations(schema)) == OPERATIONS


def test_every_operation_documents_its_errors(schema):
    for (method, path), operation in _operations(schema).items():
        codes = set(operation["responses"])
        assert {"401", "429"} <= codes, (method, path)
        if "{" in path or (method == "get" and path not in AS_OF_REPORTS):  # lists: a page out of range
            assert "404" in codes, (method, path)
        if method in {"post", "patch"}:
            assert {"400", "403"} <= codes, (method, path)
        assert operation["summary"], (method, path)


def test_every_parameter_is_described(schema):
    parameters = {
        (path, parameter["name"]): parameter
        for (_, path), operation in _operations(schema).items()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    }

    assert {name for path, name in parameters if path == "/api/targets/"} >= {
        "chapter",
        "task",
        "department",
        "performance",
        "reporting",
        "measure",
        "ordering",
        "page",
        "page_size",
    }
    assert {name for path, name in parameters if path == "/api/boards/lagging/"} >= {
        "as_of", "chapter", "task", "department", "performance", "reporting",
    }  # fmt: skip
    assert "as_of" in {name for path, name in parameters if path == "/api/boards/summary/"}
    undescribed = [key for key, parameter in parameters.items() if not parameter.get("description")]
    assert undescribed == []


def test_both_ways_to_sign_in_are_documented(schema):
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}


def test_the_schema_is_served(report_2020):
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "吴忠市目标任务督查系统 API"


def test_the_docs_render_from_local_static_files_only(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r"https?://", html) == []
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    # Swagger UI's start-up script is the docs' own URL (no inline script: the Content-Security-Policy).
    assert "/api/docs/?script=" in assets
    static = [asset for asset in assets if asset != "/api/docs/?script="]
    assert static and all(asset.startswith("/static/drf_spectacular_sidecar/") for asset in static)
    for asset in static:
        assert finders.find(asset.removeprefix("/static/")), asset
    assert re.findall(r"<script>", html) == []
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_schema_download_has_a_well_formed_content_disposition(report_2020):
    response = APIClient().get("/api/schema/")

    disposition = response["Content-Disposition"]
    disposition.encode("latin-1")  # a header that can be sent as it is
    assert disposition == (
        "inline; filename=\"wuzhong-api.yaml\"; filename*=utf-8''"
        "%E5%90%B4%E5%BF%A0%E5%B8%82%E7%9B%AE%E6%A0%87%E4%BB%BB%E5%8A%A1%E7%9D%A3%E6%9F%A5%E7%B3%BB%E7%BB%9F%20API.yaml"
    )


def test_the_ordering_values_are_listed(schema):
    parameters = {
        parameter["name"]: parameter
        for parameter in _operations(schema)[("get", "/api/targets/")]["parameters"]
    }

    ordering = parameters["ordering"]
    assert (ordering["style"], ordering["explode"], ordering["schema"]["type"]) == ("form", False, "array")
    assert {"code", "-code", "gap_pp", "-gap_pp", "days_late", "-days_late"} <= set(
        ordering["schema"]["items"]["enum"]
    )
    assert parameters["page_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 500}
    assert parameters["report"]["schema"]["type"] == "integer"


def test_an_oversized_body_is_documented_on_every_write_with_a_body(schema):
    operations = _operations(schema)

    assert "413" in operations[("post", "/api/entries/")]["responses"]
    assert "413" in operations[("patch", "/api/entries/{id}/")]["responses"]
