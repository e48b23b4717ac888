"""Submitting an entry through the API is validated exactly like the admin (progress.services): every bad
input is a 400 naming the field with a Chinese message, and nothing is saved."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from progress.models import EvidenceFile, ProgressEntry
from targets.models import Target

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% the June ledger of new industrial enterprises\n"


def _target(code: str) -> int:
    return Target.objects.get(report__year=2020, code=code).pk


def _submit(client, code="1.1.03", period_end="2020-06-30", value="7", **fields):
    body = {"target": _target(code), "period_end": period_end, "value": value, **fields}
    return client.post("/api/entries/", body, format="json")


def test_an_official_submits_a_figure_for_her_departments_target(api, report_2020, official_zhang):
    response = _submit(api(official_zhang), value=7, note="据6月台账", provenance="official")

    assert response.status_code == 201, response.data
    entry = ProgressEntry.objects.get()
    assert response.data["id"] == entry.pk
    assert {
        key: response.data[key] for key in ("target_code", "period_end", "value", "unit", "revision")
    } == {
        "target_code": "1.1.03",
        "period_end": "2020-06-30",
        "value": 7,
        "unit": "户",
        "revision": 1,
    }
    assert response.data["department"] == {"code": "industry", "name": "工业和信息化局"}
    assert (response.data["review_state"], response.data["review_state_label"]) == ("submitted", "待审核")
    assert (response.data["provenance"], response.data["provenance_label"]) == ("official", "统计部门数据")
    assert response.data["submitted_by"] == "zhang_gongxin"
    assert entry.note == "据6月台账"


@pytest.mark.parametrize(
    ("code", "period_end", "value", "field", "words"),
    [
        pytest.param("1.1.03", "2020-06-30", "N/A", "value", "不是数字", id="not-a-number"),
        pytest.param("1.1.03", "2020-06-30", "见说明", "value", "不是数字", id="see-description"),
        pytest.param("1.1.03", "2020-06-30", "NaN", "value", "NaN", id="nan"),
        pytest.param("1.1.03", "2020-06-30", "Infinity", "value", "Infinity", id="infinity"),
        pytest.param("1.1.03", "2020-06-30", "", "value", "请填写数值", id="empty"),
        pytest.param("1.1.03", "2020-06-30", None, "value", "请填写数值", id="null"),
        pytest.param("1.1.03", "2020-06-30", "-1", "value", "不能为负数", id="negative-count"),
        pytest.param("1.1.03", "2020-06-30", -1, "value", "不能为负数", id="negative-count-as-number"),
        pytest.param("1.1.03", "2020-06-30", "1.23456", "value", "4位小数", id="too-many-decimals"),
        pytest.param("1.1.03", "2019-12-31", "7", "period_end", "2020年内", id="period-before-report-year"),
        pytest.param("1.1.03", "2020-07-31", "7", "period_end", "尚未到来", id="period-in-the-future"),
        pytest.param("1.1.03", "2020-06-15", "7", "period_end", "不是该目标", id="not-a-period-end"),
        pytest.param("1.1.04", "2020-05-31", "9", "period_end", "不是该目标", id="monthly-end-for-quarterly"),
        pytest.param("1.1.03", "30/06/2020", "7", "period_end", "日期格式错误", id="malformed-date"),
        pytest.param("1.1.03", None, "7", "period_end", "请填写报告期末", id="period-null"),
    ],
)
def test_a_bad_figure_or_period_is_a_400_naming_the_field_and_nothing_is_saved(
    api, report_2020, official_zhang, code, period_end, value, field, words
):
    response = _submit(api(official_zhang), code=code, period_end=period_end, value=value)

    assert response.status_code == 400
    assert field in response.data, response.data
    assert words in " ".join(response.data[field])
    assert not ProgressEntry.objects.exists()


def test_a_request_without_period_end_or_value_names_both(api, report_2020, official_zhang):
    body = {"target": _target("1.1.03")}

    response = api(official_zhang).post("/api/entries/", body, format="json")

    assert response.status_code == 400
    assert response.data == {"period_end": ["请填写报告期末。"], "value": ["请填写数值。"]}
    assert not ProgressEntry.objects.exists()


def test_a_second_entry_for_the_same_period_is_refused(api, report_2020, official_zhang):
    client = api(official_zhang)
    assert _submit(client, value="7").status_code == 201

    response = _submit(client, value="8")

    assert response.status_code == 400
    assert "已有填报" in response.data["period_end"][0]
    assert list(ProgressEntry.objects.values_list("value", flat=True)) == [7]


def test_another_departments_target_is_refused_on_the_target_field(api, report_2020, official_zhao):
    response = _submit(api(official_zhao), code="1.1.03")

    assert response.status_code == 400
    assert "不属于您所在单位" in response.data["target"][0]
    assert not ProgressEntry.objects.exists()


def test_an_unknown_target_is_refused_on_the_target_field(api, report_2020, official_zhang):
    body = {"target": 999_999, "period_end": "2020-06-30", "value": "7"}

    response = api(official_zhang).post("/api/entries/", body, format="json")

    assert response.status_code == 400
    assert "target" in response.data


def test_every_error_of_the_rules_comes_together(api, report_2020, official_zhao):
    response = _submit(api(official_zhao), code="1.1.03", period_end="2020-06-15", value="-3")

    assert response.status_code == 400
    assert set(response.data) == {"target", "value", "period_end"}


def test_a_milestone_takes_percent_complete_between_0_and_100(api, report_2020, official_he):
    client = api(official_he)

    refused = _submit(client, code="5.3.09", value="120")
    accepted = _submit(client, code="5.3.09", value="60")

    assert refused.status_code == 400 and "0到100" in refused.data["value"][0]
    assert accepted.status_code == 201 and (accepted.data["value"], accepted.data["unit"]) == (60, "%")


def test_negative_growth_is_a_valid_figure(api, report_2020, official_liu):
    response = _submit(api(official_liu), code="0.1.01", period_end="2020-03-31", value=-6.8)

    assert response.status_code == 201, response.data
    assert response.data["value"] == -6.8


def test_a_manager_may_not_submit(api, report_2020, manager_wang):
    response = _submit(api(manager_wang))

    assert response.status_code == 403
    assert "不能填报" in response.data["detail"]
    assert not ProgressEntry.objects.exists()


def test_evidence_comes_with_the_entry_as_multipart(api, report_2020, official_zhang, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    body = {
        "target": _target("1.1.03"),
        "period_end": "2020-06-30",
        "value": "7",
        "evidence": [
            SimpleUploadedFile("台账.pdf", PDF),
            SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n0"),
        ],
    }

    response = api(official_zhang).post("/api/entries/", body, format="multipart")

    assert response.status_code == 201, response.data
    assert [file["name"] for file in response.data["evidence"]] == ["台账.pdf", "照片.png"]
    assert response.data["evidence"][0]["download_url"].endswith(
        f"/evidence/{EvidenceFile.objects.order_by('pk')[0].pk}/"
    )


def test_bad_evidence_refuses_the_whole_entry(api, report_2020, official_zhang, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    body = {
        "target": _target("1.1.03"),
        "period_end": "2020-06-30",
        "value": "7",
        "evidence": [SimpleUploadedFile("report.pdf", b"<html>not a pdf</html>")],
    }

    response = api(official_zhang).post("/api/entries/", body, format="multipart")

    assert response.status_code == 400
    assert "不符" in response.data["evidence"][0]
    assert not ProgressEntry.objects.exists()
    assert not EvidenceFile.objects.exists()
