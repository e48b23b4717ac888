"""The bundled 2020 data file: counts pinned, every quote verbatim, the worked readings of the issue."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Count, Q

from targets.models import Baseline, Chapter, Comparator, DepartmentRole, Measure, Target

pytestmark = pytest.mark.django_db

# chapter number → (targets, of which milestones). Changing the data file means changing these on purpose.
EXPECTED_PER_CHAPTER = {
    0: (9, 2),
    1: (46, 10),
    2: (25, 9),
    3: (14, 9),
    4: (12, 6),
    5: (21, 14),
    6: (7, 7),
    7: (4, 2),
}


def test_targets_per_chapter_are_pinned(report_2020):
    counts = {
        chapter.number: (chapter.total, chapter.milestones)
        for chapter in Chapter.objects.filter(report=report_2020).annotate(
            total=Count("tasks__targets"),
            milestones=Count("tasks__targets", filter=Q(tasks__targets__comparator=Comparator.DONE)),
        )
    }
    assert counts == EXPECTED_PER_CHAPTER


def test_targets_per_measure_are_pinned(report_2020):
    per_measure = dict(
        Target.objects.filter(report=report_2020).values_list("measure").annotate(n=Count("id")).order_by()
    )
    assert per_measure == {Measure.CUMULATIVE: 110, Measure.LEVEL: 28}


def test_every_quote_is_the_verbatim_text_at_its_position_inside_its_task_paragraph(report_2020):
    text = report_2020.source_text
    for target in Target.objects.filter(report=report_2020).select_related("task"):
        assert text[target.quote_start : target.quote_end] == target.quote, target.code
        assert (
            target.task.paragraph_start <= target.quote_start < target.quote_end <= target.task.paragraph_end
        )


def test_every_baseline_quote_is_in_the_2019_review(report_2020):
    text = report_2020.source_text
    review = (text.index("2019年工作回顾"), text.index("2020年主要目标和重点任务"))
    baselines = Baseline.objects.filter(target__report=report_2020)
    assert baselines.count() == 41
    for baseline in baselines:
        assert text[baseline.quote_start : baseline.quote_start + len(baseline.quote)] == baseline.quote
        assert review[0] <= baseline.quote_start < review[1]
        assert baseline.year == 2019


def test_every_target_has_exactly_one_lead_department(report_2020):
    leads = Target.objects.filter(report=report_2020).annotate(
        leads=Count("assignments", filter=Q(assignments__role=DepartmentRole.LEAD))
    )
    assert sorted({target.leads for target in leads}) == [1]


def _target(code: str) -> Target:
    return Target.objects.select_related("baseline").get(report__year=2020, code=code)


def test_a_compound_sentence_is_split_into_one_target_per_figure(report_2020):
    areas = {
        target.metric: (target.value, target.unit)
        for target in Target.objects.filter(report=report_2020, code__in=["1.2.02", "1.2.03", "1.2.04"])
    }
    assert areas == {
        "酿酒葡萄种植面积": (Decimal("23"), "万亩"),
        "黄花菜种植面积": (Decimal("16"), "万亩"),
        "瓜菜种植面积": (Decimal("36"), "万亩"),
    }
    incomes = Target.objects.filter(report=report_2020, code__in=["0.1.04", "0.1.05"]).order_by("code")
    assert [(target.value, target.comparator) for target in incomes] == [
        (Decimal("7.5"), Comparator.AT_LEAST),
        (Decimal("8.5"), Comparator.AT_LEAST),
    ]


def test_the_april_project_start_goal_is_due_on_30_april():
    target = _target("1.5.02")
    assert "确保4月份339个新建项目开工70%以上" in target.quote
    assert (target.value, target.unit, target.deadline) == (Decimal("70"), "%", dt.date(2020, 4, 30))


def test_headline_targets_carry_their_comparators_and_2019_baselines():
    cpi = _target("0.1.07")
    assert (cpi.comparator, cpi.value, cpi.measure) == (Comparator.AT_MOST, Decimal("3"), Measure.LEVEL)
    assert cpi.baseline.value == Decimal("1.4")
    unemployment = _target("0.1.06")
    assert (unemployment.comparator, unemployment.tolerance_pct) == (Comparator.ABOUT, Decimal("5"))
    grain = _target("1.2.01")
    assert (grain.comparator, grain.value, grain.frequency) == (Comparator.AT_LEAST, Decimal("90"), "annual")
    assert (grain.baseline.value, grain.baseline.unit) == (Decimal("102"), "万吨")
    assert _target("1.1.03").baseline.value == Decimal("20")
    assert _target("0.1.01").frequency == "quarterly"


def test_named_milestones_are_encoded_as_done():
    for code, words in [
        ("2.3.05", "吴忠仪表在科创板上市"),
        ("2.2.02", "第三次全国国土调查"),
        ("5.3.09", "开放吴忠科技馆"),
    ]:
        target = _target(code)
        assert words in target.quote
        assert (target.comparator, target.value, target.unit) == (Comparator.DONE, None, "")
