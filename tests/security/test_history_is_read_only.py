"""A past version in the history is shown, never written back. django-simple-history's page of one version
is a form that saves a POST after checking only the view permission: a view-only official could have
restored an old target definition, or an entry's old figure past the services and its review."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from progress import services
from targets.models import Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def redefined_target(july_3rd_2020) -> Target:
    """1.1.03 新增规上企业 (工业和信息化局 leads), whose metric a reload of the report changed later."""
    target = Target.objects.get(code="1.1.03")
    target.metric = "新增规模以上工业企业"
    target.save()
    return target


def _versions(obj) -> list[int]:
    return list(obj.history.order_by("history_date").values_list("history_id", flat=True))


@pytest.mark.parametrize("person", ["official_zhang", "reviewer_chen", "manager_wang"])
def test_posting_an_old_target_version_restores_nothing(client, request, redefined_target, person):
    client.force_login(request.getfixturevalue(person))
    first = _versions(redefined_target)[0]
    url = reverse("admin:targets_target_simple_history", args=[redefined_target.pk, first])

    shown = client.get(url)
    posted = client.post(url, {"assignments-TOTAL_FORMS": "0", "assignments-INITIAL_FORMS": "0"})

    assert shown.status_code == 200
    assert "还原" not in shown.content.decode()  # no "revert" button or heading either
    assert posted.status_code == 403
    redefined_target.refresh_from_db()
    assert redefined_target.metric == "新增规模以上工业企业"


def test_posting_an_old_entry_version_restores_nothing(client, july_3rd_2020, official_zhang):
    entry = services.progress_entry_submit(
        target=Target.objects.get(code="1.1.03"),
        period_end=dt.date(2020, 6, 30),
        value="7",
        by=official_zhang,
    )
    entry = services.progress_entry_correct(entry=entry, value="8", by=official_zhang)
    client.force_login(official_zhang)
    first = _versions(entry)[0]

    posted = client.post(
        reverse("admin:progress_progressentry_simple_history", args=[entry.pk, first]),
        {"value": "7", "provenance": "estimate", "evidence-TOTAL_FORMS": "0", "evidence-INITIAL_FORMS": "0"},
    )

    assert posted.status_code == 403
    entry.refresh_from_db()
    assert (entry.value, entry.revision) == (Decimal(8), 2)
