"""The first run, as the README walks a newcomer through it: the demo clock at 3 July 2020 (the real clock
elsewhere), the demo year loaded up to that date and the day's jobs run, as `make run` does. The year
shows every light in plausible proportions; 农业农村局's official reports a June figure and watches the
light change; its reviewer approves it; the manager reads the lagging report, the bulletin, a scoreboard
that separates departments, and the day's messages in the outbox."""

import datetime as dt
import re
from collections import Counter

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from progress.boards import department_scoreboard
from progress.models import Message, ProgressEntry, ReviewState, TargetStatus
from targets.models import Comparator, Measure, Target

from ..conftest import WUZHONG

pytestmark = pytest.mark.browser

DEMO_DAY = dt.date(2020, 7, 3)
BANNER = "演示模式：系统日期为2020年7月3日"


@pytest.fixture(autouse=True)
def mid_2020(time_machine):
    """Overrides the suite's clock: the real clock stands in November 2026 (ticking); only the demo clock
    says 3 July 2020."""
    time_machine.move_to(dt.datetime(2026, 11, 30, 9, 0, tzinfo=WUZHONG), tick=True)


@pytest.fixture
def demo_year(settings, tmp_path):
    """What `make run` does before it serves: demo accounts, the year lived up to the demo date, the day's
    scheduled jobs once (mail into Django's outbox)."""
    settings.DEMO_TODAY = DEMO_DAY
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # --force: the test runner turns DEBUG off, which these commands otherwise insist on.
    call_command("create_demo_accounts", force=True, verbosity=0)
    call_command("load_demo_progress", force=True, verbosity=0)
    for command in ("sweep_statuses", "send_alerts", "send_reminders", "send_digest"):
        call_command(command, verbosity=0)


def _row(page, code: str):
    return page.locator("#result_list tbody tr").filter(
        has=page.locator("th.field-code", has_text=re.compile(rf"^{re.escape(code)}$"))
    )


def _light(page, code: str) -> str:
    return _row(page, code).locator("td.field-light").inner_text().strip()


def test_the_demo_year_shows_every_light_and_a_day_of_work(demo_year, sign_in_with_password, screenshot):
    statuses = Counter(TargetStatus.objects.values_list("performance", flat=True))
    assert sum(statuses.values()) == 138
    assert statuses["on_track"] >= 138 // 2
    assert statuses["at_risk"] >= 5 and statuses["lagging"] >= 5 and statuses["achieved"] >= 3
    assert statuses["no_data"] < 138 / 5
    late = TargetStatus.objects.filter(reporting="late").select_related("target")
    assert 1 <= len({status.target.lead_department for status in late}) <= 4
    scores = department_scoreboard(as_of=DEMO_DAY)
    assert len({score.score for score in scores}) >= 5
    assert Message.objects.filter(kind="reminder").exists() and Message.objects.filter(kind="digest").exists()

    # 农业农村局's official: a mix of lights, and a June figure to report on a target that is behind.
    page = sign_in_with_password("agri_official", "agri_official-demo-2020")
    expect(page.locator(".wz-demo-banner")).to_contain_text(BANNER)
    page.get_by_role("link", name="我的目标", exact=True).first.click()
    page.wait_for_url("**/admin/progress/mytarget/")
    screenshot(page, "official-my-targets")
    lights = Counter(page.locator("#result_list td.field-light").all_inner_texts())
    assert {"正常", "预警", "滞后", "已完成", "无数据"} <= {label.strip() for label in lights}
    behind = (
        Target.objects.filter(
            assignments__department__code="agriculture",
            assignments__role="lead",
            measure=Measure.CUMULATIVE,
            comparator=Comparator.AT_LEAST,
            frequency="monthly",
            status__performance__in=["at_risk", "lagging"],
        )
        .exclude(entries__period_end=dt.date(2020, 6, 30))
        .order_by("code")
        .first()
    )
    assert behind is not None, "the demo has an agriculture target behind schedule with June to report"
    before = _light(page, behind.code)
    assert before in ("预警", "滞后")

    _row(page, behind.code).get_by_role("link", name="填报").click()
    page.wait_for_url("**/admin/progress/progressentry/add/?target=*")
    page.select_option("#id_period_end", "2020-06-30")
    page.fill("#id_value", str(behind.value.normalize()))
    screenshot(page, "official-june-figure")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/progress/progressentry/")
    page.get_by_role("link", name="我的目标", exact=True).first.click()
    page.wait_for_url("**/admin/progress/mytarget/")
    screenshot(page, "official-light-changed")
    assert _light(page, behind.code) == "已完成"
    entry = ProgressEntry.objects.get(target=behind, period_end=dt.date(2020, 6, 30))
    assert entry.submitted_at.astimezone(WUZHONG).date() == DEMO_DAY  # dated by the demo clock

    # Its reviewer approves the figure.
    page = sign_in_with_password("agri_reviewer", "agri_reviewer-demo-2020")
    page.goto(f"/admin/progress/progressentry/?review_state__exact=submitted&q={behind.code}")
    screenshot(page, "reviewer-awaiting-review")
    page.locator("#result_list tbody tr").filter(has_text="2020年6月30日").locator(
        "input[name=_selected_action]"
    ).check()
    page.select_option("select[name=action]", "approve_entries")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text("已批准 1 条填报。")
    screenshot(page, "reviewer-approved")
    entry.refresh_from_db()
    assert entry.review_state == ReviewState.APPROVED

    # The manager: real laggards, a bulletin, a scoreboard that separates departments, the day's messages.
    page = sign_in_with_password("manager", "manager-demo-2020")
    page.goto("/admin/boards/lagging/")
    expect(page.locator("#content")).to_contain_text("截至 2020年7月3日")
    assert page.locator("#result_list tbody tr, .wz-table tbody tr").count() >= 10
    screenshot(page, "manager-lagging")
    page.goto("/admin/boards/bulletin/")
    expect(page.locator("body")).to_contain_text("关于政府工作报告目标任务滞后、逾期情况的通报")
    screenshot(page, "manager-bulletin")
    page.goto("/admin/boards/scoreboard/")
    screenshot(page, "manager-scoreboard")
    page.goto("/admin/progress/message/")
    expect(page.locator("#result_list")).to_contain_text("催报提醒")
    screenshot(page, "manager-outbox")
