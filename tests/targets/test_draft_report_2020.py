"""Drafting the bundled 2020 text: the draft loads as it is into a database holding no other report, and
its numeric goals and milestones agree with the hand-made file by the figures the README gives."""

import pytest
from django.db.models import Count, Q

from targets.loader import DEFAULT_DATA_FILE, report_file_parse
from targets.models import Baseline, Comparator, DepartmentRole, Report, Target
from tests.targets.drafts import Drafted, drafted

TEXT_2020 = DEFAULT_DATA_FILE.parent / "wuzhong_2020_government_work_report.txt"


@pytest.fixture
def draft_2020(tmp_path) -> Drafted:
    return drafted(TEXT_2020, 2020, DEFAULT_DATA_FILE, tmp_path)


@pytest.mark.django_db
def test_the_draft_loads_as_it_is_into_a_database_without_other_reports(draft_2020):
    Target.objects.all().delete()  # the session's hand-made 2020 report, so that the draft stands alone
    Report.objects.all().delete()

    report = draft_2020.load()

    spec = report_file_parse(draft_2020.path)
    assert Report.objects.get() == report
    assert (report.issuer, report.year, report.delivered_on.isoformat()) == (
        "吴忠市人民政府",
        2020,
        "2020-01-07",
    )
    targets = Target.objects.filter(report=report).select_related("task")
    assert targets.count() == len(spec.targets) == 136
    assert targets.filter(comparator=Comparator.DONE).count() == 57
    for target in targets:
        assert report.source_text[target.quote_start : target.quote_end] == target.quote, target.code
        assert (
            target.task.paragraph_start <= target.quote_start < target.quote_end <= target.task.paragraph_end
        )
        assert "请审核" in target.reading or "请指定" in target.reading, target.code
    assert Baseline.objects.filter(target__report=report).count() == 38
    leads = targets.annotate(leads=Count("assignments", filter=Q(assignments__role=DepartmentRole.LEAD)))
    assert {target.leads for target in leads} == {1}


def test_numeric_goals_and_milestones_agree_with_the_hand_made_file(draft_2020):
    comparison = draft_2020.comparison()
    output = draft_2020.output

    numeric, milestones = comparison.numeric, comparison.milestones
    assert numeric.recall >= 0.9 and numeric.precision >= 0.8 and milestones.recall >= 0.7
    # The figures of the README, pinned: a change to the drafter that moves them updates the README too.
    assert (numeric.drafted, numeric.reference, numeric.matched) == (79, 79, 79)
    assert (milestones.drafted, milestones.reference, milestones.matched) == (57, 59, 54)
    assert "数值目标：起草 79 个，手工 79 个，一致 79 个；精确率 100.0%，召回率 100.0%" in output
    assert "里程碑：起草 57 个，手工 59 个，一致 54 个；精确率 94.7%，召回率 91.5%" in output
    assert [item.label for item in milestones.missed] == [
        "4.2.02 建设机动车尾气监管平台",
        "4.3.01 完成土壤污染状况详查",
        "5.3.06 国家卫生城市通过复审",
        "6.1.01 建设全国民族团结进步模范市",
        "7.2.01 法治政府建设年度报告",
    ]
    assert (
        "遗漏的里程碑（手工有、起草没有）：\n  - 4.2.02 建设机动车尾气监管平台（里程碑）：建设机动车尾气监管平台"
        in output
    )
