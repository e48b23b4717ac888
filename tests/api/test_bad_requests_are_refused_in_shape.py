"""Every malformed request to the API is refused with a 4xx in the documented shape, in Chinese, and writes
nothing: 400 `{field: ["说明", …]}` naming the field or parameter (`non_field_errors` when none applies),
every other status `{"detail": "说明"}`. The cases are the reproductions of issue #15: a lone surrogate as a
figure (a 500 when the message echoed it), a NUL byte in the URL (a 500 from PostgreSQL), the framework's
English parse errors, HTML answers for routing errors and oversized bodies, nested evidence errors, and
query parameters silently accepted or replaced."""

import datetime as dt
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from progress import services
from progress.models import EvidenceFile, ProgressEntry
from targets.models import Target

pytestmark = pytest.mark.django_db

JUNE_END = dt.date(2020, 6, 30)
CHINESE = re.compile(r"[\u4e00-\u9fff]")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def zhang(api, report_2020, official_zhang):
    return api(official_zhang)


@pytest.fixture
def target() -> Target:
    return Target.objects.get(code="1.1.03")


@pytest.fixture
def june_entry(july_3rd_2020, official_zhang, target) -> ProgressEntry:
    return services.progress_entry_submit(target=target, period_end=JUNE_END, value="7", by=official_zhang)


def _refused(response, status: int, field: str | None = None) -> str:
    """Asserts the documented shape and returns the message (for the words a case checks)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    if status == 400:
        assert isinstance(body, dict) and body
        assert all(
            isinstance(messages, list) and all(isinstance(m, str) for m in messages)
            for messages in body.values()
        ), body
        assert field in body, body
        message = "".join(body[field])
    else:
        assert set(body) == {"detail"} and isinstance(body["detail"], str), body
        message = body["detail"]
    assert CHINESE.search(message), message
    return message


def _nothing_written(before: int = 0) -> None:
    assert ProgressEntry.objects.count() == before
    assert EvidenceFile.objects.count() == 0


# ------------------------------------------------------------------------------------------ figures


def test_a_lone_surrogate_as_a_new_figure_is_refused_without_being_echoed(zhang, target):
    body = '{"target": TARGET, "period_end": "2020-06-30", "value": "\\ud800"}'.replace(
        "TARGET", str(target.pk)
    )

    response = zhang.post("/api/entries/", body, content_type="application/json")

    assert "无法识别的字符" in _refused(response, 400, "value")
    _nothing_written()


def test_a_lone_surrogate_as_a_corrected_figure_is_refused(zhang, june_entry):
    response = zhang.patch(
        f"/api/entries/{june_entry.pk}/", '{"value": "1\\udfff"}', content_type="application/json"
    )

    assert "无法识别的字符" in _refused(response, 400, "value")
    june_entry.refresh_from_db()
    assert (june_entry.value, june_entry.revision) == (7, 1)


def test_a_lone_surrogate_in_a_field_name_is_refused(zhang, target):
    response = zhang.post("/api/entries/", '{"\\ud800": 1}', content_type="application/json")

    _refused(response, 400, "?")
    _nothing_written()


def test_a_nul_byte_in_a_note_is_a_field_error(zhang, target):
    response = zhang.post(
        "/api/entries/",
        {"target": target.pk, "period_end": "2020-06-30", "value": "7", "note": "说明\x00"},
        format="json",
    )

    _refused(response, 400, "note")
    _nothing_written()


# ---------------------------------------------------------------------------------- the request line


@pytest.mark.parametrize(
    ("url", "field"),
    [
        pytest.param("/api/departments/a%00/", "non_field_errors", id="path"),
        pytest.param("/api/targets/?department=a%00", "department", id="query-value"),
        pytest.param("/api/entries/?%00=1", "non_field_errors", id="query-name"),
    ],
)
def test_a_nul_byte_in_the_url_is_a_400(zhang, url, field):
    assert "空字符" in _refused(zhang.get(url), 400, field)


def test_a_nul_byte_outside_the_api_is_a_plain_400(client):
    response = client.get("/admin/progress/progressentry/?q=%00")

    assert response.status_code == 400
    assert "空字符" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("/api/targets/0.5/", id="not-an-id"),
        pytest.param("/api/nothing/", id="no-such-endpoint"),
        pytest.param("/api/entries/1/approve/extra/", id="past-an-action"),
    ],
)
def test_a_url_no_route_matches_is_a_json_404(zhang, url):
    assert "未找到" in _refused(zhang.get(url), 404)


def test_outside_the_api_a_404_stays_the_html_page(manager_client):
    response = manager_client.get("/evidence/0.5/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --------------------------------------------------------------------------------- query parameters


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param("report=0.5", "report", id="report-not-an-integer"),
        pytest.param("chapter=abc", "chapter", id="chapter-not-a-number"),
        pytest.param("task=-1", "task", id="task-negative"),
        pytest.param("page_size=null", "page_size", id="page-size-null"),
        pytest.param("page_size=0", "page_size", id="page-size-zero"),
        pytest.param("page_size=501", "page_size", id="page-size-above-the-maximum"),
        pytest.param("page_size=1.5", "page_size", id="page-size-fraction"),
        pytest.param("page=abc", "page", id="page-not-a-number"),
        pytest.param("ordering=colour", "ordering", id="unknown-ordering"),
        pytest.param("performance=green", "performance", id="unknown-status"),
        pytest.param("report=99999999999999999999999", "report", id="id-beyond-64-bits"),
    ],
)
def test_a_malformed_query_parameter_is_a_400_naming_it(zhang, query, field):
    _refused(zhang.get(f"/api/targets/?{query}"), 400, field)


def test_awaiting_my_review_is_true_or_false(zhang):
    _refused(zhang.get("/api/entries/?awaiting_my_review=-58800"), 400, "awaiting_my_review")
    assert zhang.get("/api/entries/?awaiting_my_review=false").status_code == 200


def test_an_empty_parameter_is_the_same_as_none(zhang):
    """As the browsable API's filter form sends them; the schema says so (allowEmptyValue)."""
    assert zhang.get("/api/targets/?measure=&report=&page_size=").status_code == 200


def test_every_list_refuses_a_page_size_above_the_maximum(zhang):
    for url in ("/api/reports/", "/api/departments/", "/api/chapters/", "/api/entries/"):
        _refused(zhang.get(f"{url}?page_size=501"), 400, "page_size")


def test_the_report_parameters_are_strict_too(zhang):
    _refused(zhang.get("/api/boards/summary/?chapter=0.5"), 400, "chapter")
    _refused(zhang.get("/api/boards/lagging/?as_of=2020-13-01"), 400, "as_of")


def test_a_page_past_the_last_stays_a_404(zhang):
    assert _refused(zhang.get("/api/targets/?page=99"), 404)


# ------------------------------------------------------------------------------------------- bodies


def test_malformed_json_is_refused_in_chinese(zhang):
    message = _refused(
        zhang.post("/api/entries/", "{", content_type="application/json"), 400, "non_field_errors"
    )

    assert "JSON" in message and "parse error" not in message
    _nothing_written()


def test_a_json_null_body_is_refused_in_chinese(zhang):
    message = _refused(
        zhang.post("/api/entries/", "null", content_type="application/json"), 400, "non_field_errors"
    )

    assert "请求内容为空" in message


def test_json_nested_too_deep_is_refused(zhang):
    body = "[" * 100_000 + "]" * 100_000

    _refused(zhang.post("/api/entries/", body, content_type="application/json"), 400, "non_field_errors")


def test_a_malformed_multipart_body_is_refused_in_chinese(zhang):
    response = zhang.generic("POST", "/api/entries/", b"--x\r\n", content_type="multipart/form-data")

    message = _refused(response, 400, "non_field_errors")
    assert "multipart" in message and "parse error" not in message


def test_evidence_errors_are_a_list_as_the_schema_says(zhang, target):
    response = zhang.post(
        "/api/entries/",
        {"target": target.pk, "period_end": "2020-06-30", "value": "7", "evidence": ["not a file"]},
    )

    assert _refused(response, 400, "evidence").startswith("第1项：")
    _nothing_written()


def test_a_body_announced_over_the_limit_is_a_413_before_it_is_read(zhang, settings):
    settings.REQUEST_BODY_MAX_BYTES = 1024
    # The body is one byte; only its Content-Length says it is large: the answer comes without reading it.
    response = zhang.generic(
        "POST", "/api/entries/", b"{", content_type="application/json", CONTENT_LENGTH=str(1025)
    )

    assert "请求内容过大" in _refused(response, 413)
    _nothing_written()


def test_a_body_within_the_limit_is_read(zhang, target, settings):
    settings.REQUEST_BODY_MAX_BYTES = 1024 * 1024

    response = zhang.post(
        "/api/entries/",
        {
            "target": target.pk,
            "period_end": "2020-06-30",
            "value": "7",
            "evidence": [SimpleUploadedFile("a.pdf", PDF)],
        },
    )

    assert response.status_code == 201, response.content


def test_too_many_files_is_a_400_naming_the_evidence(zhang, target, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = [SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(3)]

    response = zhang.post(
        "/api/entries/", {"target": target.pk, "period_end": "2020-06-30", "value": "7", "evidence": files}
    )

    assert "文件过多" in _refused(response, 400, "evidence")
    _nothing_written()


def test_too_many_fields_is_a_400(zhang, target, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    fields = {f"extra{n}": "x" for n in range(10)}

    response = zhang.post("/api/entries/", {"target": target.pk, "value": "7", **fields})

    assert "字段过多" in _refused(response, 400, "non_field_errors")
    _nothing_written()


def test_form_fields_over_djangos_memory_limit_are_a_413(zhang, target, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100

    response = zhang.post("/api/entries/", {"target": target.pk, "value": "7", "note": "长" * 200})

    _refused(response, 413)
    _nothing_written()
