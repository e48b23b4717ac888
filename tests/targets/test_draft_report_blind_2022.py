"""Drafting a report written blind: the fictional 金川区 2022 report (targets/data/examples/), written and
hand-encoded by a hand that had not read the drafter, and committed before the drafter was first run on it.
The figures below are what that first run measured, pinned as they are."""

from io import StringIO

import pytest
from django.core.management import call_command

from targets.drafting import comparables_from_spec, draft_compare
from targets.loader import DEFAULT_DATA_FILE, report_file_parse
from targets.models import Report, Target
from tests.targets.drafts import draft_with_comparison

EXAMPLES = DEFAULT_DATA_FILE.parent / "examples"
TEXT_2022 = EXAMPLES / "jinchuan_2022_government_work_report.txt"
HAND_2022 = EXAMPLES / "jinchuan_2022.yaml"


@pytest.fixture
def draft_2022(tmp_path):
    path = tmp_path / "jinchuan_2022_draft.yaml"
    return path, draft_with_comparison(TEXT_2022, 2022, HAND_2022, path)


@pytest.mark.django_db
def test_the_draft_loads_as_it_is(draft_2022):
    path, _output = draft_2022

    call_command("load_report", str(path), stdout=StringIO())

    report = Report.objects.get(year=2022)
    assert report.issuer == "金川区人民政府"
    assert Target.objects.filter(report=report).count() == len(report_file_parse(path).targets) == 52


def test_the_blind_measurement(draft_2022):
    path, output = draft_2022

    comparison = draft_compare(
        comparables_from_spec(report_file_parse(path)), comparables_from_spec(report_file_parse(HAND_2022))
    )

    numeric, milestones, baselines = comparison.numeric, comparison.milestones, comparison.baselines
    assert (numeric.drafted, numeric.reference, numeric.matched) == (41, 41, 39)
    assert (milestones.drafted, milestones.reference, milestones.matched) == (11, 12, 10)
    assert (baselines.drafted, baselines.reference, baselines.matched) == (31, 34, 30)
    assert sorted(item.label for item in numeric.missed) == [
        "4.1.02 PM2.5平均浓度",  # "下降到32微克/立方米" is a ceiling, drafted as at_least
        "6.2.02 “三公”经费增幅",  # "不超过上年水平": no number in the text
    ]
    assert sorted(item.label for item in numeric.invented) == [
        "1.1.06 有色金属新材料产业产值",  # "力争到2025年…突破500亿元" is not a 2022 goal
        "4.1.02 PM2.5平均浓度下降到",
    ]
    assert sorted(item.label for item in milestones.missed) == [
        "3.2.02 行政村5G网络全覆盖",
        "5.3.03 乡镇区域养老服务中心全覆盖",
    ]
    assert [item.label for item in milestones.invented] == ["2.1.01 在去年完成投资118亿元的基础上"]
    assert "数值目标：起草 41 个，手工 41 个，一致 39 个；精确率 95.1%，召回率 95.1%" in output
    assert "里程碑：起草 11 个，手工 12 个，一致 10 个；精确率 90.9%，召回率 83.3%" in output
    assert "上年基数：起草 31 个，手工 34 个，在一致的数值目标中基数相同 30 个" in output


@pytest.mark.django_db
def test_the_hand_made_file_loads(report_2020):
    call_command("load_report", str(HAND_2022), stdout=StringIO())

    report = Report.objects.get(year=2022)
    assert Target.objects.filter(report=report).count() == 53
    assert Target.objects.filter(report=report, comparator="done").count() == 12
