"""王督查 opens the 滞后/逾期 report from the admin index, narrows it to 工业和信息化局 with the filter form,
and downloads the 台账 as XLSX: the workbook holds the rows the page shows, in the same order."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from progress import services
from targets.models import Target, TargetDepartment

pytestmark = pytest.mark.browser

LEDGER_HEADER = ["编号", "章节", "重点任务", "指标", "目标", "单位", "牵头单位", "配合单位", "1月"]


@pytest.fixture
def enterprises_lagging(official_zhang):
    """新增规上企业: 2 of 15 by the end of June, against about half expected by then: 滞后."""
    return services.progress_entry_submit(
        target=Target.objects.get(code="1.1.03", report__year=2020),
        period_end=dt.date(2020, 6, 30),
        value="2",
        by=official_zhang,
    )


def _codes(page) -> list[str]:
    return page.locator("table.wz-table tbody tr td:first-child a").all_inner_texts()


def _total(page) -> int:
    """The number of targets the report holds (the page shows 100 at a time)."""
    return int(re.search(r"共 (\d+) 个目标需要关注", page.locator("#content").inner_text()).group(1))


def test_manager_filters_the_lagging_report_and_downloads_it(
    sign_in, screenshot, enterprises_lagging, manager_wang, tmp_path
):
    page = sign_in("manager_wang")
    screenshot(page, "index")
    page.locator("#wz-reports").get_by_role("link", name="滞后/逾期目标").click()
    page.wait_for_url("**/admin/boards/lagging/")
    expect(page.locator("#content h1")).to_have_text("滞后/逾期目标")
    expect(page.locator("#content")).to_contain_text("截至 2020年7月3日")
    screenshot(page, "report-all-departments")
    everything = _total(page)

    page.select_option("#id_department", label="工业和信息化局")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**/admin/boards/lagging/?*department=industry*")
    screenshot(page, "report-industry")
    industry = _codes(page)
    assert "1.1.03" in industry
    assert len(industry) == _total(page) < everything  # narrowed, and on one page
    assert set(industry) <= set(
        TargetDepartment.objects.filter(department__code="industry").values_list("target__code", flat=True)
    )
    row = page.locator("table.wz-table tbody tr").filter(
        has=page.get_by_role("link", name="1.1.03", exact=True)
    )
    expect(row).to_contain_text("滞后")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="XLSX", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == "滞后逾期目标台账_20200703.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    screenshot(page, "xlsx-downloaded")

    sheet = openpyxl.load_workbook(io.BytesIO(saved.read_bytes())).active
    assert sheet.title == "台账"
    assert sheet["A1"].value == "滞后/逾期目标（截至2020年7月3日）"
    header = [cell.value for cell in sheet[2]]
    assert header[: len(LEDGER_HEADER)] == LEDGER_HEADER
    rows = [
        dict(zip(header, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=3)
    ]
    assert [row["编号"] for row in rows] == industry
    enterprises = next(row for row in rows if row["编号"] == "1.1.03")
    assert (enterprises["牵头单位"], enterprises["6月"], enterprises["完成状态"]) == (
        "工业和信息化局",
        2,
        "滞后",
    )


def test_manager_narrows_the_report_to_a_chapter_and_a_key_task(sign_in, screenshot, enterprises_lagging):
    """The chapters are offered per report, the key tasks per chapter (one read for both); each narrows the
    rows and stays chosen; the overview shows its 主要预期目标 and the counts per chapter, in Chinese."""
    task = enterprises_lagging.target.task
    page = sign_in("manager_wang")
    page.goto(page.url.split("/admin/")[0] + "/admin/boards/lagging/")
    expect(page.locator("#id_chapter option").first).to_have_text("全部")
    expect(page.locator(f'#id_chapter optgroup[label="{task.chapter.report.title}"]')).to_have_count(1)

    page.select_option("#id_chapter", str(task.chapter_id))
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(f"**/admin/boards/lagging/?*chapter={task.chapter_id}*")
    assert "1.1.03" in _codes(page)
    assert all(code.startswith(f"{task.chapter.number}.") for code in _codes(page))
    expect(page.locator("#id_chapter")).to_have_value(str(task.chapter_id))

    page.select_option("#id_task", label=str(task))
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(f"**/admin/boards/lagging/?*task={task.pk}*")
    screenshot(page, "report-key-task")
    assert "1.1.03" in _codes(page)
    assert all(code.startswith(f"{task.chapter.number}.{task.number}.") for code in _codes(page))
    expect(page.locator("#id_task")).to_have_value(str(task.pk))

    page.get_by_role("link", name="分章节完成情况").click()
    page.wait_for_url("**/admin/boards/overview/")
    screenshot(page, "overview")
    expect(page.locator("#content")).to_contain_text("主要预期目标")
    expect(page.locator("#content")).to_contain_text("分章节、分重点任务")
    expect(page.locator("#content table.wz-table").last).to_contain_text("合计")
