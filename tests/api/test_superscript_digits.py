"""A digit Python calls a digit but int() refuses (³, ①) is refused in Chinese, never a 500 (found by the
fuzz suite on ?report=³)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["³", "①", "２０２０"])
def test_a_report_named_with_other_digits_is_a_400(api, manager_wang, report_2020, value):
    response = api(manager_wang).get("/api/boards/lagging/", {"report": value, "page_size": 5})
    assert response.status_code == 400
    assert f"没有“{value}”" in response.content.decode()


def test_a_target_page_addressed_with_other_digits_is_the_admins_not_found(manager_client, report_2020):
    response = manager_client.get("/admin/progress/mytarget/³/change/")
    # The admin's answer for an object that does not exist: back to its index, with a message.
    assert (response.status_code, response.url) == (302, "/admin/")
