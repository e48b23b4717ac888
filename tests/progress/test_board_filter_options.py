"""The filters of the 滞后/逾期 page: chapters offered per report and key tasks per chapter, read in one
query; a chosen chapter or key task narrows the rows and stays selected; an unknown one is refused in
Chinese."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from progress.services import progress_entry_submit
from targets.models import KeyTask, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def lagging_in_two_chapters(july_3rd_2020, official_zhang):
    """1.1.03 reported at 2 (lagging) and a target of another chapter reported as lagging as well."""
    first = Target.objects.get(report__year=2020, code="1.1.03")
    other = (
        Target.objects.filter(
            report__year=2020, assignments__department__code="industry", frequency="monthly"
        )
        .exclude(task__chapter=first.task.chapter)
        .first()
    )
    for target, value in ((first, "2"), (other, "0")):
        if target is not None:
            progress_entry_submit(
                target=target, period_end=dt.date(2020, 6, 30), value=value, by=official_zhang
            )
    return first


def _codes(response) -> set[str]:
    return {row.target.code for row in response.context["rows"]}


def test_the_chapter_and_key_task_filters_narrow_the_rows(manager_client, lagging_in_two_chapters):
    target = lagging_in_two_chapters
    url = reverse("boards-lagging")
    by_chapter = manager_client.get(url, {"chapter": target.task.chapter_id})
    assert target.code in _codes(by_chapter)
    assert all(row.target.task.chapter_id == target.task.chapter_id for row in by_chapter.context["rows"])
    by_task = manager_client.get(url, {"task": target.task_id})
    assert target.code in _codes(by_task)
    assert all(row.target.task_id == target.task_id for row in by_task.context["rows"])
    page = by_task.content.decode()
    assert f'<option value="{target.task_id}" selected>' in page


def test_the_options_are_grouped_and_read_in_chinese(manager_client, lagging_in_two_chapters):
    page = manager_client.get(reverse("boards-lagging")).content.decode()
    task = KeyTask.objects.select_related("chapter__report").get(pk=lagging_in_two_chapters.task_id)
    chapters = re.search(r'<select[^>]* name="chapter"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert chapters.startswith('<option value="" selected>全部</option>')
    assert f'<optgroup label="{task.chapter.report.title}">' in chapters
    assert f'<option value="{task.chapter_id}">{task.chapter}</option>' in chapters
    tasks = re.search(r'<select[^>]* name="task"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert f'<optgroup label="{task.chapter.report.title} · {task.chapter}">' in tasks
    assert f'<option value="{task.pk}">{task}</option>' in tasks
    # Every key task once, each chapter that has one once.
    assert tasks.count("<option ") == KeyTask.objects.count() + 1
    departments = re.search(r'<select[^>]* name="department"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert '<option value="industry">工业和信息化局</option>' in departments


def test_an_unknown_chapter_is_refused_in_chinese(manager_client, lagging_in_two_chapters):
    response = manager_client.get(reverse("boards-lagging"), {"chapter": "999999"})
    assert response.status_code == 200
    assert "rows" not in response.context
    assert "选择一个有效的选项" in response.content.decode()
