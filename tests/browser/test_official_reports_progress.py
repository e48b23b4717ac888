"""张工信 (工业和信息化局) signs in, sees only his department's targets on 我的目标, opens 新增规上企业's
目标工作台 from there and reports June's figure with an evidence PDF through its 填报 button: the form
names the unit (数值（户）) and has June chosen; "N/A" is refused in Chinese, a figure 1000 times the goal
asks for a confirmation, and nothing is saved until the figure is right; then the status light turns from
无数据 to 正常."""

import re

import pytest
from playwright.sync_api import expect

from progress.models import EvidenceFile, ProgressEntry
from targets.models import Target
from targets.selectors import targets_visible_to

pytestmark = pytest.mark.browser

ENTERPRISES = "1.1.03"  # 新增规上企业15户, led by 工业和信息化局
DAIRY_COWS = "1.2.10"  # 新增奶牛, led by 农业农村局
GREY, GREEN = "rgb(158, 158, 158)", "rgb(46, 125, 50)"  # progress.admin.LIGHT_COLOURS
EVIDENCE = {
    "name": "6月新增规上企业名单.pdf",
    "mimeType": "application/pdf",
    "buffer": b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
}


def _codes(page) -> list[str]:
    return page.locator("#result_list tbody th.field-code").all_inner_texts()


def _row(page, code: str):
    """A target's row on 我的目标."""
    return page.locator("#result_list tbody tr").filter(
        has=page.locator("th.field-code", has_text=re.compile(rf"^{re.escape(code)}$"))
    )


def _light(page, code: str) -> tuple[str, str]:
    """The light of a target on 我的目标: its label and its colour."""
    cell = _row(page, code).locator("td.field-light")
    colour = cell.locator(".wz-light").evaluate("light => getComputedStyle(light).backgroundColor")
    return cell.inner_text().strip(), colour


def _fill_entry(page, value: str) -> None:
    expect(page.locator("#id_period_end")).to_have_value("2020-06-30")  # the period due now, chosen
    page.fill("#id_value", value)
    page.set_input_files("#id_evidence", files=[EVIDENCE])


def test_official_reports_a_figure_with_evidence_and_sees_the_light_change(
    sign_in, screenshot, official_zhang
):
    page = sign_in("official_zhang")
    screenshot(page, "index")

    page.get_by_role("link", name="我的目标", exact=True).first.click()
    page.wait_for_url("**/admin/progress/mytarget/")
    screenshot(page, "my-targets-before")
    mine = set(targets_visible_to(official_zhang).values_list("code", flat=True))
    assert len(mine) <= 50, "all on the first page"
    assert set(_codes(page)) == mine
    assert ENTERPRISES in mine
    assert DAIRY_COWS not in _codes(page)
    assert _light(page, ENTERPRISES) == ("无数据", GREY)

    target = Target.objects.get(code=ENTERPRISES, report__year=2020)
    _row(page, ENTERPRISES).locator("th.field-code a").click()
    page.wait_for_url(f"**/admin/boards/targets/{target.pk}/")
    expect(page.locator("#wz-due h2")).to_have_text("本期填报：2020年6月（应于 2020年7月7日 前报送）")
    expect(page.locator("mark")).to_have_text("规上企业15户")
    screenshot(page, "target-desk")

    page.get_by_role("link", name="填报2020年6月").click()
    page.wait_for_url("**/admin/progress/progressentry/add/?target=*")
    assert page.locator("#id_target").input_value() == str(target.pk)
    expect(page.locator("label[for=id_value]")).to_have_text("数值（户）:")
    expect(page.locator(".field-value .help")).to_contain_text("目标：≥ 15 户（累计值，月报）")

    _fill_entry(page, "N/A")
    screenshot(page, "entry-not-a-number")
    page.click("input[name=_save]")
    expect(page.locator(".errornote")).to_have_text("请更正以下错误。")
    screenshot(page, "entry-refused")
    expect(page.locator(".field-value .errorlist")).to_have_text(
        "“N/A”不是数字；请只填写数值，说明写在“说明”栏。"
    )
    assert (ProgressEntry.objects.count(), EvidenceFile.objects.count()) == (0, 0)

    _fill_entry(page, "15000")  # 15000 户 against a goal of 15: a slip of unit, asked about
    page.click("input[name=_save]")
    expect(page.locator(".field-value .errorlist")).to_have_text(
        "数值15000 户是目标值（15 户）的1000倍；请确认单位是“户”。如确认无误，请勾选“确认数值”后再保存。"
    )
    expect(page.locator("#id_confirm_scale")).to_be_visible()
    screenshot(page, "entry-confirmation-asked")
    assert ProgressEntry.objects.count() == 0

    _fill_entry(page, "7")  # the browser drops the chosen file when the form comes back
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/progress/progressentry/")
    screenshot(page, "entry-saved")
    expect(page.locator(".messagelist")).to_have_text("成功添加了 进度填报“1.1.03 · 2020-06-30”。")
    entry = ProgressEntry.objects.get(target=target)
    assert (str(entry.value.normalize()), entry.submitted_by) == ("7", official_zhang)
    assert list(entry.evidence.values_list("original_name", flat=True)) == [EVIDENCE["name"]]

    page.get_by_role("link", name="我的目标", exact=True).first.click()
    page.wait_for_url("**/admin/progress/mytarget/")
    screenshot(page, "my-targets-after")
    assert _light(page, ENTERPRISES) == ("正常", GREEN)
