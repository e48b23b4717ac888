"""The 滞后/逾期 page renders 100 rows at a time, worst first, with the total and links that keep the
filters; the printable bulletin and the downloads carry every row."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def _codes(response) -> list[str]:
    return [row.target.code for row in response.context["page_rows"]]


def test_the_page_shows_100_rows_of_all_and_keeps_the_filters_in_its_links(manager_client, more_targets):
    more_targets(150)  # each lagging on its June figure
    url = reverse("boards-lagging")
    first = manager_client.get(url, {"as_of": "2020-07-03", "performance": "lagging"})
    total = len(first.context["rows"])
    assert total == 150
    assert len(_codes(first)) == 100
    assert first.context["page_obj"].paginator.count == total
    html = first.content.decode()
    assert f"共 <strong>{total}</strong> 个目标需要关注" in html
    assert f"第 1–100 个，共 {total} 个" in html
    assert "as_of=2020-07-03&amp;performance=lagging&amp;page=2" in html  # the filters stay in the link
    assert "format=xlsx" in html and "page=1&amp;format" not in html

    last_page = first.context["page_obj"].paginator.num_pages
    last = manager_client.get(url, {"as_of": "2020-07-03", "performance": "lagging", "page": last_page})
    seen = set(_codes(first))
    for number in range(2, last_page + 1):
        page = manager_client.get(url, {"as_of": "2020-07-03", "performance": "lagging", "page": number})
        seen |= set(_codes(page))
    assert len(seen) == total  # every row on exactly one page, in the report's order
    assert _codes(last)[-1] == first.context["rows"][-1].target.code
    assert manager_client.get(url, {"as_of": "2020-07-03", "page": "abc"}).context["page_obj"].number == 1


def test_the_downloads_and_the_bulletin_carry_every_row(manager_client, more_targets):
    more_targets(150)
    url = reverse("boards-lagging")
    total = len(manager_client.get(url, {"as_of": "2020-07-03"}).context["rows"])
    csv = (
        manager_client.get(url, {"as_of": "2020-07-03", "format": "csv", "page": 2})
        .getvalue()
        .decode("utf-8-sig")
    )
    assert sum(1 for line in csv.splitlines()[1:] if line.strip()) >= total
    workbook = load_workbook(
        io.BytesIO(manager_client.get(url, {"as_of": "2020-07-03", "format": "xlsx"}).getvalue())
    )
    assert workbook.active.max_row >= total
    bulletin = manager_client.get(reverse("boards-bulletin"), {"as_of": "2020-07-03"})
    assert len(bulletin.context["rows"]) == total
    assert "page_obj" not in bulletin.context
