"""督办 in the browser: 王督查 ticks 新增规上企业 on the 滞后/逾期 report and issues a 挂牌督办 notice to
工业和信息化局; its reviewer 陈局长 finds it under 督办单 and answers with 整改措施 and a completion date;
王督查 closes it, and the target's page lists the notice with every step. Screenshots include the
printable notice and the target page with its notice."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from progress import services
from progress.models import Notice
from targets.models import Target

pytestmark = pytest.mark.browser

MEASURES = "一、逐户走访培育库企业；二、9月底前新增入库8户；三、每月5日前报送进展。"


@pytest.fixture
def enterprises_lagging(official_zhang):
    """新增规上企业: 2 of 15 by the end of June, against about half expected by then: 滞后."""
    return services.progress_entry_submit(
        target=Target.objects.get(code="1.1.03", report__year=2020),
        period_end=dt.date(2020, 6, 30),
        value="2",
        by=official_zhang,
    )


def test_manager_issues_reviewer_answers_manager_closes(
    sign_in, screenshot, enterprises_lagging, manager_wang, reviewer_chen
):
    target = enterprises_lagging.target
    manager = sign_in("manager_wang")
    manager.locator("#wz-reports").get_by_role("link", name="滞后/逾期目标").click()
    manager.select_option("#id_department", label="工业和信息化局")
    manager.get_by_role("button", name="查询").click()
    manager.wait_for_url("**/admin/boards/lagging/?*department=industry*")
    manager.get_by_label("督办 1.1.03").check()
    screenshot(manager, "lagging-ticked")
    manager.get_by_role("button", name="发督办单").click()
    manager.wait_for_url("**/admin/notices/issue/?*")
    expect(manager.locator("#notice-issue")).to_contain_text("工业和信息化局（1 个目标）")
    expect(manager.locator("#notice-issue textarea")).to_have_value(
        re.compile(r"^1\. 1\.1\.03 新增规上企业：滞后。")
    )
    manager.select_option("#id_level", label="挂牌督办")
    screenshot(manager, "issue-form")
    manager.get_by_role("button", name="下发督办单").click()
    manager.wait_for_url(re.compile(r".*/admin/notices/\d+/$"))
    notice = Notice.objects.get()
    expect(manager.locator(".messagelist")).to_have_text(
        "已下发督办单 1 份：吴督〔2020〕1号（工业和信息化局）。"
    )
    expect(manager.locator("#notice-standing")).to_have_text("已下发")
    screenshot(manager, "notice-issued")
    manager.goto(f"/admin/notices/{notice.pk}/print/")
    expect(manager.locator("h1")).to_have_text("挂牌督办通知单")
    expect(manager.locator(".number")).to_have_text("吴督〔2020〕1号")
    expect(manager.locator("body")).to_contain_text("2020年7月10日")
    screenshot(manager, "printable-notice")

    reviewer = sign_in("reviewer_chen")
    reviewer.get_by_role("link", name="督办单", exact=True).first.click()
    reviewer.wait_for_url("**/admin/progress/notice/")
    reviewer.get_by_role("link", name="吴督〔2020〕1号").click()
    reviewer.wait_for_url(f"**/admin/notices/{notice.pk}/")
    reviewer.fill("#id_measures", MEASURES)
    reviewer.fill("#id_expected_completion", "2020-09-30")
    screenshot(reviewer, "answer-filled")
    reviewer.get_by_role("button", name="提交反馈").click()
    expect(reviewer.locator(".messagelist")).to_have_text("督办单吴督〔2020〕1号已反馈。")
    expect(reviewer.locator("#notice-standing")).to_have_text("已反馈")
    screenshot(reviewer, "answered")

    manager.goto(f"/admin/notices/{notice.pk}/")
    expect(manager.locator("#content")).to_contain_text(MEASURES)
    manager.fill("#id_remark", "整改措施具体可行，同意办结。")
    manager.get_by_role("button", name="办结", exact=True).click()
    expect(manager.locator("#notice-standing")).to_have_text("已办结")
    screenshot(manager, "closed")
    notice.refresh_from_db()
    assert notice.state == "closed"
    assert list(notice.events.values_list("step", "by__username")) == [
        ("issue", "wang_duchashi"),
        ("answer", "chen_gongxin"),
        ("close", "wang_duchashi"),
    ]

    manager.goto(f"/admin/boards/targets/{target.pk}/")
    notices = manager.locator("#target-notices + p + h3, #target-notices ~ h3").first
    expect(notices).to_contain_text("吴督〔2020〕1号")
    expect(notices).to_contain_text("已办结")
    expect(manager.locator("#content")).to_contain_text(MEASURES)
    manager.locator("#target-notices").scroll_into_view_if_needed()
    screenshot(manager, "target-page-with-notice")
