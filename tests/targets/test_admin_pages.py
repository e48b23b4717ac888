"""The admin, in Chinese, as a manager browses it: report → chapters → key tasks → targets."""

import pytest
from django.urls import reverse

from targets.models import Chapter, KeyTask, Target

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", ["report", "chapter", "keytask", "department", "target", "departmentmembership"]
)
def test_every_changelist_renders_for_a_manager(manager_client, report_2020, model):
    response = manager_client.get(
        reverse(f"admin:targets_{model}_changelist"), HTTP_ACCEPT_LANGUAGE="en-US,en"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'lang="zh-hans"' in page
    assert "首页" in page  # Chinese even for a browser that prefers English


def test_report_page_lists_its_chapters(manager_client, report_2020):
    page = manager_client.get(reverse("admin:targets_report_change", args=[report_2020.pk])).content.decode()
    assert "狠抓调转升级，推动经济高质量发展" in page
    assert "全面加强政府自身建设" in page


def test_chapter_page_lists_its_key_tasks(manager_client, report_2020):
    chapter = Chapter.objects.get(report=report_2020, number=1)
    page = manager_client.get(reverse("admin:targets_chapter_change", args=[chapter.pk])).content.decode()
    assert "加快工业转型升级" in page
    assert "扩大精准有效投资" in page


def test_key_task_page_shows_its_paragraph_and_targets(manager_client, report_2020):
    task = KeyTask.objects.get(chapter__report=report_2020, chapter__number=1, number=2)
    page = manager_client.get(reverse("admin:targets_keytask_change", args=[task.pk])).content.decode()
    assert "落实粮食安全责任制" in page
    assert "粮食产量" in page
    assert "≥ 90 万吨" in page


def test_target_page_highlights_its_sentence_inside_the_paragraph_and_shows_the_baseline(
    manager_client, report_2020
):
    grain = Target.objects.get(report=report_2020, code="1.2.01")
    page = manager_client.get(reverse("admin:targets_target_change", args=[grain.pk])).content.decode()
    assert "优化种植业和饲草料结构，<mark>粮食产量稳定在90万吨以上</mark>。酿酒葡萄" in page
    assert "2019年：102 万吨（原文：“粮食总产量102万吨”）" in page
    assert "农业农村局" in page


@pytest.mark.parametrize(
    ("query", "expected_codes"),
    [
        ("q=粮食", {"1.2.01"}),
        ("q=科创板", {"2.3.05"}),
        ("comparator__exact=about", {"0.1.06"}),
        ("lead=science&comparator__exact=done", {"5.3.09", "5.3.10"}),
        ("frequency__exact=quarterly&measure__exact=level&department=culture-tourism", {"1.3.09", "1.3.10"}),
    ],
)
def test_target_list_filters_and_search(manager_client, report_2020, query, expected_codes):
    response = manager_client.get(reverse("admin:targets_target_changelist") + "?" + query)
    shown = {target.code for target in response.context["cl"].result_list}
    assert shown == expected_codes


def test_target_list_filters_by_chapter_and_key_task(manager_client, report_2020):
    chapter = Chapter.objects.get(report=report_2020, number=7)
    task = KeyTask.objects.get(chapter=chapter, number=4)
    by_chapter = manager_client.get(
        reverse("admin:targets_target_changelist"), {"task__chapter__id__exact": chapter.pk}
    )
    by_task = manager_client.get(reverse("admin:targets_target_changelist"), {"task": task.pk})
    assert by_chapter.context["cl"].result_count == 4
    assert {t.code for t in by_task.context["cl"].result_list} == {"7.4.01", "7.4.02"}


def test_targets_come_from_the_data_file_not_the_add_form(manager_client):
    assert manager_client.get(reverse("admin:targets_target_add")).status_code == 403


def test_a_manager_reassigns_departments_inline_and_the_history_keeps_it(manager_client, report_2020):
    cpi = Target.objects.get(report=report_2020, code="0.1.07")
    assignments = list(cpi.assignments.order_by("order"))
    form = {
        "assignments-TOTAL_FORMS": len(assignments),
        "assignments-INITIAL_FORMS": len(assignments),
        "assignments-MIN_NUM_FORMS": 0,
        "assignments-MAX_NUM_FORMS": 1000,
        "baseline-TOTAL_FORMS": 1,
        "baseline-INITIAL_FORMS": 1,
        "baseline-MIN_NUM_FORMS": 0,
        "baseline-MAX_NUM_FORMS": 1,
        "baseline-0-id": cpi.baseline.pk,
        "baseline-0-target": cpi.pk,
    }
    for index, assignment in enumerate(assignments):
        form |= {
            f"assignments-{index}-id": assignment.pk,
            f"assignments-{index}-target": cpi.pk,
            f"assignments-{index}-department": assignment.department_id,
            f"assignments-{index}-role": assignment.role,
            f"assignments-{index}-order": assignment.order,
        }
    form["assignments-2-DELETE"] = "on"  # 市场监督管理局 no longer co-operates

    response = manager_client.post(reverse("admin:targets_target_change", args=[cpi.pk]), form)

    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert [d.name for d in cpi.ordered_departments()] == ["发展和改革委员会", "统计局"]
    assert cpi.assignments.model.history.filter(target_id=cpi.pk, history_type="-").count() == 1
