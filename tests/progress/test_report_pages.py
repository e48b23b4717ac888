"""The managers' report pages: content against a known data set, as of today and as of a past date."""

import datetime as dt

import pytest
from django.urls import reverse

from progress.services import progress_entry_return, progress_entry_submit
from targets.models import Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def known_entries(clock, official_zhang, reviewer_chen):
    """1.1.03 reported at 2 (lagging) on 3 July; 1.1.02 at 9 (on track) on 3 July, corrected down to 1 on
    10 July; 1.1.05 at 1 on 3 July, returned on 6 July."""

    def submit(code, value):
        target = Target.objects.get(report__year=2020, code=code)
        return progress_entry_submit(
            target=target, period_end=dt.date(2020, 6, 30), value=value, by=official_zhang
        )

    submit("1.1.03", "2")
    newcomers = submit("1.1.02", "9")
    returned = submit("1.1.05", "1")
    clock(dt.date(2020, 7, 6))
    progress_entry_return(entry=returned, by=reviewer_chen, reason="缺少佐证")
    clock(dt.date(2020, 7, 10))
    from progress.services import progress_entry_correct

    progress_entry_correct(entry=newcomers, value="1", by=official_zhang)
    return clock


def _rows(response) -> dict[str, object]:
    return {row.target.code: row.evaluation for row in response.context["rows"]}


def test_lagging_report_lists_what_needs_attention_as_of_today(manager_client, known_entries):
    response = manager_client.get(reverse("boards-lagging"), {"as_of": "2020-07-10"})
    rows = _rows(response)
    assert rows["1.1.03"].performance == "lagging"
    assert rows["1.1.02"].performance == "lagging"  # 1 of 10 after the correction
    assert "1.1.05" in rows and rows["1.1.05"].performance == "no_data"  # returned: not counted, report late
    assert rows["1.1.05"].reporting == "late"
    page = response.content.decode()
    assert "滞后/逾期目标" in page and "逾期未报" in page
    assert all(evaluation.performance in {"at_risk", "lagging", "overdue"} or evaluation.reporting == "late"
               for evaluation in rows.values())  # fmt: skip


def test_lagging_report_as_of_a_past_date_reproduces_that_day(manager_client, known_entries):
    rows = _rows(manager_client.get(reverse("boards-lagging"), {"as_of": "2020-07-05"}))
    assert rows["1.1.03"].performance == "lagging"
    assert "1.1.02" not in rows  # 9 of 10 on 5 July: on track, and its June report was in
    assert "1.1.05" not in rows or rows["1.1.05"].reporting != "late"  # not yet returned on 5 July


def test_lagging_report_filters(manager_client, known_entries):
    url = reverse("boards-lagging")
    by_department = _rows(manager_client.get(url, {"as_of": "2020-07-10", "department": "industry"}))
    assert by_department and all(
        Target.objects.get(report__year=2020, code=code)
        .assignments.filter(department__code="industry")
        .exists()
        for code in by_department
    )
    lagging_only = _rows(manager_client.get(url, {"as_of": "2020-07-10", "performance": "lagging"}))
    assert set(lagging_only) == {"1.1.03", "1.1.02"}
    late_only = _rows(
        manager_client.get(url, {"as_of": "2020-07-10", "reporting": "late", "department": "industry"})
    )
    assert "1.1.05" in late_only and "1.1.03" not in late_only


def test_a_future_or_malformed_as_of_is_refused_in_chinese(manager_client, known_entries):
    page = manager_client.get(reverse("boards-lagging"), {"as_of": "2020-08-01"}).content.decode()
    assert "截至日期不能晚于今天" in page
    page = manager_client.get(reverse("boards-lagging"), {"as_of": "七月"}).content.decode()
    assert "输入一个有效的日期" in page


def test_bulletin_is_printable(manager_client, known_entries):
    page = manager_client.get(reverse("boards-bulletin"), {"as_of": "2020-07-10"}).content.decode()
    assert "@media print" in page
    assert "滞后 2 个" in page
    assert "市政府督查室" in page and "2020年7月10日" in page
    # The print button's script is a file: the Content-Security-Policy refuses inline handlers.
    assert "onclick" not in page and '<button type="button" data-print>打印</button>' in page
    assert '<script src="/static/progress/print.js" defer></script>' in page


def test_scoreboard_explains_each_score(manager_client, known_entries):
    response = manager_client.get(reverse("boards-scoreboard"), {"as_of": "2020-07-10"})
    industry = next(score for score in response.context["scores"] if score.department.code == "industry")
    assert industry.performance["lagging"] == 2
    assert industry.returned_entries == 1
    # 19 led targets: 2 lagging, 17 with a late report (only 1.1.03 and 1.1.02 reported June), 1 returned.
    assert industry.explanation == (
        "扣分 6×2（滞后） + 2×17（逾期未报） + 1×1（被退回填报） = 47；100 − 10 × 47 ÷ 19个牵头目标 = 75.3"
    )
    ranks = [score.rank for score in response.context["scores"]]
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert "计分规则" in response.content.decode()


def test_chapter_overview_shows_headline_targets_first(manager_client, known_entries):
    response = manager_client.get(reverse("boards-overview"), {"as_of": "2020-07-10"})
    assert [row.target.code for row in response.context["headline"]][:3] == ["0.1.01", "0.1.02", "0.1.03"]
    summary = response.context["summary"]
    assert summary.total == 138
    chapter_one = next(chapter for chapter in summary.by_chapter if chapter["chapter"].number == 1)
    assert chapter_one["performance"]["lagging"] == 2
    assert chapter_one["total"] == 46
    page = response.content.decode()
    assert page.index("主要预期目标") < page.index("分章节、分重点任务")


def test_target_page_has_chart_entries_and_history(manager_client, known_entries):
    from progress.statuses import target_status_refresh

    target = Target.objects.get(report__year=2020, code="1.1.02")
    target_status_refresh(target_id=target.pk)
    page = manager_client.get(
        reverse("boards-target", args=[target.pk]), {"as_of": "2020-07-10"}
    ).content.decode()
    assert "<svg" in page and "序时进度" in page
    assert "部门预估" in page and "待审核" in page
    assert "状态变化" in page and "滞后" in page


def test_report_pages_are_scoped_for_officials(client, known_entries, official_zhao):
    client.force_login(official_zhao)
    rows = _rows(client.get(reverse("boards-lagging"), {"as_of": "2020-07-10"}))
    assert "1.1.03" not in rows
    other = Target.objects.get(report__year=2020, code="1.1.03")
    assert client.get(reverse("boards-target", args=[other.pk])).status_code == 404


def test_report_pages_need_a_login(client, report_2020):
    response = client.get(reverse("boards-lagging"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
