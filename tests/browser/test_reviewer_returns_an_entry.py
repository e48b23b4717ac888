"""陈局长, reviewer of 工业和信息化局, returns 张工信's June figure from the 进度填报 list with a reason; 张工信
signs in and finds the entry marked 已退回 with that reason on its page."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from progress import services
from progress.models import ReviewState
from targets.models import Target

pytestmark = pytest.mark.browser

REASON = "6月新增规上企业应以统计局入库名单为准，请附名单后重报。"


@pytest.fixture
def june_entry(official_zhang):
    """新增规上企业: 7 of 15 by the end of June, submitted by 张工信 and awaiting review."""
    return services.progress_entry_submit(
        target=Target.objects.get(code="1.1.03", report__year=2020),
        period_end=dt.date(2020, 6, 30),
        value="7",
        by=official_zhang,
    )


def _entry_row(page, entry):
    """The entry's row in the 进度填报 list (officials have no action checkboxes: find it by its link)."""
    return page.locator("#result_list tbody tr").filter(
        has=page.locator(f"th.field-target_code a[href*='/progressentry/{entry.pk}/change/']")
    )


def test_reviewer_returns_an_entry_with_a_reason_and_the_official_sees_it(
    sign_in, screenshot, june_entry, reviewer_chen
):
    page = sign_in("reviewer_chen")
    page.get_by_role("link", name="进度填报", exact=True).first.click()
    page.wait_for_url("**/admin/progress/progressentry/")
    expect(_entry_row(page, june_entry).locator("td.field-review_badge")).to_have_text("待审核")
    screenshot(page, "entries-awaiting-review")

    _entry_row(page, june_entry).locator("input[name=_selected_action]").check()
    page.select_option("select[name=action]", "return_entries")
    screenshot(page, "return-chosen")
    page.click("button[name=index]")
    expect(page.locator("#content h1")).to_have_text("退回填报")
    page.fill("#id_reason", REASON)
    screenshot(page, "reason-given")
    page.click("input[type=submit][value=确认退回]")
    page.wait_for_url("**/admin/progress/progressentry/")
    expect(page.locator(".messagelist")).to_have_text("已退回 1 条填报。")
    expect(_entry_row(page, june_entry).locator("td.field-review_badge")).to_have_text("已退回")
    screenshot(page, "entry-returned")
    june_entry.refresh_from_db()
    assert (june_entry.review_state, june_entry.return_reason, june_entry.reviewed_by) == (
        ReviewState.RETURNED,
        REASON,
        reviewer_chen,
    )

    page = sign_in("official_zhang")
    page.get_by_role("link", name="进度填报", exact=True).first.click()
    page.wait_for_url("**/admin/progress/progressentry/")
    row = _entry_row(page, june_entry)
    expect(row.locator("td.field-review_badge")).to_have_text("已退回")
    screenshot(page, "official-sees-returned")
    row.locator("th.field-target_code a").click()
    page.wait_for_url(f"**/admin/progress/progressentry/{june_entry.pk}/change/")
    expect(page.locator(".field-review_state .readonly")).to_have_text("已退回")
    expect(page.locator(".field-return_reason .readonly")).to_have_text(REASON)
    screenshot(page, "official-reads-the-reason")
