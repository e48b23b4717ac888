"""The managers' boards moved from /admin/reports/… and /api/reports/… to /admin/boards/… and /api/boards/…
(`Report` is the government work report only). The old addresses answer with a permanent redirect to the
new ones, query string kept, for one release: links in emails already sent and API clients keep working."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/reports/lagging/?as_of=2020-07-01", "/admin/boards/lagging/?as_of=2020-07-01"),
        ("/admin/reports/bulletin/", "/admin/boards/bulletin/"),
        ("/admin/reports/scoreboard/?format=xlsx", "/admin/boards/scoreboard/?format=xlsx"),
        ("/admin/reports/overview/", "/admin/boards/overview/"),
        ("/admin/reports/targets/12/?as_of=2020-06-30", "/admin/boards/targets/12/?as_of=2020-06-30"),
        ("/api/reports/lagging/?department=agriculture", "/api/boards/lagging/?department=agriculture"),
        ("/api/reports/summary/", "/api/boards/summary/"),
    ],
)
def test_an_old_address_redirects_to_the_board(client, old, new):
    response = client.get(old)
    assert (response.status_code, response["Location"]) == (301, new)


def test_the_work_reports_keep_their_address(api, report_2020, manager_wang):
    response = api(manager_wang).get(f"/api/reports/{report_2020.pk}/")
    assert response.status_code == 200
    assert response.json()["year"] == 2020
