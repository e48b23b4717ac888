"""Every HTML page carries a Content-Security-Policy (django-csp): scripts only from this site, no inline
script, no framing; the evidence download keeps its own stricter policy. That the admin and the report
pages still work under it in a real browser is the browser suite's part (tests/browser/, which fails on
any CSP violation in the console)."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/progress/progressentry/",
        "/admin/targets/target/",
        "/admin/boards/lagging/",
        "/admin/boards/bulletin/",
        "/api/docs/",
        "/api/targets/?format=api",
    ],
)
def test_html_pages_allow_scripts_from_this_site_only(manager_client, report_2020, url):
    response = manager_client.get(url)

    assert response.status_code == 200
    directives = _directives(response)
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert (directives["object-src"], directives["frame-ancestors"]) == ("'none'", "'none'")
    assert (
        "unsafe-inline" not in directives["script-src"]
        and "unsafe-eval" not in response["Content-Security-Policy"]
    )


def test_the_sign_in_page_carries_it_too(client):
    assert _directives(client.get("/admin/login/"))["script-src"] == "'self'"


def test_the_docs_script_is_served_under_the_same_policy(report_2020):
    response = APIClient().get("/api/docs/?script=")

    assert response.status_code == 200
    assert _directives(response)["script-src"] == "'self'"
