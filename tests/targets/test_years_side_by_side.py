"""Years side by side (#17.4): the fictional county's 2021 report, drafted from its text on the draft page
and published next to 2020, leaves 2020 untouched; a 2021 target linked to its 2020 predecessor shows that
target's result as its baseline on the desk; 2020 refuses a new entry once it closed (its last report's
due date, 8 January 2021, plus the 30 days' grace), until an administrator reopens it with a reason."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from progress.services import progress_entry_submit
from progress.years import year_lock_refusal
from targets.models import Baseline, Department, Report, ReportDraft, Target, TargetDepartment
from targets.years import report_entries_reopen

from ..conftest import WUZHONG

pytestmark = pytest.mark.django_db

QINGHE_TEXT = (
    Path(__file__).resolve().parents[2] / "targets/data/examples/qinghe_2021_government_work_report.txt"
)


def year_2020_as_it_stands() -> dict:
    """Everything of 2020 that publishing another year could touch, and every department."""
    report = Report.objects.get(year=2020)
    return {
        "report": Report.objects.filter(pk=report.pk).values().get(),
        "targets": list(Target.objects.filter(report=report).order_by("code").values()),
        "baselines": list(Baseline.objects.filter(target__report=report).order_by("target__code").values()),
        "assignments": list(
            TargetDepartment.objects.filter(target__report=report).order_by("target__code", "order").values()
        ),
        "departments": list(Department.objects.order_by("code").values()),
    }


@pytest.fixture
def gdp_2020_final(official_liu, clock, report_2020):
    """刘发改 reports 2020's GDP growth (0.1.01, quarterly, led by 发展和改革委员会): 3.9% for the year, final,
    on 5 January 2021."""
    clock("2021-01-05")
    target = Target.objects.get(report=report_2020, code="0.1.01")
    progress_entry_submit(
        target=target, period_end=dt.date(2020, 12, 31), value="3.9", by=official_liu, is_final=True
    )
    return target


@pytest.fixture
def qinghe_2021(manager_client, gdp_2020_final, clock):
    """On 1 March 2021 王督查 uploads the county's text, confirms the proposed link of GDP growth to 2020's,
    and publishes."""
    clock("2021-03-01")
    response = manager_client.post(
        "/admin/drafts/", {"year": "2021", "source": QINGHE_TEXT.open("rb")}, follow=False
    )
    assert response.status_code == 302, response.content.decode()
    draft = ReportDraft.objects.get()
    gdp = next(
        target
        for chapter in draft.data["chapters"]
        for task in chapter["tasks"]
        for target in task["targets"]
        if target["metric"] == "地区生产总值增速"
    )
    assert gdp["previous_target"] == gdp_2020_final.pk and gdp["previous_confirmed"] is False  # proposed
    manager_client.post(f"/admin/drafts/{draft.pk}/", {"action": "confirm", "code": gdp["code"]})
    response = manager_client.post(f"/admin/drafts/{draft.pk}/", {"action": "publish"})
    assert response.status_code == 302, response.content.decode()
    return Report.objects.get(year=2021)


def test_publishing_2021_leaves_2020_untouched(manager_client, gdp_2020_final, clock):
    before = year_2020_as_it_stands()
    clock("2021-03-01")
    manager_client.post("/admin/drafts/", {"year": "2021", "source": QINGHE_TEXT.open("rb")})
    draft = ReportDraft.objects.get()
    manager_client.post(f"/admin/drafts/{draft.pk}/", {"action": "publish"})

    report = Report.objects.get(year=2021)
    assert report.issuer == "青禾县人民政府" and report.targets.count() == 49
    assert year_2020_as_it_stands() == before
    assert ReportDraft.objects.get().published_report == report


def test_a_2021_target_shows_its_2020_result_as_baseline(manager_client, qinghe_2021, gdp_2020_final):
    gdp_2021 = Target.objects.get(report=qinghe_2021, metric="地区生产总值增速")
    assert gdp_2021.previous == gdp_2020_final
    # Only the confirmed link was made: the other proposals were left unconfirmed.
    assert Target.objects.filter(report=qinghe_2021, previous__isnull=False).count() == 1

    page = manager_client.get(f"/admin/boards/targets/{gdp_2021.pk}/").content.decode()
    assert "2020年结果：3.9 %" in page
    assert f"/admin/boards/targets/{gdp_2020_final.pk}/" in page  # the predecessor's desk
    assert "全年地区生产总值完成98.6亿元，增长3.8%" in page  # the report's own baseline stays beside it
    assert gdp_2021.history.filter(history_change_reason__contains="关联上年目标 0.1.01").exists()


def test_2020_refuses_a_new_entry_after_it_closed(
    qinghe_2021, gdp_2020_final, official_liu, administrator_li, clock
):
    gdp_2020 = gdp_2020_final  # its third quarter was never reported
    clock("2021-02-07")  # 8 January + 30 days: the last day of grace
    assert year_lock_refusal(target=gdp_2020, today=dt.date(2021, 2, 7)) is None

    clock("2021-03-01")
    with pytest.raises(ValidationError) as refused:
        progress_entry_submit(target=gdp_2020, period_end=dt.date(2020, 9, 30), value="3.5", by=official_liu)
    assert refused.value.message_dict["target"] == [
        "2020年度已结束：最后一期报告的截止日加30天宽限期已于2021年2月7日届满，不能再新增或更正填报；"
        "如确需补报，请系统管理员重新开放该年度并说明原因。"
    ]
    assert not gdp_2020.entries.filter(period_end=dt.date(2020, 9, 30)).exists()
    # The 2021 report is open.
    assert year_lock_refusal(target=qinghe_2021.targets.first(), today=dt.date(2021, 3, 1)) is None

    report_entries_reopen(report=gdp_2020.report, by=administrator_li, reason="统计局年报数据3月初才发布")
    gdp_2020.refresh_from_db()
    progress_entry_submit(target=gdp_2020, period_end=dt.date(2020, 9, 30), value="3.5", by=official_liu)
    reopened = gdp_2020.report.history.order_by("-history_id").first()
    assert reopened.history_change_reason == "统计局年报数据3月初才发布"
    assert reopened.history_user == administrator_li and reopened.entries_reopened is True


def test_only_an_administrator_reopens_a_year_and_says_why(report_2020, manager_wang, administrator_li):
    with pytest.raises(ValidationError, match="请填写重新开放"):
        report_entries_reopen(report=report_2020, by=administrator_li, reason="  ")
    with pytest.raises(ValidationError, match="只有系统管理员"):
        report_entries_reopen(report=report_2020, by=manager_wang, reason="补报")
    report_2020.refresh_from_db()
    assert report_2020.entries_reopened is False


def test_the_lock_date_follows_the_grace_setting(report_2020, settings):
    target = Target.objects.get(report=report_2020, code="0.1.03")
    settings.YEAR_LOCK_GRACE_DAYS = 0
    assert year_lock_refusal(target=target, today=dt.date(2021, 1, 8)) is None  # due today: still open
    assert "宽限期已于2021年1月8日届满" in year_lock_refusal(target=target, today=dt.date(2021, 1, 9))


def test_an_entry_in_the_year_costs_no_query_for_the_lock(report_2020, django_assert_num_queries):
    target = Target.objects.select_related("report").get(report=report_2020, code="0.1.03")
    with django_assert_num_queries(0):
        assert year_lock_refusal(target=target, today=dt.datetime(2020, 7, 3, tzinfo=WUZHONG).date()) is None


def test_the_api_and_the_entry_form_refuse_alike(client, report_2020, official_liu, clock):
    clock("2021-03-01")
    gdp = Target.objects.get(report=report_2020, code="0.1.01")
    client.force_login(official_liu)
    body = {"target": gdp.pk, "period_end": "2020-12-31", "value": "3.9"}

    api = client.post("/api/entries/", body, content_type="application/json")
    form = client.post("/admin/progress/progressentry/add/", body)

    assert api.status_code == 400
    assert "2020年度已结束" in api.content.decode()
    assert form.status_code == 200 and "2020年度已结束" in form.content.decode()
    assert not gdp.entries.exists()


def test_the_entry_form_of_a_closed_year_says_so_before_a_figure_is_typed(
    gdp_2020_final, official_liu, client, clock
):
    def value_help_text(day: str) -> str:
        clock(day)
        client.force_login(official_liu)
        response = client.get(reverse("admin:progress_progressentry_add"), {"target": gdp_2020_final.pk})
        return response.context["adminform"].form.fields["value"].help_text

    assert value_help_text("2021-03-01").startswith(
        "注意：2020年度已结束：最后一期报告的截止日加30天宽限期已于2021年2月7日届满"
    )
    assert value_help_text("2021-02-07").startswith("目标：")  # the last day of grace: nothing to say yet
