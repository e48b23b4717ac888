"""The next year's report in the browser (#17.3): 王督查 opens 报告草稿 from the admin index, uploads the
fictional county's 2021 text, changes one row (实施重点项目: 126 → 130 个, 财政局 added to co-operate),
publishes, and lands on 我的目标 for the new report, where the changed row reads as edited."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from targets.models import Report, Target

pytestmark = pytest.mark.browser

QINGHE_TEXT = (
    Path(__file__).resolve().parents[2] / "targets/data/examples/qinghe_2021_government_work_report.txt"
)


def test_manager_uploads_edits_publishes_and_opens_my_targets(sign_in, screenshot, manager_wang):
    manager = sign_in("manager_wang")
    manager.locator("#wz-reports").get_by_role("link", name="报告草稿").click()
    manager.wait_for_url("**/admin/drafts/")
    manager.set_input_files("#id_source", QINGHE_TEXT)
    manager.fill("#id_year", "2021")
    screenshot(manager, "upload")
    manager.get_by_role("button", name="上传并起草").click()
    manager.wait_for_url("**/admin/drafts/*/")
    expect(manager.locator(".messagelist")).to_contain_text("已起草“2021年青禾县政府工作报告”")
    row = manager.locator("#row-1\\.1\\.01")
    expect(row.locator("mark")).to_have_text("全年实施重点项目126个")
    screenshot(manager, "draft")

    row.get_by_role("link", name="修改").click()
    manager.wait_for_url("**/rows/1.1.01/")
    manager.fill("#id_value", "130")
    manager.select_option("#id_cooperating", label="财政局")
    screenshot(manager, "row-edit")
    manager.get_by_role("button", name="保存").click()
    manager.wait_for_url("**/admin/drafts/*/#row-1.1.01")
    expect(manager.locator("#row-1\\.1\\.01")).to_contain_text("≥ 130 个")
    expect(manager.locator("#row-1\\.1\\.01")).to_contain_text("发展和改革委员会、财政局")

    manager.get_by_role("button", name="发布为2021年报告").click()
    manager.wait_for_url("**/admin/progress/mytarget/?report=*")
    report = Report.objects.get(year=2021)
    expect(manager.locator(".messagelist")).to_contain_text("已发布“2021年青禾县政府工作报告”：49 个目标。")
    expect(manager.locator("#result_list")).to_contain_text("实施重点项目")
    expect(manager.locator("#result_list")).not_to_contain_text("新增规上企业")  # a 2020 target
    screenshot(manager, "my-targets-2021")
    target = Target.objects.get(report=report, code="1.1.01")
    assert target.value == 130
    assert [department.name for department in target.ordered_departments()] == ["发展和改革委员会", "财政局"]
