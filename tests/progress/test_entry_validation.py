"""Every bad input to an entry is refused with a Chinese message naming the field, and nothing is saved."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from progress.models import EvidenceFile, ProgressEntry
from progress.services import progress_entry_submit
from targets.models import Target

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("july_3rd_2020")]

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"


def target(code: str) -> Target:
    return Target.objects.select_related("report").get(report__year=2020, code=code)


def submit(by, code="1.1.03", period_end=dt.date(2020, 6, 30), value="7", **kwargs):
    return progress_entry_submit(target=target(code), period_end=period_end, value=value, by=by, **kwargs)


@pytest.mark.parametrize(
    ("code", "period_end", "value", "field", "words"),
    [
        pytest.param("1.1.03", dt.date(2020, 6, 30), "N/A", "value", "不是数字", id="not-a-number"),
        pytest.param("1.1.03", dt.date(2020, 6, 30), "见说明", "value", "不是数字", id="see-description"),
        pytest.param("1.1.03", dt.date(2020, 6, 30), "NaN", "value", "NaN", id="nan"),
        pytest.param("1.1.03", dt.date(2020, 6, 30), "Infinity", "value", "Infinity", id="infinity"),
        pytest.param("1.1.03", dt.date(2020, 6, 30), "", "value", "请填写数值", id="empty"),
        pytest.param("1.1.03", dt.date(2020, 6, 30), None, "value", "请填写数值", id="missing"),
        pytest.param("1.1.03", dt.date(2020, 6, 30), "-1", "value", "不能为负数", id="negative-count"),
        pytest.param("1.1.03", dt.date(2020, 6, 30), "1.23456", "value", "4位小数", id="too-many-decimals"),
        pytest.param(
            "1.1.03", dt.date(2019, 12, 31), "7", "period_end", "2020年内", id="period-before-report-year"
        ),
        pytest.param(
            "1.1.03", dt.date(2020, 7, 31), "7", "period_end", "尚未到来", id="period-in-the-future"
        ),
        pytest.param(
            "1.1.03", dt.date(2020, 6, 15), "7", "period_end", "不是该目标", id="not-a-period-boundary"
        ),
        pytest.param(
            "1.1.04", dt.date(2020, 5, 31), "9", "period_end", "不是该目标", id="monthly-end-for-quarterly"
        ),
        pytest.param("1.1.03", None, "7", "period_end", "请填写报告期末", id="period-missing"),
    ],
)
def test_bad_figure_or_period_is_refused_and_nothing_saved(
    official_zhang, code, period_end, value, field, words
):
    with pytest.raises(ValidationError) as refused:
        submit(official_zhang, code=code, period_end=period_end, value=value)
    assert field in refused.value.message_dict
    assert words in " ".join(refused.value.message_dict[field])
    assert not ProgressEntry.objects.exists()


def test_a_milestone_takes_percent_complete_between_0_and_100(official_he):
    with pytest.raises(ValidationError, match="0到100"):
        submit(official_he, code="5.3.09", value="120")
    with pytest.raises(ValidationError, match="0到100"):
        submit(official_he, code="5.3.09", value="-5")
    assert submit(official_he, code="5.3.09", value="60").value == Decimal("60")


def test_negative_growth_is_a_valid_figure(official_liu):
    entry = submit(official_liu, code="0.1.01", period_end=dt.date(2020, 3, 31), value="-6.8")
    assert entry.value == Decimal("-6.8")


def test_another_departments_target_is_refused(official_liu):
    with pytest.raises(ValidationError) as refused:
        submit(official_liu, code="1.1.03")
    assert "不属于您所在单位" in refused.value.message_dict["target"][0]
    assert not ProgressEntry.objects.exists()


def test_a_co_operating_department_may_not_report_a_figure(official_sun):
    with pytest.raises(ValidationError) as refused:
        submit(official_sun)
    assert refused.value.message_dict["target"] == [
        "该目标的数值由牵头单位（工业和信息化局）填报；配合单位请在目标工作台添加“配合情况”。"
    ]
    assert not ProgressEntry.objects.exists()


def test_a_second_live_entry_for_the_same_period_is_refused(official_zhang):
    submit(official_zhang, value="7")
    with pytest.raises(ValidationError) as refused:
        submit(official_zhang, value="8")
    assert "已有填报" in refused.value.message_dict["period_end"][0]
    assert list(ProgressEntry.objects.values_list("value", flat=True)) == [Decimal("7")]


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        pytest.param("setup.exe", b"MZ\x90\x00", "类型不允许", id="other-type"),
        pytest.param("photo.gif", b"GIF89a", "类型不允许", id="gif"),
        pytest.param("report.pdf", b"<html>not a pdf</html>", "不符", id="content-does-not-match-extension"),
        pytest.param("big.pdf", PDF + b"0" * (10 * 1024 * 1024), "超过10 MB", id="over-10-mb"),
    ],
)
def test_bad_evidence_is_refused_and_nothing_saved(official_zhang, name, content, words):
    with pytest.raises(ValidationError) as refused:
        submit(official_zhang, evidence=[SimpleUploadedFile(name, content)])
    assert words in refused.value.message_dict["evidence"][0]
    assert not ProgressEntry.objects.exists()
    assert not EvidenceFile.objects.exists()


def test_several_evidence_files_of_the_allowed_types_are_kept(official_zhang, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    files = [
        SimpleUploadedFile("台账.pdf", PDF),
        SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32),
        SimpleUploadedFile("照片.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 32),
        SimpleUploadedFile("明细.xlsx", b"PK\x03\x04" + b"\x00" * 32),
        SimpleUploadedFile("说明.docx", b"PK\x03\x04" + b"\x00" * 32),
    ]
    entry = submit(official_zhang, evidence=files)
    assert sorted(entry.evidence.values_list("original_name", flat=True)) == sorted(f.name for f in files)
    assert all(e.file.name.startswith(f"evidence/{entry.target_id}/") for e in entry.evidence.all())
