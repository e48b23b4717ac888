"""The drafts of the two fictional reports load as they are, next to the bundled 2020 report (the 2020
draft's own load, into a database without it, is in test_draft_report_2020.py)."""

import pytest

from tests.targets.drafts import EXAMPLES, drafted

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "year", "hand_made", "issuer", "targets"),
    [
        ("qinghe_2021_government_work_report.txt", 2021, "qinghe_2021.yaml", "青禾县人民政府", 49),
        ("jinchuan_2022_government_work_report.txt", 2022, "jinchuan_2022.yaml", "金川区人民政府", 53),
    ],
)
def test_the_draft_loads_as_it_is(tmp_path, report_2020, text, year, hand_made, issuer, targets):
    report = drafted(EXAMPLES / text, year, EXAMPLES / hand_made, tmp_path).load()

    assert (report.issuer, report.year, report.targets.count()) == (issuer, year, targets)
    assert report_2020.targets.count() == 138
