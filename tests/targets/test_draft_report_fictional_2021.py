"""Drafting a report the rules were not written from: the fictional 青禾县 2021 report
(targets/data/examples/), against its hand-encoded data file. The hand-made file loads next to 2020."""

from io import StringIO

import pytest
from django.core.management import call_command

from targets.models import Target
from tests.targets.drafts import EXAMPLES, drafted

HAND_2021 = EXAMPLES / "qinghe_2021.yaml"


def test_numeric_goals_and_milestones_agree_with_the_hand_made_file(tmp_path):
    draft_2021 = drafted(EXAMPLES / "qinghe_2021_government_work_report.txt", 2021, HAND_2021, tmp_path)
    comparison = draft_2021.comparison()

    numeric, milestones = comparison.numeric, comparison.milestones
    assert numeric.recall >= 0.9 and numeric.precision >= 0.8 and milestones.recall >= 0.7
    assert (numeric.drafted, numeric.reference, numeric.matched) == (37, 37, 37)
    assert (milestones.drafted, milestones.reference, milestones.matched) == (12, 11, 11)
    assert [item.label for item in milestones.invented] == ["4.2.01 科学开展大规模国土绿化行动"]
    assert (comparison.baselines.drafted, comparison.baselines.reference, comparison.baselines.matched) == (
        29,
        29,
        29,
    )
    assert "里程碑：起草 12 个，手工 11 个，一致 11 个；精确率 91.7%，召回率 100.0%" in draft_2021.output


@pytest.mark.django_db
def test_the_hand_made_file_loads_next_to_2020(report_2020):
    targets_2020 = list(
        Target.objects.filter(report=report_2020).order_by("code").values_list("code", "value")
    )

    call_command("load_report", str(HAND_2021), stdout=StringIO())

    assert Target.objects.filter(report__year=2021).count() == 48
    assert (
        list(Target.objects.filter(report=report_2020).order_by("code").values_list("code", "value"))
        == targets_2020
    )
