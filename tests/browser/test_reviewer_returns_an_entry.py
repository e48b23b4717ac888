"""陈局长, reviewer of 工业和信息化局, finds 张工信's June figure through 待审核 on the index and returns it
from the entry's own page with a reason; 张工信 sees 被退回 on 我的目标 and corrects it; 陈局长 approves the
correction from its page, and is refused, in Chinese, on an entry he submitted himself (四眼原则)."""

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
    """The entry's row in the 进度填报 list."""
    return page.locator("#result_list tbody tr").filter(
        has=page.locator(f"th.field-target_code a[href*='/progressentry/{entry.pk}/change/']")
    )


def test_reviewer_returns_and_approves_from_the_entry_page_and_never_his_own(
    sign_in, screenshot, june_entry, reviewer_chen, official_zhang
):
    page = sign_in("reviewer_chen")
    expect(page.locator("#wz-queue")).to_contain_text("待审核 1")
    page.locator("#wz-queue").get_by_role("link", name="待审核 1").click()
    page.wait_for_url("**/admin/progress/progressentry/?review_state__exact=mine&report=all")
    expect(_entry_row(page, june_entry).locator("td.field-review_badge")).to_have_text("待审核")
    screenshot(page, "awaiting-my-review")

    _entry_row(page, june_entry).locator("th.field-target_code a").click()
    page.wait_for_url(f"**/admin/progress/progressentry/{june_entry.pk}/change/**")  # list filters kept
    page.fill("#id_reason", REASON)
    screenshot(page, "entry-page-reason-given")
    page.click("#wz-return")
    page.wait_for_url("**/admin/progress/progressentry/**")
    expect(page.locator(".messagelist")).to_contain_text("已通知填报人")
    june_entry.refresh_from_db()
    assert (june_entry.review_state, june_entry.return_reason, june_entry.reviewed_by) == (
        ReviewState.RETURNED,
        REASON,
        reviewer_chen,
    )

    official = sign_in("official_zhang")
    expect(official.locator("#wz-queue")).to_contain_text("被退回 1")
    official.get_by_role("link", name="我的目标", exact=True).first.click()
    official.wait_for_url("**/admin/progress/mytarget/")
    screenshot(official, "my-targets-returned-badge")
    official.locator("a.wz-returned").click()
    official.wait_for_url(f"**/admin/progress/progressentry/{june_entry.pk}/change/")
    expect(official.locator(".field-return_reason .readonly")).to_have_text(REASON)
    screenshot(official, "official-reads-the-reason")
    official.fill("#id_value", "6")
    official.click("input[name=_save]")
    official.wait_for_url("**/admin/progress/progressentry/")
    assert not official.locator("a.wz-returned").count()

    page.goto(f"/admin/progress/progressentry/{june_entry.pk}/change/")
    screenshot(page, "correction-to-approve")
    page.click("#wz-approve")
    page.wait_for_url("**/admin/progress/progressentry/**")
    june_entry.refresh_from_db()
    assert (june_entry.review_state, june_entry.revision) == (ReviewState.APPROVED, 2)

    own = services.progress_entry_submit(
        target=Target.objects.get(code="1.1.02", report__year=2020),
        period_end=dt.date(2020, 6, 30),
        value="5",
        by=reviewer_chen,
    )
    page.goto(f"/admin/progress/progressentry/{own.pk}/change/")
    expect(page.locator("#wz-review .errornote")).to_have_text(
        "四眼原则：不能审核自己提交或更正的填报，请由本单位另一位单位负责人审核。"
    )
    assert not page.locator("#wz-approve").count()
    screenshot(page, "own-entry-refused")


def test_a_cooperating_official_adds_a_note_but_no_figure(sign_in, screenshot, official_sun):
    target = Target.objects.get(
        code="1.1.03", report__year=2020
    )  # led by 工业和信息化局, 统计局 co-operating
    page = sign_in("official_sun")
    page.goto(f"/admin/boards/targets/{target.pk}/")
    expect(page.locator("#wz-due")).to_contain_text("本目标的数值由牵头单位填报。")
    assert not page.get_by_role("link", name="填报2020年6月").count()
    screenshot(page, "cooperating-desk")

    page.fill("#wz-cooperation-form textarea", "统计局已核实6月新入库企业7户")
    page.click("#wz-cooperation-form input[type=submit]")
    expect(page.locator(".messagelist")).to_have_text("已添加配合情况。")
    expect(page.locator("#wz-cooperation + p + table")).to_contain_text("统计局已核实6月新入库企业7户")
    screenshot(page, "cooperation-note-added")

    page.goto(f"/admin/progress/progressentry/add/?target={target.pk}")
    page.fill("#id_value", "7")
    page.click("input[name=_save]")
    expect(page.locator(".errorlist").first).to_contain_text("该目标的数值由牵头单位（工业和信息化局）填报")
    screenshot(page, "cooperating-submit-refused")


def test_the_manager_reads_the_city_wide_scoreboard(sign_in, screenshot, manager_wang, june_entry):
    page = sign_in("manager_wang")
    page.goto("/admin/boards/scoreboard/")
    expect(page.locator("#content")).to_contain_text("得分 = 100 − 10 × 扣分 ÷ 牵头目标数")
    overdue = page.locator("th .wz-light.overdue").evaluate(
        "light => getComputedStyle(light).backgroundColor"
    )
    assert overdue == "rgb(127, 0, 0)"  # darker than 滞后's red, never a milder colour
    screenshot(page, "scoreboard")
