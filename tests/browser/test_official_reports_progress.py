"""张工信 (工业和信息化局) signs in, sees only his department's targets on 我的目标, reports June's figure of
新增规上企业 with an evidence PDF through 填报 — told in Chinese, and nothing saved, when he types "N/A" —
and sees the target's status light turn from 无数据 to 正常."""

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
    page.fill("#id_period_end", "2020-06-30")
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

    _row(page, ENTERPRISES).get_by_role("link", name="填报").click()
    page.wait_for_url("**/admin/progress/progressentry/add/?target=*")
    target = Target.objects.get(code=ENTERPRISES, report__year=2020)
    assert page.locator("#id_target").input_value() == str(target.pk)

    _fill_entry(page, "N/A")
    screenshot(page, "entry-not-a-number")
    page.click("input[name=_save]")
    expect(page.locator(".errornote")).to_have_text("请更正以下错误。")
    screenshot(page, "entry-refused")
    expect(page.locator(".field-value .errorlist")).to_have_text(
        "“N/A”不是数字；请只填写数值，说明写在“说明”栏。"
    )
    assert (ProgressEntry.objects.count(), EvidenceFile.objects.count()) == (0, 0)

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
