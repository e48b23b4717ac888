"""One grammar for a figure (progress.figures.figure_read), whether typed in the admin, sent to the API or
imported: well-formed thousands separators only, full-width forms read as ASCII, every refusal with its
reason in Chinese. The admin, the API and the import each get these messages through figure_parse."""

from decimal import Decimal

import pytest
import tablib
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from progress.figures import FigureInvalid, figure_read
from progress.forms import ProgressEntryForm
from progress.importing import ImportRefused, progress_import
from progress.models import ProgressEntry
from targets.models import Target

D = Decimal


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("12", D("12"), id="integer"),
        pytest.param("12.5", D("12.5"), id="decimal"),
        pytest.param("-6.8", D("-6.8"), id="negative growth"),
        pytest.param("+3", D("3"), id="plus sign"),
        pytest.param("0.0001", D("0.0001"), id="four decimals"),
        pytest.param("  42 ", D("42"), id="surrounding spaces"),
        pytest.param("1,234.5", D("1234.5"), id="thousands separator"),
        pytest.param("12,345,678", D("12345678"), id="two separators"),
        pytest.param("-1,234", D("-1234"), id="negative with separator"),
        pytest.param("１２．５", D("12.5"), id="full-width digits and point"),
        pytest.param("１，２３４", D("1234"), id="full-width comma as separator"),
        pytest.param("－３．２", D("-3.2"), id="full-width minus"),
        pytest.param("−6.8", D("-6.8"), id="minus sign U+2212"),
        pytest.param("\u300015\u3000", D("15"), id="full-width spaces"),
        pytest.param(15, D("15"), id="spreadsheet integer"),
        pytest.param(2.8, D("2.8"), id="spreadsheet float"),
        pytest.param(D("7.25"), D("7.25"), id="decimal"),
    ],
)
def test_a_well_formed_figure_is_read(raw, expected):
    assert figure_read(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(
            "1,2,3", "“1,2,3”的千分位逗号位置不对：逗号只能每三位一个", id="commas anywhere (was 123)"
        ),
        pytest.param("1,5", "“1,5”中的逗号不能作小数点；小数点请用“.”", id="decimal comma (was 15)"),
        pytest.param("12,50", "“12,50”中的逗号不能作小数点", id="decimal comma, two digits"),
        pytest.param("1,2345", "千分位逗号位置不对", id="four digits after a comma"),
        pytest.param("1234,567", "千分位逗号位置不对", id="four digits before the first comma"),
        pytest.param("1.234,5", "不是数字", id="European notation"),
        pytest.param(",123", "千分位逗号位置不对", id="leading comma"),
        pytest.param("123,", "千分位逗号位置不对", id="trailing comma"),
        pytest.param("1 234", "不是数字", id="space as separator"),
        pytest.param("5%", "“5%”带有百分号；请只填写数字", id="percent sign"),
        pytest.param("1.5E+07", "科学计数法", id="Excel scientific notation"),
        pytest.param("1e3", "科学计数法", id="exponent"),
        pytest.param(".5", "小数点前请写0", id="no leading zero"),
        pytest.param("5.", "小数点后缺少数字", id="trailing point"),
        pytest.param("N/A", "“N/A”不是数字；请只填写数值，说明写在“说明”栏。", id="N/A"),
        pytest.param("见说明", "“见说明”不是数字", id="see description"),
        pytest.param("NaN", "数值必须是有限的数字（不能是 NaN 或 Infinity）。", id="NaN"),
        pytest.param("-Infinity", "数值必须是有限的数字", id="-Infinity"),
        pytest.param("inf", "数值必须是有限的数字", id="inf"),
        pytest.param("", "请填写数值。", id="empty"),
        pytest.param("\u3000", "请填写数值。", id="full-width space only"),
        pytest.param(None, "请填写数值。", id="None"),
        pytest.param(True, "数值必须是数字。", id="bool"),
        pytest.param([1], "数值必须是数字。", id="list"),
        pytest.param("1.23456", "数值最多保留4位小数。", id="five decimals"),
        pytest.param("100,000,000,000,000", "数值过大。", id="too large"),
        pytest.param(float("nan"), "数值必须是有限的数字", id="float NaN"),
        pytest.param("1\x002", "无法识别的字符", id="NUL byte"),
        pytest.param("\ud800", "无法识别的字符", id="lone surrogate"),
        pytest.param("١٢", "不是数字", id="Arabic-Indic digits"),
        pytest.param("x" * 200, "所填内容不是数字", id="long text not repeated"),
    ],
)
def test_a_malformed_figure_is_refused_saying_why(raw, message):
    with pytest.raises(FigureInvalid) as refused:
        figure_read(raw)
    assert message in refused.value.message


@given(st.decimals(min_value=D("-99999999999999"), max_value=D("99999999999999"), places=4))
def test_every_figure_reads_back_from_its_plain_and_grouped_forms(value):
    plain = f"{value:f}"
    grouped = f"{value:,f}"
    assert figure_read(plain) == value
    assert figure_read(grouped) == value


@given(st.text(alphabet="0123456789,.-+ ", max_size=12))
def test_any_digits_and_punctuation_are_either_a_figure_or_a_chinese_refusal(text):
    try:
        value = figure_read(text)
    except FigureInvalid as refused:
        assert refused.message.endswith("。")
        return
    # What is accepted is exactly what the text says: no comma was taken for a decimal point or dropped
    # from a misplaced group.
    stripped = text.strip().replace(",", "")
    assert value == Decimal(stripped)
    if "," in text:
        integer = text.strip().lstrip("+-").split(".")[0]
        assert all(len(group) == 3 for group in integer.split(",")[1:])
        assert 1 <= len(integer.split(",")[0]) <= 3


# ------------------------------------------------------------------ the same grammar at every entry point

MISPLACED = "千分位逗号位置不对"
DECIMAL_COMMA = "中的逗号不能作小数点"


@pytest.fixture
def june_target(report_2020):
    return Target.objects.get(report=report_2020, code="1.1.03")


@pytest.mark.django_db
@pytest.mark.parametrize(("raw", "words"), [("1,2,3", MISPLACED), ("1,5", DECIMAL_COMMA)])
def test_the_api_refuses_a_misplaced_comma_on_value(july_3rd_2020, june_target, official_zhang, raw, words):
    client = APIClient()
    client.force_login(official_zhang)
    body = {"target": june_target.pk, "period_end": "2020-06-30", "value": raw}

    response = client.post("/api/entries/", body, format="json")

    assert response.status_code == 400
    assert words in response.data["value"][0]
    assert not ProgressEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("raw", "words"), [("1,2,3", MISPLACED), ("1,5", DECIMAL_COMMA)])
def test_the_admin_form_refuses_a_misplaced_comma_on_value(
    july_3rd_2020, june_target, official_zhang, raw, words
):
    form = ProgressEntryForm(
        data={"target": june_target.pk, "period_end": "2020-06-30", "value": raw, "provenance": "estimate"},
        user=official_zhang,
    )

    assert not form.is_valid()
    assert words in form.errors["value"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(("raw", "words"), [("1,2,3", MISPLACED), ("1,5", DECIMAL_COMMA)])
def test_the_import_refuses_a_misplaced_comma_naming_the_row(
    july_3rd_2020, june_target, official_zhang, raw, words
):
    dataset = tablib.Dataset(
        ["1.1.03", "2020-06-30", raw, ""], headers=["code", "period_end", "value", "note"]
    )

    with pytest.raises(ImportRefused) as refused:
        progress_import(dataset=dataset, by=official_zhang)

    assert words in str(refused.value.errors[0])
    assert str(refused.value.errors[0]).startswith("第2行 value：")
