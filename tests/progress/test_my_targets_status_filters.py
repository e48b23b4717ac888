"""'我的目标' filtered by either axis of the stored status: 完成状态 lists exactly the targets judged so on
that axis, 报送状态 likewise, and the filters offer every status with its Chinese label."""

import datetime as dt

import pytest
from django.urls import reverse

from progress import services, statuses
from progress.models import TargetStatus
from progress.rules import PERFORMANCE_LABELS, REPORTING_LABELS

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(login, report_2020, administrator_li):
    for code, value in (("1.1.03", "2"), ("1.2.10", "900")):
        target = report_2020.targets.get(code=code)
        services.progress_entry_submit(
            target=target, period_end=dt.date(2020, 6, 30), value=value, by=administrator_li
        )
    statuses.status_sweep()
    return login("manager_wang")


def _listed(client, query: str) -> set[str]:
    response = client.get(reverse("admin:progress_mytarget_changelist") + query)
    assert response.status_code == 200
    return {target.code for target in response.context["cl"].queryset}


@pytest.mark.parametrize(
    ("axis", "labels"), [("performance", PERFORMANCE_LABELS), ("reporting", REPORTING_LABELS)]
)
def test_each_axis_lists_exactly_the_targets_stored_with_that_status(manager, axis, labels):
    statuses = TargetStatus.objects.select_related("target")
    for status in labels:
        expected = {row.target.code for row in statuses if getattr(row, axis) == status}
        assert _listed(manager, f"?{axis}={status.value}") == expected, status
    # Both axes have targets in more than one status, so a filter that listed everything would fail.
    assert len({getattr(row, axis) for row in statuses}) > 1


@pytest.mark.parametrize(
    ("axis", "title", "labels"),
    [("performance", "完成状态", PERFORMANCE_LABELS), ("reporting", "报送状态", REPORTING_LABELS)],
)
def test_the_filter_offers_every_status_by_its_chinese_label(manager, axis, title, labels):
    response = manager.get(reverse("admin:progress_mytarget_changelist"))
    spec = next(spec for spec in response.context["cl"].filter_specs if spec.parameter_name == axis)
    assert spec.title == title
    assert list(spec.lookup_choices) == [(status.value, label) for status, label in labels.items()]
