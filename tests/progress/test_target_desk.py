"""目标工作台: every link to a target opens one page with its definition and sentence, its status and
reasons, its entries, the period due now with 填报 for the lead department, and its history."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from progress.services import progress_entry_approve, progress_entry_return, progress_entry_submit
from targets.models import Target

pytestmark = pytest.mark.django_db

DAIRY_COWS = "1.2.10"  # 新增奶牛3万头, led by 农业农村局 (赵农业, 周局长)
ENTERPRISES = "1.1.03"  # 新增规上企业15户, led by 工业和信息化局, 统计局 co-operating


def target(code: str) -> Target:
    return Target.objects.get(report__year=2020, code=code)


def desk(client, code: str):
    response = client.get(reverse("boards-target", args=[target(code).pk]))
    assert response.status_code == 200
    return response


def test_every_link_to_a_target_leads_to_its_desk(login, official_zhao):
    client = login("official_zhao")
    cows = target(DAIRY_COWS)
    expected = reverse("boards-target", args=[cows.pk])

    assert cows.get_absolute_url() == expected
    my_target = client.get(reverse("admin:progress_mytarget_change", args=[cows.pk]))
    definition = client.get(reverse("admin:targets_target_change", args=[cows.pk]))
    assert (my_target.status_code, my_target.url) == (302, expected)
    assert (definition.status_code, definition.url) == (302, expected)  # an official cannot edit it


def test_the_definition_form_stays_for_those_who_edit_targets(manager_client):
    response = manager_client.get(reverse("admin:targets_target_change", args=[target(DAIRY_COWS).pk]))
    assert response.status_code == 200
    assert "责任分工" in response.content.decode()


def test_the_api_gives_the_desk_as_the_target_url(login, official_zhao):
    cows = target(DAIRY_COWS)
    data = login("official_zhao").get(f"/api/targets/{cows.pk}/").json()
    assert data["url"] == f"http://testserver{reverse('boards-target', args=[cows.pk])}"


def test_the_desk_shows_the_definition_sentence_status_and_the_period_due_now(login, official_zhao):
    page = desk(login("official_zhao"), DAIRY_COWS).content.decode()

    assert "<mark>新增奶牛3万头</mark>" in page
    assert "目标</strong> ≥ 3 万头" in page and "牵头单位 <strong>农业农村局</strong>" in page
    assert "2019年：2 万头" in page  # the baseline
    assert "本期填报：2020年6月（应于 2020年7月7日 前报送）" in page
    add = reverse("admin:progress_progressentry_add")
    assert f'href="{add}?target={target(DAIRY_COWS).pk}&amp;period_end=2020-06-30"' in page
    assert "填报2020年6月" in page
    assert "编辑责任分工与阈值" not in page  # the definition form is not an official's


def test_a_returned_entry_is_the_period_to_correct(login, official_zhao, reviewer_zhou):
    entry = progress_entry_submit(
        target=target(DAIRY_COWS), period_end=dt.date(2020, 6, 30), value="2.9", by=official_zhao
    )
    progress_entry_return(entry=entry, by=reviewer_zhou, reason="与台账不符")

    page = desk(login("official_zhao"), DAIRY_COWS).content.decode()

    assert "已退回</span>：与台账不符" in page
    assert reverse("admin:progress_progressentry_change", args=[entry.pk]) in page
    assert "修改后重新提交" in page


def test_a_cooperating_department_sees_the_entries_but_no_submit_button(
    login, official_zhang, reviewer_chen, official_sun
):
    entry = progress_entry_submit(
        target=target(ENTERPRISES), period_end=dt.date(2020, 5, 31), value="6", by=official_zhang
    )
    progress_entry_approve(entry=entry, by=reviewer_chen)

    page = desk(login("official_sun"), ENTERPRISES).content.decode()

    assert "本期填报：2020年6月" in page
    assert "本目标的数值由牵头单位填报。" in page
    assert "填报2020年6月" not in page
    assert "6 户" in page and "张工信（工业和信息化局）" in page  # the lead's entry, by name


def test_a_past_date_is_for_reading_only(login, official_zhao):
    response = login("official_zhao").get(
        reverse("boards-target", args=[target(DAIRY_COWS).pk]), {"as_of": "2020-06-01"}
    )
    assert response.context["due"] is None


@pytest.mark.usefixtures("warm_caches")
def test_the_desk_query_count_does_not_grow_with_entries(login, official_zhao, reviewer_zhou, clock):
    client = login("official_zhao")
    cows = target(DAIRY_COWS)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("boards-target", args=[cows.pk])).status_code == 200
        return len(captured)

    progress_entry_submit(target=cows, period_end=dt.date(2020, 1, 31), value="0.5", by=official_zhao)
    with_one = queries()
    for month, value in ((2, "1"), (3, "1.5"), (4, "2"), (5, "2.5")):
        end = dt.date(2020, month + 1, 1) - dt.timedelta(days=1)
        entry = progress_entry_submit(target=cows, period_end=end, value=value, by=official_zhao)
        progress_entry_approve(entry=entry, by=reviewer_zhou)
    assert queries() == with_one == 15
