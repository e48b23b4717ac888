"""The report selector (#17.4): with 2020 and 2021 side by side, the boards, 我的目标, the targets',
entries', notices' and status changes' admin lists, the API and the export show one year, by default this year's (or, before it has a
report, the latest year's), and `?report=` takes a year or a report's ID."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from progress.models import Notice, StatusChange
from progress.notices import notice_issue
from targets.models import Department, Target
from tests.factories import ChapterFactory, KeyTaskFactory, ReportFactory, TargetFactory

from ..conftest import WUZHONG

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_2021(db):
    """A 2021 report with one target, 新增示例企业 (code 9.9.xx), led by 工业和信息化局."""
    report = ReportFactory(issuer="吴忠市人民政府", year=2021, delivered_on=dt.date(2021, 1, 8))
    TargetFactory(
        # Chapter 0 (主要预期目标): the overview names its targets one by one.
        task=KeyTaskFactory(chapter=ChapterFactory(report=report, number=0)),
        metric="新增示例企业2021",
        deadline=dt.date(2021, 12, 31),
        lead=Department.objects.get(code="industry"),
    )
    return report


@pytest.fixture
def in_march_2021(time_machine):
    time_machine.move_to(dt.datetime(2021, 3, 1, 10, 0, tzinfo=WUZHONG), tick=False)


def test_the_boards_show_this_years_report_unless_asked(manager_client, report_2021, in_march_2021):
    page = manager_client.get("/admin/boards/overview/").content.decode()
    assert "新增示例企业2021" in page and "地区生产总值增速" not in page
    page = manager_client.get("/admin/boards/overview/?report=2020").content.decode()
    assert "地区生产总值增速" in page and "新增示例企业2021" not in page
    page = manager_client.get(f"/admin/boards/overview/?report={report_2021.pk}").content.decode()
    assert "新增示例企业2021" in page
    assert '<option value="2021">2021年 · ' in page  # the selector, on every board


def test_before_this_year_has_a_report_the_latest_year_is_shown(manager_client, report_2020, july_3rd_2020):
    ReportFactory(year=2022)  # a report of a later year does not hide the current one
    page = manager_client.get("/admin/boards/overview/").content.decode()
    assert "地区生产总值增速" in page


def test_an_unknown_report_is_named_in_the_error(manager_client, report_2021, in_march_2021):
    page = manager_client.get("/admin/boards/lagging/?report=1999").content.decode()
    assert "没有“1999”：请选择有报告的年度（如 2021）或报告 ID。" in page


def test_my_targets_and_the_admin_lists_filter_by_year(manager_client, report_2021, in_march_2021):
    page = manager_client.get("/admin/progress/mytarget/").content.decode()
    assert "新增示例企业2021" in page and "地区生产总值增速" not in page
    page = manager_client.get("/admin/progress/mytarget/?report=2020").content.decode()
    assert "地区生产总值增速" in page and "新增示例企业2021" not in page
    page = manager_client.get("/admin/targets/target/?report=all&q=新增示例企业2021").content.decode()
    assert "新增示例企业2021" in page
    page = manager_client.get("/admin/progress/progressentry/?report=2020").content.decode()
    assert "报告年度" in page


def test_the_api_lists_one_year_and_a_target_by_id_whatever_its_year(
    manager_client, report_2021, in_march_2021
):
    def codes(query):
        return {row["metric"] for row in manager_client.get(f"/api/targets/{query}").json()["results"]}

    assert codes("") == {"新增示例企业2021"}
    assert "地区生产总值增速" in codes("?report=2020&page_size=500")
    assert len(codes("?report=all&page_size=500")) > 100
    gdp = Target.objects.get(report__year=2020, code="0.1.01")
    assert manager_client.get(f"/api/targets/{gdp.pk}/").status_code == 200
    refused = manager_client.get("/api/targets/?report=1999")
    assert refused.status_code == 400 and "没有“1999”" in json.dumps(refused.json(), ensure_ascii=False)
    summary = manager_client.get("/api/boards/summary/?report=2020").json()
    assert summary["as_of"] == "2021-01-08"  # 2020's closing date: a finished year reads as it ended


def test_the_export_command_takes_the_year(report_2021, report_2020):
    output = StringIO()
    call_command("export_targets", "--year", "2021", stdout=output)
    assert [json.loads(line)["metric"] for line in output.getvalue().splitlines()] == ["新增示例企业2021"]


def test_the_notices_and_the_status_changes_filter_by_year(
    manager_client, manager_wang, report_2020, report_2021, in_march_2021
):
    """The 督办单 and 状态变化 lists: a target's code repeats from year to year (1.1.01 in 2020 and 2021), so
    they show one year too, this year's by default."""
    targets = {
        2020: Target.objects.get(report=report_2020, code="1.1.01"),
        2021: Target.objects.get(report=report_2021),
    }
    for year, target in targets.items():
        notice_issue(targets=[target], level="supervise", matter=f"督办事项{year}", by=manager_wang)
        StatusChange.objects.create(
            target=target,
            axis="performance",
            old="no_data",
            new="lagging",
            reason=f"原因{year}",
            as_of=dt.date(2021, 3, 1),
            created_at=dt.datetime(2021, 3, 1, 1, 0, tzinfo=WUZHONG),
        )
    for path in ("/admin/progress/notice/", "/admin/progress/statuschange/"):
        shown = manager_client.get(path).context["cl"].result_list
        assert [_report_of(row) for row in shown] == [report_2021.pk], path
        shown = manager_client.get(f"{path}?report=2020").context["cl"].result_list
        assert [_report_of(row) for row in shown] == [report_2020.pk], path
        shown = manager_client.get(f"{path}?report=all").context["cl"].result_list
        assert sorted(_report_of(row) for row in shown) == [report_2020.pk, report_2021.pk], path


def _report_of(row) -> int:
    return row.report_id if isinstance(row, Notice) else row.target.report_id
