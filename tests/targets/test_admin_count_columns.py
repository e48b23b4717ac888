"""The count columns of the report's structure in the admin (章节数, 重点任务数, 目标数, 牵头目标数): each row
shows its own counts, under its Chinese heading, and the list sorts by them."""

import pytest
from django.contrib import admin
from django.urls import reverse

from targets.models import Chapter, Department, DepartmentRole, KeyTask, Report, TargetDepartment

pytestmark = pytest.mark.django_db

TRUE_COUNTS = {
    "report": lambda report: {
        "chapter_count": report.chapters.count(),
        "target_count": report.targets.count(),
    },
    "chapter": lambda chapter: {
        "task_count": chapter.tasks.count(),
        "target_count": sum(task.targets.count() for task in chapter.tasks.all()),
    },
    "keytask": lambda task: {"target_count": task.targets.count()},
    "department": lambda department: {
        "lead_count": TargetDepartment.objects.filter(
            department=department, role=DepartmentRole.LEAD
        ).count(),
        "target_count": TargetDepartment.objects.filter(department=department).count(),
    },
}
MODELS = {"report": Report, "chapter": Chapter, "keytask": KeyTask, "department": Department}
HEADINGS = {
    "report": ["章节数", "目标数"],
    "chapter": ["重点任务数", "目标数"],
    "keytask": ["目标数"],
    "department": ["牵头目标数", "牵头/配合目标数"],
}


@pytest.mark.parametrize("model", sorted(MODELS))
def test_each_row_shows_its_own_counts_under_their_headings(manager_client, report_2020, model):
    response = manager_client.get(reverse(f"admin:targets_{model}_changelist"), {"all": ""})
    model_admin = admin.site._registry[MODELS[model]]
    columns = list(TRUE_COUNTS[model](MODELS[model].objects.first()))
    assert [str(getattr(model_admin, column).short_description) for column in columns] == HEADINGS[model]
    rows = response.context["cl"].result_list
    assert len(rows) == MODELS[model].objects.count()
    for row in rows:
        assert {column: getattr(model_admin, column)(row) for column in columns} == TRUE_COUNTS[model](row)
    assert any(value for row in rows for value in TRUE_COUNTS[model](row).values())


@pytest.mark.parametrize("model", ["chapter", "department"])
def test_the_list_sorts_by_a_count(manager_client, report_2020, model):
    model_admin = admin.site._registry[MODELS[model]]
    column = model_admin.list_display.index("target_count")
    response = manager_client.get(
        reverse(f"admin:targets_{model}_changelist"), {"o": f"-{column}", "all": ""}
    )
    counts = [TRUE_COUNTS[model](row)["target_count"] for row in response.context["cl"].result_list]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]
