"""The worked examples of the status rules, entered as an official would: through the admin form, the
recompute running on commit, and the status light read back from 我的目标."""

import pytest
from django.urls import reverse

from targets import roles
from targets.models import Target
from tests.conftest import department_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("july_3rd_2020")]


def _submit_and_read_light(
    client, django_capture_on_commit_callbacks, department: str, code: str, value: str
):
    client.force_login(department_user(department, roles.OFFICIAL, f"{department}_official"))
    target = Target.objects.get(report__year=2020, code=code)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:progress_progressentry_add"),
            {
                "target": target.pk,
                "period_end": "2020-06-30",
                "value": value,
                "provenance": "estimate",
                "note": "",
            },
        )
    assert response.status_code == 302
    page = client.get(reverse("admin:progress_mytarget_changelist"), {"q": code})
    (row,) = [row for row in page.context["cl"].result_list if row.code == code]
    return row.status, page.content.decode()


@pytest.mark.parametrize(("value", "light"), [("7", "正常"), ("5", "预警"), ("2", "滞后"), ("15", "已完成")])
def test_new_enterprises_entered_in_the_admin(client, django_capture_on_commit_callbacks, value, light):
    status, page = _submit_and_read_light(
        client, django_capture_on_commit_callbacks, "industry", "1.1.03", value
    )
    assert status.get_performance_display() == light
    assert f"</span>{light}</td>" in page


@pytest.mark.parametrize(("value", "light"), [("2.8", "正常"), ("3.2", "预警"), ("3.5", "滞后")])
def test_consumer_prices_entered_in_the_admin(client, django_capture_on_commit_callbacks, value, light):
    status, page = _submit_and_read_light(client, django_capture_on_commit_callbacks, "ndrc", "0.1.07", value)
    assert status.get_performance_display() == light
    assert f"</span>{light}</td>" in page
