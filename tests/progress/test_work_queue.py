"""The work queue: 待审核 N / 被退回 N / 本期待报 N on the index and 我的目标 for the signed-in person, each a
link to the list it counts; a reviewer's entry list opens on the entries they may review."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from progress.judging import target_rule
from progress.rules import current_period_end
from progress.selectors import targets_due_now, targets_led_by, work_queue
from progress.services import progress_entry_return, progress_entry_submit
from targets.models import Department, Target
from tests.factories import ChapterFactory, KeyTaskFactory, ReportFactory, TargetFactory

pytestmark = pytest.mark.django_db

JUNE_END = dt.date(2020, 6, 30)
ENTRIES = "admin:progress_progressentry_changelist"


def target(code: str) -> Target:
    return Target.objects.get(report__year=2020, code=code)


@pytest.fixture
def industry_entries(july_3rd_2020, official_zhang, reviewer_chen):
    """Three June entries of 工业和信息化局: two by 张工信 (one of them returned), one by 陈局长 himself."""
    progress_entry_submit(target=target("1.1.03"), period_end=JUNE_END, value="7", by=official_zhang)
    returned = progress_entry_submit(
        target=target("1.1.02"), period_end=JUNE_END, value="4", by=official_zhang
    )
    progress_entry_return(entry=returned, by=reviewer_chen, reason="请附名单")
    progress_entry_submit(target=target("1.1.05"), period_end=JUNE_END, value="1", by=reviewer_chen)


def _due_now(user) -> set[str]:
    today = dt.date(2020, 7, 3)
    return {
        t.code
        for t in targets_led_by(user)
        if current_period_end(target_rule(t), today) is not None
        and not t.entries.filter(period_end=current_period_end(target_rule(t), today)).exists()
    }


def test_the_reviewer_counts_what_they_may_review_never_their_own(
    industry_entries, reviewer_chen, official_zhang
):
    assert (
        work_queue(user=reviewer_chen, today=dt.date(2020, 7, 3)).awaiting_review == 1
    )  # not his own 1.1.05
    queue = work_queue(user=official_zhang, today=dt.date(2020, 7, 3))
    assert (queue.awaiting_review, queue.returned) == (0, 1)
    assert queue.due_now == len(_due_now(official_zhang)) > 0


def test_the_index_shows_the_queue_with_links(industry_entries, login):
    page = login("reviewer_chen").get(reverse("admin:index")).content.decode()
    entries = reverse(ENTRIES)
    mine = reverse("admin:progress_mytarget_changelist")
    assert (
        f'<a href="{entries}?review_state__exact=mine&amp;report=all">待审核 <strong>1</strong></a>' in page
    )
    assert (
        f'href="{mine}?todo=returned&amp;report=all" style="color:#c62828">被退回 <strong>1</strong>' in page
    )
    assert f'href="{mine}?todo=due&amp;report=all">本期待报' in page


def test_a_manager_has_no_queue(login, manager_wang):
    assert "我的待办" not in login("manager_wang").get(reverse("admin:index")).content.decode()


def test_an_official_is_not_offered_review(industry_entries, login):
    page = login("official_zhang").get(reverse("admin:index")).content.decode()
    assert "待审核 <strong>" not in page and "被退回 <strong>1</strong>" in page


def test_a_reviewers_entry_list_opens_on_what_they_may_review(industry_entries, login):
    client = login("reviewer_chen")
    default = client.get(reverse(ENTRIES)).context["cl"].result_list
    everything = client.get(reverse(ENTRIES), {"review_state__exact": "all"}).context["cl"].result_list
    assert [entry.target.code for entry in default] == ["1.1.03"]
    assert sorted(entry.target.code for entry in everything) == ["1.1.02", "1.1.03", "1.1.05"]


def test_the_due_now_filter_lists_what_it_counts(industry_entries, login, official_zhang):
    response = login("official_zhang").get(reverse("admin:progress_mytarget_changelist"), {"todo": "due"})
    listed = {t.code for t in response.context["cl"].result_list}
    assert listed == _due_now(official_zhang)
    assert "1.1.03" not in listed and "1.1.02" not in listed  # reported (one returned: 被退回 instead)


@pytest.mark.usefixtures("warm_caches")
def test_the_index_query_count_does_not_grow_with_the_queue(july_3rd_2020, login, official_zhang):
    client = login("reviewer_chen")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("admin:index")).status_code == 200
        return len(captured)

    empty = queries()
    for code in ("1.1.03", "1.1.02", "1.1.05", "1.1.01"):
        progress_entry_submit(target=target(code), period_end=JUNE_END, value="1", by=official_zhang)
    assert queries() == empty == 11


@pytest.fixture
def report_2021_of_industry(db):
    """The 2021 report, published on 20 January 2021, with one monthly target led by 工业和信息化局."""
    report = ReportFactory(issuer="吴忠市人民政府", year=2021, delivered_on=dt.date(2021, 1, 8))
    return TargetFactory(
        task=KeyTaskFactory(chapter=ChapterFactory(report=report)),
        metric="新增示例企业2021",
        deadline=dt.date(2021, 12, 31),
        lead=Department.objects.get(code="industry"),
    )


def test_in_january_the_queue_holds_last_years_final_reports_until_the_year_closes(
    report_2021_of_industry, login, official_zhang, clock
):
    """On 20 January 2021 the year 2020 still takes its December and annual reports (its grace runs to 7
    February): they are 本期待报, and the link lists them although the lists open on 2021 by default. Once
    2020 has closed, nothing of it is asked any more."""
    clock("2021-01-20")
    due = targets_due_now(user=official_zhang, today=dt.date(2021, 1, 20))
    last_year = set(Target.objects.filter(pk__in=due).values_list("report__year", flat=True))
    assert (
        last_year == {2020}
        and len(due) == work_queue(user=official_zhang, today=dt.date(2021, 1, 20)).due_now
    )
    client = login("official_zhang")
    page = client.get(reverse("admin:index")).content.decode()
    assert f"本期待报 <strong>{len(due)}</strong>" in page
    listed = client.get(reverse("admin:progress_mytarget_changelist"), {"todo": "due", "report": "all"})
    assert {target.pk for target in listed.context["cl"].result_list} == set(due)

    clock("2021-03-01")
    assert targets_due_now(user=official_zhang, today=dt.date(2021, 3, 1)) == [report_2021_of_industry.pk]
