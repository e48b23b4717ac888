"""With years side by side the weekly digest covers the year the boards show by default as of its day
(this year's report, or the latest): in 2021 a closed 2020's unmet targets are not news every week, and
its link opens the lagging report of the same year."""

import datetime as dt

import pytest

from progress.notifications import digest_drafts
from targets.models import Department
from tests.factories import ChapterFactory, KeyTaskFactory, ReportFactory, TargetFactory
from tests.progress.conftest import SITE_URL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbound_email")]

SUNDAY = dt.date(2021, 2, 28)  # what Monday 1 March 2021's digest describes


@pytest.fixture
def report_2021(db):
    """The 2021 report with one monthly target led by 工业和信息化局, its January report not in."""
    report = ReportFactory(issuer="吴忠市人民政府", year=2021, delivered_on=dt.date(2021, 1, 8))
    TargetFactory(
        task=KeyTaskFactory(chapter=ChapterFactory(report=report)),
        code="9.9.01",
        metric="新增示例企业2021",
        deadline=dt.date(2021, 12, 31),
        lead=Department.objects.get(code="industry"),
    )
    return report


def test_the_digest_of_2021_names_2021s_targets_only(clock, manager_wang, report_2020, report_2021):
    clock("2021-03-01", hour=8, minute=30)

    (draft,) = digest_drafts(as_of=SUNDAY)

    assert draft.subject == "【督查周报】截至2月28日24时：1个目标需关注"
    # The one lead department of 2021, with its one late report: not 2020's 36 departments.
    assert "- 工业和信息化局：牵头1项，预警0、滞后0、逾期未完成0，逾期未报1项" in draft.body_text
    assert "牵头138项" not in draft.body_text and "农业农村局：牵头" not in draft.body_text
    assert "1.1.03" not in draft.body_text  # 2020's 新增规上企业, overdue since the year ended
    assert f"{SITE_URL}/admin/boards/lagging/?as_of=2021-02-28&report=2021" in draft.body_text


def test_before_2021_has_a_report_the_digest_covers_2020(clock, manager_wang, report_2020):
    clock("2021-01-11", hour=8, minute=30)

    (draft,) = digest_drafts(as_of=dt.date(2021, 1, 10))

    assert "1.1.03" in draft.body_text
    assert f"{SITE_URL}/admin/boards/lagging/?as_of=2021-01-10&report=2020" in draft.body_text
