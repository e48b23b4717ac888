"""A finished year: once every report of the latest work report is past due, the boards open on its closing
date (the due date of its last report) and say so, with a link to today; the late reporting of a year that
is over reads 全年未报 or 年度未报齐 rather than a count of days that only grows."""

import datetime as dt

import pytest

from progress.selectors import boards_default_as_of, report_closing_date
from progress.statuses import status_sweep

from ..conftest import WUZHONG

pytestmark = pytest.mark.django_db


@pytest.fixture
def end_of_november_2026(time_machine):
    """Monday 30 November 2026, 10:00 in Wuzhong: the bundled 2020 report is long over."""
    time_machine.move_to(dt.datetime(2026, 11, 30, 10, 0, tzinfo=WUZHONG), tick=False)


def test_2020_closes_with_the_due_date_of_its_december_reports(report_2020):
    # 31 December 2020, then 1 January (holiday) and a weekend: the 5th working day is Friday 8 January.
    assert report_closing_date(report_2020) == dt.date(2021, 1, 8)


@pytest.mark.parametrize(
    ("today", "as_of", "closed"),
    [
        ("2020-07-03", "2020-07-03", False),
        ("2021-01-08", "2021-01-08", False),  # the last reports are due today: the year is still open
        ("2021-01-09", "2021-01-08", True),
        ("2026-11-30", "2021-01-08", True),
    ],
)
def test_the_boards_default_date(report_2020, today, as_of, closed):
    default = boards_default_as_of(today=dt.date.fromisoformat(today))
    assert default.as_of == dt.date.fromisoformat(as_of)
    assert default.closed_year == (2020 if closed else None)


def test_a_board_of_a_finished_year_opens_on_its_closing_date(manager_client, end_of_november_2026):
    page = manager_client.get("/admin/boards/lagging/").content.decode()
    assert "截至 <strong>2021年1月8日</strong>" in page
    assert "2020年度的各期报告已于2021年1月8日全部到期" in page
    assert "?as_of=2026-11-30" in page and "查看截至今天（2026年11月30日）的状态" in page


def test_asked_for_today_the_board_says_全年未报_not_thousands_of_days(manager_client, end_of_november_2026):
    page = manager_client.get("/admin/boards/lagging/?as_of=2026-11-30").content.decode()
    assert "全部到期：本页显示" not in page  # a date was asked for: no banner
    assert "全年未报" in page
    assert "逾期未报 2" not in page  # no "逾期未报 2152 天"


def test_the_api_boards_default_to_the_closing_date(manager_client, end_of_november_2026):
    assert manager_client.get("/api/boards/summary/").json()["as_of"] == "2021-01-08"
    assert manager_client.get("/api/boards/summary/?as_of=2026-11-30").json()["as_of"] == "2026-11-30"


def test_my_targets_after_the_year_says_全年未报(login, official_zhao, end_of_november_2026):
    status_sweep()
    page = login("official_zhao").get("/admin/progress/mytarget/").content.decode()
    assert "全年未报" in page
    assert "天）" not in page
